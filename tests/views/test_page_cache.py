"""What pages keep between requests: ETags and 304, whole pages for anonymous visitors, the
counted text per reading scope, and that none of it is ever shown after a change. With
REVIEWHUB_TEST_REDIS_URL (CI sets it when Redis answers), the shared store is tried too."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from reviewhub import create_app
from reviewhub.extensions import db
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentState, CommentVisibility, Role, User, VersionStatus
from reviewhub.samples import DEMO_PASSWORD
from reviewhub.views import documents
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    make_user,
    reaction,
    sample_section,
    user_with_role,
)

OPEN = f"/documents/{SAMPLE_SLUG}/v/3"
BADGE = re.compile(r'href="#f-veiligheid">(\d+) reactie')


def badge(client: FlaskClient) -> int:
    found = BADGE.search(client.get(OPEN).get_data(as_text=True))
    return int(found.group(1)) if found else 0


@contextmanager
def rendered_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The version pages rendered (not taken from the cache) while the block runs."""
    names: list[str] = []
    render = documents.render_template

    def counting(name: str, **context: Any) -> str:
        names.append(name)
        return render(name, **context)

    monkeypatch.setattr(documents, "render_template", counting)
    yield names


@contextmanager
def counting_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def grouped_counts(statements: list[str]) -> int:
    return sum("GROUP BY" in statement for statement in statements)


def post(session: Session, author: User, **fields: Any) -> None:
    section = sample_section(session)
    comment = post_comment(session, author, section, reaction(group=group_named(session)))
    for name, value in fields.items():
        setattr(comment, name, value)
    session.commit()


# ETags and 304 ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, Role.PARTNER], ids=["anonymous", "partner"])
def test_an_unchanged_page_is_answered_with_304(client, auth, who):
    if who:
        auth.login(who)
    first = client.get(OPEN)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Accept-Language"} <= set(first.vary)
    again = client.get(OPEN, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_new_reaction_changes_the_etag(client, session):
    etag = client.get(OPEN).headers["ETag"]
    post(session, user_with_role(session, Role.PARTNER))
    answer = client.get(OPEN, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and answer.headers["ETag"] != etag
    assert badge(client) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda version: setattr(version, "status", VersionStatus.CLOSED),
        lambda version: setattr(version, "label", "Dialoogversie 3b"),
        lambda version: setattr(version.document, "title", "Een andere titel"),
    ],
    ids=["status", "label", "document title"],
)
def test_what_the_page_shows_of_its_version_changes_the_etag(client, session, change):
    etag = client.get(OPEN).headers["ETag"]
    change(sample_section(session).version)
    session.commit()
    assert client.get(OPEN, headers={"If-None-Match": etag}).status_code == 200


def test_the_visitor_and_the_language_are_part_of_the_etag(client, auth):
    anonymous = client.get(OPEN).headers["ETag"]
    client.post("/language", data={"language": "en"})
    english = client.get(OPEN).headers["ETag"]
    auth.login(Role.PARTNER)
    partner = client.get(OPEN).headers["ETag"]
    assert len({anonymous, english, partner}) == 3


def test_a_message_to_show_once_is_never_kept(client):
    client.get(OPEN)
    with client.session_transaction() as cookie:
        cookie["_flashes"] = [("success", "Eenmalig bericht")]
    shown = client.get(OPEN)
    assert "Eenmalig bericht" in shown.get_data(as_text=True)
    assert "ETag" not in shown.headers and shown.headers["Cache-Control"] == "private, no-store"
    assert "Eenmalig bericht" not in client.get(OPEN).get_data(as_text=True)


def test_the_source_download_is_conditional(client):
    first = client.get(f"{OPEN}/source.md")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(f"{OPEN}/source.md", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    since = client.get(
        f"{OPEN}/source.md", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_the_compare_page_is_conditional(client, auth):
    url = f"/documents/{SAMPLE_SLUG}/compare/2...3"
    auth.login(Role.PARTNER)
    first = client.get(url)
    assert first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    other_view = client.get(f"{url}?view=side", headers={"If-None-Match": first.headers["ETag"]})
    assert other_view.status_code == 200


# Whole pages for anonymous visitors ---------------------------------------------------------


def test_anonymous_visitors_share_one_rendered_page_with_their_own_token(app, monkeypatch):
    first, second = app.test_client(), app.test_client()
    with rendered_pages(monkeypatch) as rendered:
        first.get(OPEN)
        page = second.get(OPEN).get_data(as_text=True)
    assert rendered.count("documents/version.html") <= 1  # none if an earlier test kept it
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1, "the kept page must carry one token, the visitor's"
    with second.session_transaction() as cookie:
        secret = cookie["csrf_token"]
    signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    assert signer.loads(tokens.pop()) == secret
    assert "\x00" not in page


# The counted text per reading scope ---------------------------------------------------------


def test_people_in_the_same_groups_share_the_counts(app, client, session, monkeypatch):
    partner = user_with_role(session, Role.PARTNER)
    colleague = make_user(session, "collega@example.org", Role.PARTNER, *partner.groups)
    colleague.set_password(DEMO_PASSWORD)
    post(session, partner)  # public: everyone's count
    Auth(client).login(Role.PARTNER)
    assert badge(client) == 1
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": DEMO_PASSWORD})
    with counting_queries(app) as statements:
        assert badge(other) == 1
    assert grouped_counts(statements) == 0, "the colleague's counts were counted again"


def test_own_waiting_and_group_only_reactions_are_counted_for_their_readers(app, session):
    twente = group_named(session)
    partner = user_with_role(session, Role.PARTNER)
    colleague = make_user(session, "collega@example.org", Role.PARTNER, twente)
    colleague.set_password(DEMO_PASSWORD)
    outsider = make_user(session, "buiten@example.org", Role.PARTNER)
    outsider.set_password(DEMO_PASSWORD)
    post(session, partner)
    post(session, partner, state=CommentState.PENDING)
    post(session, partner, visibility=CommentVisibility.GROUP)
    session.commit()
    seen = {}
    emails = {"partner": Auth.EMAILS[Role.PARTNER], "colleague": colleague.email,
              "outsider": outsider.email, "reviewer": Auth.EMAILS[Role.REVIEWER]}  # fmt: skip
    for name, email in emails.items():
        visitor = app.test_client()
        login = visitor.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert login.status_code == 302
        seen[name] = badge(visitor)
    seen["anonymous"] = badge(app.test_client())
    assert seen == {"partner": 3, "colleague": 2, "outsider": 1, "reviewer": 3, "anonymous": 1}


# The shared store ---------------------------------------------------------------------------

REDIS_URL = os.environ.get("REVIEWHUB_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="REVIEWHUB_TEST_REDIS_URL is not set")
def test_workers_share_pages_through_redis(app, monkeypatch):
    """Two apps (two workers) on one Redis: what one rendered, the other serves."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"reviewhub-test-{uuid.uuid4().hex}:",
    }
    workers = [create_app(config) for _ in range(2)]
    with rendered_pages(monkeypatch) as rendered:
        first = workers[0].test_client().get(OPEN)
        second = workers[1].test_client().get(OPEN)
    assert first.status_code == second.status_code == 200
    assert rendered == ["documents/version.html"]
    assert first.headers["ETag"] == second.headers["ETag"]
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
