"""Reactions follow the text: when a version is published, every top-level reaction of the
previous public version (its own, and those carried into it) is carried into the new one,
to the section that continues its section (stable keys: ``Section.predecessor``), with its
passage found again in that section's new text (text.anchoring.reanchor).

Each carried reaction gets a state (models.CarryState). Nothing is ever dropped: a reaction
whose section is gone is carried as "section removed" into every later version, and an
orphaned passage stays an orphan. Carrying runs in the publication's transaction, so a failed
publication leaves nothing half carried, and carrying twice adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import insert, select, true
from sqlalchemy.orm import selectinload

from ..dbtypes import DbSession
from ..models import (
    CarriedReaction,
    CarryState,
    Comment,
    Document,
    Section,
    Version,
    VersionStatus,
)
from ..text.anchoring import AnchorFound, anchor_at, reanchor
from . import revisions
from .hints import incorporation_hint


@dataclass(frozen=True)
class Place:
    """Where a reaction lies in one version: its section (None: removed) and passage."""

    comment_id: int
    section_id: int | None
    exact: str | None  # None: a reaction on the whole section
    start: int | None
    end: int | None
    orphaned: bool = False
    proposed: str | None = None  # a suggestion's wording: its incorporation hint looks for it


def places_in(session: DbSession, version: Version) -> list[Place]:
    """The top-level reactions on ``version``: those made on it and those carried into it."""
    own = session.execute(
        select(Comment.id, Comment.section_id, Comment.quote_exact, Comment.quote_start,
               Comment.quote_end, Comment.proposed_text)
        .where(Comment.version_id == version.id, Comment.parent_id.is_(None))
    )  # fmt: skip
    carried = session.execute(
        select(CarriedReaction.comment_id, CarriedReaction.section_id,
               CarriedReaction.quote_exact, CarriedReaction.quote_start,
               CarriedReaction.quote_end, CarriedReaction.state, Comment.proposed_text)
        .join(Comment, Comment.id == CarriedReaction.comment_id)
        .where(CarriedReaction.version_id == version.id)
    )  # fmt: skip
    return [
        *(Place(*row[:5], proposed=row[5]) for row in own),
        *(Place(*row[:5], orphaned=row[5] is CarryState.ORPHANED, proposed=row[6])
          for row in carried),
    ]  # fmt: skip


def carry_forward(session: DbSession, new_version: Version, previous: Version | None) -> int:
    """Carry the reactions on ``previous`` into ``new_version`` (whose sections are stored);
    returns how many were carried now (those carried before are left as they are)."""
    if previous is None:
        return 0
    done = set(
        session.scalars(
            select(CarriedReaction.comment_id).where(CarriedReaction.version_id == new_version.id)
        )
    )
    places = [place for place in places_in(session, previous) if place.comment_id not in done]
    if not places:
        return 0
    old_texts, successors = _sections(session, previous, new_version)
    rows = [_carried(place, old_texts, successors, new_version.id) for place in places]
    session.execute(insert(CarriedReaction), rows)
    revisions.bump(session, [new_version.id])  # written past the ORM: what it keeps is stale
    return len(rows)


def _sections(
    session: DbSession, previous: Version, new_version: Version, only: int | None = None
) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[int, str, str]]]:
    """The previous version's section texts (id → text, content hash), and each of its
    sections' successor in the new version (old id → new id, text, content hash); ``only``:
    for that one section of the previous version."""
    old = session.execute(
        select(Section.id, Section.text, Section.content_hash).where(
            Section.version_id == previous.id, true() if only is None else Section.id == only
        )
    )
    new = session.execute(
        select(Section.predecessor_id, Section.id, Section.text, Section.content_hash).where(
            Section.version_id == new_version.id,
            Section.predecessor_id.is_not(None) if only is None else Section.predecessor_id == only,
        )
    )
    return (
        {id_: (text, digest) for id_, text, digest in old},
        {old: (id_, text, digest) for old, id_, text, digest in new if old is not None},
    )


def _carried(
    place: Place,
    old_texts: dict[int, tuple[str, str]],
    successors: dict[int, tuple[int, str, str]],
    version_id: int,
) -> dict[str, object]:
    row: dict[str, object] = {"comment_id": place.comment_id, "version_id": version_id,
                              "section_id": None, "state": CarryState.SECTION_REMOVED}  # fmt: skip
    successor = successors.get(place.section_id) if place.section_id is not None else None
    if successor is None:
        return row
    new_id, new_text, new_digest = successor
    old_text, old_digest = old_texts[place.section_id]  # type: ignore[index]
    row["section_id"] = new_id
    same_text = new_digest == old_digest
    if place.orphaned:  # an orphan stays one; its hint was given where it became one
        return {**row, "state": CarryState.ORPHANED}
    if place.exact is None:  # on the whole section
        row["state"] = CarryState.UNCHANGED if same_text else CarryState.CHANGED
    else:
        row.update(_passage(place, old_text, new_text, same_text))
    if not same_text:
        start, end = row.get("quote_start"), row.get("quote_end")
        span = (start, end) if isinstance(start, int) and isinstance(end, int) else None
        row["hint"] = incorporation_hint(
            old_text, new_text, place.proposed, row["state"], place.exact, span,  # type: ignore[arg-type]
        )  # fmt: skip
    return row


def _passage(place: Place, old_text: str, new_text: str, same_text: bool) -> dict[str, object]:
    """The passage's place and state in the section's new text."""
    assert place.exact is not None
    if same_text:
        return {"state": CarryState.UNCHANGED, "quote_exact": place.exact,
                "quote_start": place.start, "quote_end": place.end}  # fmt: skip
    prefix, suffix = _context(old_text, place)
    found = reanchor(new_text, place.exact, prefix, suffix, place.start)
    if found.anchor is None:
        return {"state": CarryState.ORPHANED}
    state = CarryState.UNCHANGED if found.found is AnchorFound.EXACT else CarryState.CHANGED
    return {"state": state, "quote_exact": found.anchor.exact, "quote_start": found.anchor.start,
            "quote_end": found.anchor.end, "similarity": found.similarity}  # fmt: skip


def _context(text: str, place: Place) -> tuple[str, str]:
    """The prefix and suffix around the passage in the text it was last placed in."""
    start, end = place.start, place.end
    if start is None or end is None or not 0 <= start < end <= len(text):
        return "", ""
    if text[start:end] != place.exact:
        return "", ""
    anchor = anchor_at(text, start, end)
    return anchor.prefix, anchor.suffix


def carry_new_reaction(session: DbSession, comment: Comment) -> int:
    """A reaction just posted on a version that later public versions follow (an older
    version still open): carried into each of them at once, as publishing would have.
    Returns into how many versions."""
    version = comment.section.version
    if version.status is VersionStatus.DRAFT:
        return 0
    later = session.scalars(
        select(Version)
        .where(
            Version.document_id == version.document_id,
            Version.number > version.number,
            Version.status != VersionStatus.DRAFT,
        )
        .order_by(Version.number)
    ).all()
    place = Place(comment.id, comment.section_id, comment.quote_exact, comment.quote_start,
                  comment.quote_end, proposed=comment.proposed_text)  # fmt: skip
    previous = version
    for target in later:
        if place.section_id is None:
            row = _carried(place, {}, {}, target.id)
        else:
            row = _carried(place, *_sections(session, previous, target, place.section_id),
                           target.id)  # fmt: skip
        session.execute(insert(CarriedReaction), [row])
        place = _place_of(place, row)
        previous = target
    revisions.bump(session, [target.id for target in later])
    return len(later)


def _place_of(place: Place, row: dict[str, object]) -> Place:
    """Where the reaction at ``place`` lies in the version ``row`` carried it into."""
    return Place(
        place.comment_id,
        row["section_id"],  # type: ignore[arg-type]
        row.get("quote_exact"),  # type: ignore[arg-type]
        row.get("quote_start"),  # type: ignore[arg-type]
        row.get("quote_end"),  # type: ignore[arg-type]
        orphaned=row["state"] is CarryState.ORPHANED,
        proposed=place.proposed,
    )


def carry_all(session: DbSession, document: Document) -> int:
    """Carry every reaction of ``document`` as far as its public versions go, oldest version
    first (for reactions made before carrying existed, or on a version after a later one was
    published); returns how many were carried now. Carrying twice adds nothing."""
    versions = session.scalars(
        select(Version)
        .where(Version.document_id == document.id, Version.status != VersionStatus.DRAFT)
        .order_by(Version.number)
    ).all()
    return sum(carry_forward(session, later, earlier) for earlier, later in pairwise(versions))


def path_of(session: DbSession, comment: Comment) -> list[CarriedReaction]:
    """Where ``comment`` went in the later versions, oldest first: its section, passage,
    state and hint in each (one row per version it was carried into)."""
    return list(
        session.scalars(
            select(CarriedReaction)
            .join(Version, Version.id == CarriedReaction.version_id)
            .where(CarriedReaction.comment_id == comment.id)
            .order_by(Version.number)
            .options(selectinload(CarriedReaction.version), selectinload(CarriedReaction.section))
        )
    )
