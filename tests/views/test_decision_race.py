"""Two reviewers decide on the same reaction at the same moment, each through their own
request, connection and transaction (SQLite or PostgreSQL, whichever the run uses): one
decision is saved, the other reviewer gets the form back with a conflict that names the
first decision, and nothing is overwritten or saved twice."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update

from reviewhub.extensions import db, limiter
from reviewhub.feedback.posting import post_comment
from reviewhub.models import (
    AuditEvent,
    Comment,
    Disposition,
    DispositionChange,
    Role,
    User,
    Version,
)
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    make_user,
    reaction,
    sample_section,
    user_with_role,
)

SECOND_REVIEWER = "tweede-beoordelaar@example.org"


@dataclass(frozen=True)
class Posted:
    id: int
    reference: str
    version_id: int
    counter: int


@pytest.fixture
def posted(app: Flask) -> Iterator[Posted]:
    """A committed reaction and a second reviewer; both removed afterwards."""
    with app.app_context():
        session = db.session
        partner = user_with_role(session, Role.PARTNER)  # type: ignore[arg-type]
        second = make_user(session, SECOND_REVIEWER, Role.REVIEWER)  # type: ignore[arg-type]
        second.set_password("tweede-wachtwoord-123")
        section = sample_section(session, 3, "regie")  # type: ignore[arg-type]
        counter = section.version.reaction_counter  # put back: other tests count from it
        comment = post_comment(
            session,  # type: ignore[arg-type]
            partner,
            section,
            reaction("Wie beslist er bij onenigheid?", group=group_named(session)),  # type: ignore[arg-type]
        )
        session.commit()
        found = Posted(comment.id, comment.reference or "", section.version_id, counter)
        session.remove()
    try:
        yield found
    finally:
        with app.app_context():
            session = db.session
            session.execute(delete(AuditEvent).where(AuditEvent.object_id == found.id))
            session.execute(delete(Comment).where(Comment.id == found.id))
            session.execute(delete(User).where(User.email == SECOND_REVIEWER))
            session.execute(
                update(Version)
                .where(Version.id == found.version_id)
                .values(reaction_counter=found.counter)
            )
            session.commit()
            session.remove()


def _revision(html: str) -> str:
    found = re.search(r'name="decide-revision"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="decide-revision"', html
    )
    assert found, "the decision form carries the revision it was shown at"
    return found.group(1)


def test_two_reviewers_deciding_at_once_never_overwrite_each_other(app: Flask, posted: Posted):
    limiter.reset()
    url = f"/documents/{SAMPLE_SLUG}/v/3/feedback/{posted.reference}"
    first, second = app.test_client(), app.test_client()
    assert Auth(first).login(Role.REVIEWER).status_code == 302
    login = second.post(
        "/login", data={"email": SECOND_REVIEWER, "password": "tweede-wachtwoord-123"}
    )
    assert login.status_code == 302
    # Both open the reaction before either decides: both forms carry the same revision.
    forms = []
    for client, status in ((first, "accepted"), (second, "not_accepted")):
        page = client.get(url)
        assert page.status_code == 200
        forms.append((client, {
            "which": "decide", "decide-disposition": status,
            "decide-motivation": f"Besluit: {status}.", "decide-duplicate_of": "",
            "decide-revision": _revision(page.get_data(as_text=True)),
        }))  # fmt: skip
    start = threading.Barrier(2, timeout=10)
    answers: dict[str, tuple[int, str]] = {}

    def decide(client, form) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        response = client.post(url, data=form)
        answers[form["decide-disposition"]] = (response.status_code,
                                               response.get_data(as_text=True))  # fmt: skip

    threads = [threading.Thread(target=decide, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(status for status, _html in answers.values())
    assert statuses == [302, 409], statuses
    winner = next(name for name, (status, _html) in answers.items() if status == 302)
    _status, conflict_page = next(answer for answer in answers.values() if answer[0] == 409)
    with app.app_context():
        comment = db.session.get(Comment, posted.id)
        assert comment is not None
        assert comment.disposition is Disposition(winner)
        assert comment.motivation == f"Besluit: {winner}."
        assert comment.disposition_revision == 1
        changes = db.session.scalar(
            select(func.count()).where(DispositionChange.comment_id == posted.id)
        )
        db.session.remove()
    assert changes == 1
    # The loser reads what the other decided, with their own motivation still in the form.
    loser = "not_accepted" if winner == "accepted" else "accepted"
    assert f"Besluit: {loser}." in conflict_page
    assert f"Besluit: {winner}." in conflict_page
    assert "error-summary" in conflict_page
