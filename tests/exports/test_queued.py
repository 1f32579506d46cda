"""Exports too large for a page request (exports.queued): the download leads to a page that
offers to make it in the background; a job makes it (here at once) into the instance folder,
its owner gets a message and finds it under their exports, nobody else can fetch it, and
after a week it is removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviewhub.exports.queued import remove_old_exports
from reviewhub.feedback.register import WorkspaceFilter
from reviewhub.models import (
    CommentKind,
    Disposition,
    ExportFile,
    Notification,
    NotificationKind,
    Role,
)
from tests.exports.test_exports import VERSION, feedback  # noqa: F401 (the fixture)
from tests.factories import Auth, sample_section, user_with_role

pytestmark = pytest.mark.usefixtures("feedback")


@pytest.fixture
def export_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))
    monkeypatch.setattr("reviewhub.exports.formats.PDF_LIMIT", 0)  # every PDF is too large
    return tmp_path / "exports"


def test_a_pdf_too_large_for_a_page_is_made_in_the_background_for_who_asked(
    client,
    auth: Auth,
    session,
    export_folder,
):
    auth.login(Role.REVIEWER)
    offered = client.get(f"{VERSION}/export/pdf?status=not_accepted", follow_redirects=True)
    assert offered.request.path == f"{VERSION}/export/pdf/later"
    assert "Op de achtergrond maken" in offered.get_data(as_text=True)
    asked = client.post(f"{VERSION}/export/pdf/later?status=not_accepted")
    assert asked.status_code == 302 and asked.location.endswith("/me/exports")
    [export] = session.scalars(select(ExportFile)).all()
    session.refresh(export)
    assert export.ready_at is not None and export.criteria["disposition"] == "not_accepted"
    assert (export_folder / str(export.stored_name)).stat().st_mode & 0o777 == 0o600
    told = session.scalars(select(Notification).where(Notification.user_id == export.user_id))
    assert [n.kind for n in told] == [NotificationKind.EXPORT_READY]
    listed = client.get("/me/exports").get_data(as_text=True)
    assert export.filename in listed and "Klaar" in listed
    got = client.get(f"/me/exports/{export.id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert got.headers["Content-Security-Policy"].startswith("sandbox")
    assert "attachment" in got.headers["Content-Disposition"]
    auth.logout()
    auth.login(Role.ADMIN)  # may read the workspace, but did not ask for it
    assert client.get(f"/me/exports/{export.id}").status_code == 403
    assert client.get("/me/exports/999999").status_code == 404


def test_an_export_small_enough_after_all_is_downloaded_at_once(
    client,
    auth: Auth,
    export_folder,
):
    auth.login(Role.REVIEWER)
    answer = client.get(f"{VERSION}/export/pdf/later?status=accepted")  # none: small enough
    assert answer.status_code == 302 and answer.location.endswith("/export/pdf?status=accepted")


def test_an_export_still_being_made_says_so(client, auth: Auth, session, app):
    auth.login(Role.REVIEWER)
    reviewer = user_with_role(session, Role.REVIEWER)
    section = sample_section(session)
    export = ExportFile(user=reviewer, document=section.version.document, version=section.version,
                        fmt="pdf", criteria={}, language="nl", filename="x.pdf")  # fmt: skip
    session.add(export)
    session.commit()
    answer = client.get(f"/me/exports/{export.id}", follow_redirects=True)
    assert "x.pdf wordt nog gemaakt" in answer.get_data(as_text=True)


def test_exports_are_removed_after_a_week(session, tmp_path):
    section = sample_section(session)
    reviewer = user_with_role(session, Role.REVIEWER)
    now = datetime.now(UTC)
    kept, old = ("new.pdf", now - timedelta(days=6)), ("old.pdf", now - timedelta(days=8))
    for name, made in (kept, old):
        (tmp_path / name).write_bytes(b"%PDF")
        session.add(ExportFile(user=reviewer, document=section.version.document, fmt="pdf",
                               criteria={}, language="nl", filename=name, stored_name=name,
                               created_at=made, ready_at=made))  # fmt: skip
    session.commit()
    assert remove_old_exports(session, tmp_path, now) == 1
    assert [e.filename for e in session.scalars(select(ExportFile))] == ["new.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.pdf"]


def test_the_workspace_filter_is_kept_as_json_and_read_back():
    criteria = WorkspaceFilter(section_key="regie", group_id=3, kind=CommentKind.QUESTION,
                               disposition=Disposition.ACCEPTED, text="school",
                               comment_ids=frozenset({4, 2}), hinted=True,
                               descending=True)  # fmt: skip
    assert WorkspaceFilter.from_json(criteria.as_json()) == criteria
    assert WorkspaceFilter.from_json({}) == WorkspaceFilter()
