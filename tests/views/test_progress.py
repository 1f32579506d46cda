"""The progress page of a version: who reads it, what it shows, and marking the feedback
handled (refused while reactions wait for a decision)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import post_comment
from reviewhub.models import Comment, Disposition, Role, Version
from tests.factories import SAMPLE_SLUG, Auth, group_named, reaction, sample_section, user_with_role

PAGE = f"/documents/{SAMPLE_SLUG}/v/3/progress"
HANDLED = f"{PAGE}/handled"
VERSION = f"/documents/{SAMPLE_SLUG}/v/3"


def _react(app: Flask, session: Session, count: int) -> list[Comment]:
    partner = user_with_role(session, Role.PARTNER)
    section, group = sample_section(session), group_named(session)
    with app.app_context():  # the closing date is read in the app's time zone
        made = [
            post_comment(session, partner, section, reaction(f"Punt {n}.", group=group))
            for n in range(count)
        ]
    session.commit()
    return made


def _decide_all(app: Flask, session: Session, comments: list[Comment]) -> None:
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        for comment in comments:
            decide(session, reviewer, comment, Decision(Disposition.NOTED, "Gezien."))
    session.commit()


def _version(session: Session) -> Version:
    return sample_section(session).version


@pytest.mark.parametrize("role", [Role.PARTNER, Role.READER])
def test_people_outside_the_review_refused(auth: Auth, client: FlaskClient, role: Role) -> None:
    auth.login(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(HANDLED).status_code == 403
    assert "/progress" not in client.get(VERSION).get_data(as_text=True)


def test_the_author_reads_without_the_button(auth: Auth, client: FlaskClient) -> None:
    auth.login(Role.AUTHOR)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'role="img"' in page and "progress/handled" not in page
    assert client.post(HANDLED).status_code == 403
    assert PAGE in client.get(VERSION).get_data(as_text=True)


def test_the_page_draws_each_count_with_a_table_beside_it(
    app: Flask, auth: Auth, client: FlaskClient, session: Session
) -> None:
    _react(app, session, 3)
    auth.login(Role.REVIEWER)
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count('role="img"') == 3  # by status, section and group
    assert page.count("<title id=") == page.count("<desc id=") == 3
    assert page.count("<details") == 3 and page.count("<table") == 3
    assert re.search(r'class="progress-chart__count"[^>]*>3</text>', page)  # numbers on bars
    assert "Regio Twente" in page and "Veiligheid voorop" in page
    # The undecided ones, one link away in the workspace.
    assert f"/documents/{SAMPLE_SLUG}/v/3/feedback?status=new" in page
    assert PAGE in client.get(VERSION).get_data(as_text=True)


def test_handled_is_refused_while_reactions_wait(
    app: Flask, auth: Auth, client: FlaskClient, session: Session
) -> None:
    made = _react(app, session, 2)
    _decide_all(app, session, made[:1])
    auth.login(Role.REVIEWER)
    response = client.post(HANDLED)
    assert response.status_code == 400
    summary = re.search(
        r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S
    )
    assert summary is not None and "1" in summary.group(0)
    session.expire_all()
    assert _version(session).feedback_handled_at is None


def test_handled_once_every_reaction_is_decided(
    app: Flask, auth: Auth, client: FlaskClient, session: Session
) -> None:
    _decide_all(app, session, _react(app, session, 2))
    auth.login(Role.REVIEWER)
    response = client.post(HANDLED)
    assert response.status_code == 302 and response.location.endswith(PAGE)
    session.expire_all()
    version = _version(session)
    assert version.feedback_handled_at is not None
    assert version.feedback_handled_by_id == user_with_role(session, Role.REVIEWER).id
    page = client.get(PAGE).get_data(as_text=True)
    assert user_with_role(session, Role.REVIEWER).name in page
    assert "progress/handled" not in page  # nothing left to mark


def test_handled_needs_the_forms_token(
    app: Flask, auth: Auth, client: FlaskClient, session: Session
) -> None:
    auth.login(Role.REVIEWER)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(HANDLED).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    session.expire_all()
    assert _version(session).feedback_handled_at is None


def test_unknown_versions_are_not_found(auth: Auth, client: FlaskClient) -> None:
    auth.login(Role.REVIEWER)
    assert client.get(f"/documents/{SAMPLE_SLUG}/v/99/progress").status_code == 404
    assert client.post(f"/documents/{SAMPLE_SLUG}/v/99/progress/handled").status_code == 404
