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

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from ..dbtypes import DbSession
from ..models import CarriedReaction, Comment, Section, Version

_PENDING = "reviewhub.feedback_sections"  # session.info: sections whose reactions were written
_REWORDED = "reviewhub.reworded_sections"  # … of which the wording changed (not a decision)
_CHANGED = "reviewhub.changed_comments"  # reactions changed: later versions may show them
# What changes the wording a reader sees; an assignment or a decision changes none of it.
_WORDING = ("body", "proposed_text", "quote_exact", "deleted_at", "hidden_at", "state",
            "visibility", "section_id", "question_id")  # fmt: skip


def watch() -> None:
    """Listen to every session's flushes (once per process, however many apps are made)."""
    if not event.contains(Session, "after_flush", _note_written):
        event.listen(Session, "after_flush", _note_written)
        event.listen(Session, "after_flush_postexec", _move_on)


def bump(session: DbSession, version_ids: Iterable[int], *, texts: bool = True) -> None:
    """Give ``version_ids`` a new revision: for writes that bypass the ORM's flush (bulk
    inserts of bench data or an import; ``texts=False`` for a decision, which rewords
    nothing)."""
    ids = sorted(set(version_ids))
    if ids:
        session.execute(_bump_statement(Version.id.in_(ids), texts=texts))


def _note_written(session: Session, _context: Any) -> None:
    # In after_flush the new, dirty and deleted sets still hold what was just written, and
    # a new reaction's section_id is filled in.
    written = [
        obj
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, Comment) and obj.section_id is not None
    ]
    if written:
        session.info.setdefault(_PENDING, set()).update(obj.section_id for obj in written)
        reworded = {obj.section_id for obj in written if _reworded(session, obj)}
        session.info.setdefault(_REWORDED, set()).update(reworded)
        changed = {obj.id for obj in written if obj not in session.new and obj.id is not None}
        session.info.setdefault(_CHANGED, set()).update(changed)


def _reworded(session: Session, comment: Comment) -> bool:
    if comment in session.new or comment in session.deleted:
        return True
    state = inspect(comment)
    return any(state.attrs[name].history.has_changes() for name in _WORDING)


def _move_on(session: Session, _context: Any) -> None:
    section_ids = session.info.pop(_PENDING, None)
    reworded = session.info.pop(_REWORDED, set())
    changed = session.info.pop(_CHANGED, set())
    if not section_ids:
        return
    for ids, texts in ((section_ids - reworded, False), (reworded, True)):
        if ids:
            versions = select(Section.version_id).where(Section.id.in_(sorted(ids)))
            session.connection().execute(_bump_statement(Version.id.in_(versions), texts=texts))
    if changed:  # the later versions it was carried into show it too (hidden, decided…)
        later = select(CarriedReaction.version_id).where(
            CarriedReaction.comment_id.in_(sorted(changed))
        )
        session.connection().execute(_bump_statement(Version.id.in_(later), texts=True))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Version):  # read again when next asked for
            session.expire(obj, ["feedback_revision", "texts_revision"])


def _bump_statement(where: Any, *, texts: bool) -> Any:
    values = {"feedback_revision": secrets.randbits(31)}
    if texts:
        values["texts_revision"] = secrets.randbits(31)
    return update(Version).where(where).values(values).execution_options(synchronize_session=False)
