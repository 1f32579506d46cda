"""The feedback trail of a section: per version, how many reactions were made on it and how
they were decided, and which reactions each version took in there. Counts in grouped queries
and a short list per version, whatever the number of reactions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ..dbtypes import DbSession
from ..models import Comment, Disposition, Document
from .queries import readable_filter

TAKEN_IN_SHOWN = 10  # references listed per version; the rest is counted


@dataclass(frozen=True)
class TakenIn:
    comment_id: int
    reference: str


@dataclass
class SectionTrail:
    """The feedback of one section in one version."""

    by_status: dict[Disposition, int] = field(default_factory=dict)  # made on it
    taken_in: list[TakenIn] = field(default_factory=list)  # the first TAKEN_IN_SHOWN
    taken_in_total: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def section_trail(
    session: DbSession,
    viewer: Any,
    document: Document,
    section_ids: Collection[int],
    taken_in_at: Collection[tuple[int, str]],
) -> tuple[dict[int, SectionTrail], dict[int, SectionTrail]]:
    """The reactions ``viewer`` may read made on each of ``section_ids`` (by status), and
    those taken in by each (version id, section key) of ``taken_in_at``. Returns both by
    section id and by version id."""
    readable = readable_filter(viewer, document)
    made: dict[int, SectionTrail] = {section: SectionTrail() for section in section_ids}
    counts = session.execute(
        select(Comment.section_id, Comment.disposition, func.count())
        .where(Comment.section_id.in_(sorted(section_ids)), Comment.parent_id.is_(None),
               Comment.deleted_at.is_(None), readable)
        .group_by(Comment.section_id, Comment.disposition)
    )  # fmt: skip
    for section, disposition, count in counts:
        made[section].by_status[disposition] = count
    return made, _taken_in(session, readable, taken_in_at)


def _taken_in(
    session: DbSession, readable: Any, taken_in_at: Collection[tuple[int, str]]
) -> dict[int, SectionTrail]:
    trails: dict[int, SectionTrail] = {}
    for version_id, key in taken_in_at:  # a section is in a handful of versions
        where = (Comment.taken_in_version_id == version_id, Comment.taken_in_section_key == key,
                 Comment.parent_id.is_(None), readable)  # fmt: skip
        trail = SectionTrail(taken_in_total=session.scalar(select(func.count()).where(*where)) or 0)
        if trail.taken_in_total:
            rows = session.execute(
                select(Comment.id, Comment.reference).where(*where).order_by(Comment.id)
                .limit(TAKEN_IN_SHOWN)
            )  # fmt: skip
            trail.taken_in = [TakenIn(id_, reference or "") for id_, reference in rows]
        trails[version_id] = trail
    return trails
