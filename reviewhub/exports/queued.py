"""Exports too large to make within a page request (a reactienota PDF of thousands of
reactions): asked for on the page, made by a job of the queue into the instance folder, told
to the person who asked (their messages, and mail as they chose), kept for them a week.

A job runs in an app context of its own and reads the instance folder from the app: the one
part of the exports wing that needs an app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..clock import local_today
from ..dbtypes import DbSession
from ..extensions import db
from ..feedback.register import WorkspaceFilter
from ..files import write_private
from ..jobs import enqueue_after_commit, job, periodic
from ..models import ExportFile, User
from ..notifications import events
from ..permissions import Action, can
from .formats import FORMATS, filename, make_export
from .rows import ExportRequest

KEPT = timedelta(days=7)


def queue_export(
    session: DbSession, person: User, request: ExportRequest, fmt: str, language: str
) -> ExportFile:
    """Ask for ``request`` in the format ``fmt``, made in the background for ``person``, in
    ``language``; the job starts once the transaction commits."""
    export = ExportFile(
        user=person,
        document=request.document,
        version=request.version,
        fmt=fmt,
        criteria=request.criteria.as_json(),
        language=language,
        filename=filename(request, FORMATS[fmt]),
    )
    session.add(export)
    session.flush()
    enqueue_after_commit(session, make_export_file, export.id)
    return export


def folder() -> Path:
    configured = current_app.config.get("EXPORT_FOLDER") or ""
    return Path(configured or Path(current_app.instance_path) / "exports")


@job(describe=lambda export_id: f"export {export_id}", writes=False)
def make_export_file(export_id: int) -> None:
    """Make the file (reading for minutes, perhaps: it writes nothing, so that on SQLite it
    holds no write lock meanwhile), then hand it to a short job that records it and tells
    its owner. Nothing if it is made already, or if they may no longer read what it holds."""
    export = db.session.get(ExportFile, export_id)
    if export is None or export.ready_at is not None:
        return
    if not can(export.user, Action.READ_EXPORT_FILE, export):
        return
    request = ExportRequest(export.document, export.version, export.user,
                            criteria=WorkspaceFilter.from_json(export.criteria))  # fmt: skip
    with force_locale(export.language):
        made = make_export(db.session, request, export.fmt, local_today())
        stored_name, size = write_private(folder(), made.chunks)
    db.session.rollback()  # the reading ends: nothing was changed
    enqueue_after_commit(db.session, export_file_made, export_id, stored_name, size)


@job(describe=lambda export_id, *_: f"export {export_id} made")
def export_file_made(export_id: int, stored_name: str, size: int) -> None:
    export = db.session.get(ExportFile, export_id)
    if export is None or export.ready_at is not None:  # asked again meanwhile, or removed
        (folder() / stored_name).unlink(missing_ok=True)
        return
    export.stored_name, export.size, export.ready_at = stored_name, size, datetime.now(UTC)
    db.session.commit()
    events.tell_of_export(export)


def exports_of(session: DbSession, person: User) -> list[ExportFile]:
    """The exports ``person`` asked for this past week, newest first."""
    since = datetime.now(UTC) - KEPT
    return list(
        session.scalars(
            select(ExportFile)
            .where(ExportFile.user_id == person.id, ExportFile.created_at >= since)
            .order_by(ExportFile.created_at.desc(), ExportFile.id.desc())
        )
    )


def remove_old_exports(session: DbSession, kept_in: Path, now: datetime) -> int:
    """The exports older than a week, files and rows; how many."""
    old = session.scalars(select(ExportFile).where(ExportFile.created_at < now - KEPT)).all()
    for export in old:
        session.delete(export)
    session.commit()
    for export in old:  # once the rows are gone: a failed commit leaves every file
        if export.stored_name:
            (kept_in / export.stored_name).unlink(missing_ok=True)
    return len(old)


@periodic(hour="3", minute="10")
def daily_export_cleaning() -> None:
    remove_old_exports(db.session, folder(), datetime.now(UTC))
