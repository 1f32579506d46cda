"""Writes that hold: concurrent reactions on the embedded SQLite database never answer 500,
a passing database failure is tried again, and a write that fails for good gives the form
back with what was typed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import exc, func, select

from reviewhub import create_app
from reviewhub.database import engine_options
from reviewhub.extensions import db
from reviewhub.feedback import posting
from reviewhub.models import Comment, Group, Role, Section
from reviewhub.transactions import is_transient, retrying
from tests.factories import SAMPLE_SLUG, Auth, sample_database, sample_section

KEY = "veiligheid"
SECTION_URL = f"/documents/{SAMPLE_SLUG}/v/3/s/{KEY}"
CLIENTS, POSTS_EACH = 12, 4


def _locked() -> exc.OperationalError:
    return exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


class _SerializationFailure(Exception):
    sqlstate = "40001"


def test_passing_failures_are_told_apart_from_real_ones():
    assert is_transient(_locked())
    assert is_transient(exc.OperationalError("SELECT", {}, _SerializationFailure()))
    lost = exc.OperationalError("SELECT", {}, Exception("server closed the connection"))
    lost.connection_invalidated = True
    assert is_transient(lost)
    assert not is_transient(exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint")))
    assert not is_transient(ValueError("database is locked"))


def test_work_is_tried_again_until_it_succeeds(app):
    calls = []

    @retrying
    def work() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "done"

    with app.app_context():
        assert work() == "done"
    assert len(calls) == 3


def test_a_real_error_is_not_tried_again(app):
    calls = []

    @retrying
    def work() -> None:
        calls.append(1)
        raise exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with app.app_context(), pytest.raises(exc.IntegrityError):
        work()
    assert len(calls) == 1


def test_postgresql_connections_are_tested_before_use():
    assert engine_options("postgresql+psycopg://db/reviewhub") == {"pool_pre_ping": True}
    assert engine_options("sqlite:///instance/reviewhub.sqlite3") == {}


def _form(section_id: int, group_id: int, body: str, token: str) -> dict[str, Any]:
    fields = {"kind": "question", "body": body, "group": group_id, "visibility": "public",
              "client_token": token}  # fmt: skip
    return {f"s{section_id}-{name}": value for name, value in fields.items()}


def test_a_write_that_keeps_failing_gives_the_form_back_with_what_was_typed(
    client, session, monkeypatch
):
    Auth(client).login(Role.PARTNER)
    target = sample_section(session)
    group = session.scalar(select(Group.id).where(Group.name == "Regio Twente"))
    attempts = []

    def always_busy(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        raise _locked()

    monkeypatch.setattr(posting, "post_comment", always_busy)
    typed = "Een reactie die ik niet kwijt wil."
    response = client.post(SECTION_URL, data=_form(target.id, group, typed, "bezet"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert typed in page and "Stuur het nog eens" in page
    assert len(attempts) == 3  # tried three times, and not again while showing the form
    assert session.scalar(select(func.count(Comment.id))) == 0


@pytest.fixture(scope="module")
def file_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own on a SQLite file, as `make run` uses: many connections at once."""
    folder: Path = tmp_path_factory.mktemp("concurrent")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/concurrent.sqlite3",
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://localhost",
            "MAIL_OUTBOX": str(folder / "outbox"),
            "ADDRESS_RATE_LIMIT": "1000 per minute",
        }
    )
    with sample_database(app):
        yield app


def test_many_partners_reacting_at_once_never_get_a_500(file_app):
    with file_app.app_context():
        section_id = db.session.scalar(
            select(Section.id).where(Section.key == KEY, Section.version.has(number=3))
        )
        group = db.session.scalar(select(Group.id).where(Group.name == "Regio Twente"))
        before = db.session.scalar(select(func.count(Comment.id)))
        db.session.remove()
    clients = [file_app.test_client() for _ in range(CLIENTS)]
    for one in clients:
        assert Auth(one).login(Role.PARTNER).status_code == 302
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []

    def post_all(number: int) -> None:
        start.wait()
        for post in range(POSTS_EACH):
            body = f"Gelijktijdige reactie {number}.{post}"
            form = _form(section_id, group, body, f"c{number}-{post}")
            statuses.append(clients[number].post(SECTION_URL, data=form).status_code)

    threads = [threading.Thread(target=post_all, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * (CLIENTS * POSTS_EACH)
    with file_app.app_context():
        after = db.session.scalar(select(func.count(Comment.id)))
        db.session.remove()
    assert after - before == CLIENTS * POSTS_EACH  # every acknowledged reaction is stored
