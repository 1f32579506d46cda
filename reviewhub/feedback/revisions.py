"""Every write of a reaction gives its version a new feedback revision, in the same
transaction. What a page keeps of a version's reactions (counts, the filled-in text, a whole
page, an ETag) is keyed by that value, so a kept copy is never shown after a change: the event
invalidates it, not a timeout. The value is random (31 bits, for an INTEGER column) rather
than counted up: a transaction that rolls back (or a test) may have kept something under its
value, which must never come back."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..models import Comment, Section, Version

_PENDING = "reviewhub.feedback_sections"  # session.info: sections whose reactions were written


def watch() -> None:
    """Listen to every session's flushes (once per process, however many apps are made)."""
    if not event.contains(Session, "after_flush", _note_written):
        event.listen(Session, "after_flush", _note_written)
        event.listen(Session, "after_flush_postexec", _move_on)


def bump(session: Session, version_ids: Iterable[int]) -> None:
    """Give ``version_ids`` a new revision: for writes that bypass the ORM's flush
    (bulk inserts of bench data or an import)."""
    ids = sorted(set(version_ids))
    if ids:
        session.execute(_bump_statement(Version.id.in_(ids)))


def _note_written(session: Session, _context: Any) -> None:
    # In after_flush the new, dirty and deleted sets still hold what was just written, and
    # a new reaction's section_id is filled in.
    written = chain(session.new, session.dirty, session.deleted)
    section_ids = {
        obj.section_id for obj in written if isinstance(obj, Comment) and obj.section_id is not None
    }
    if section_ids:
        session.info.setdefault(_PENDING, set()).update(section_ids)


def _move_on(session: Session, _context: Any) -> None:
    section_ids = session.info.pop(_PENDING, None)
    if not section_ids:
        return
    versions = select(Section.version_id).where(Section.id.in_(sorted(section_ids)))
    session.connection().execute(_bump_statement(Version.id.in_(versions)))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Version):  # read again when next asked for
            session.expire(obj, ["feedback_revision"])


def _bump_statement(where: Any) -> Any:
    return (
        update(Version)
        .where(where)
        .values(feedback_revision=secrets.randbits(31))
        .execution_options(synchronize_session=False)
    )
