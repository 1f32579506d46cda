"""A group's position, prepared and sent. A region or workgroup first collects its members'
reactions on a section (most of them for the group only); its coordinator then composes the
group's position from them (selecting, merging, editing), keeps it "in voorbereiding", and
sends it. The first sending posts the group's official reaction for the review group, linked
to the member reactions it came from; sending again after an edit makes the next edition and
rewords that reaction, every edition kept so that the difference can be shown. Every function
checks everything before it changes anything: a refusal stores nothing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..dbtypes import DbSession
from ..models import (
    Comment,
    CommentKind,
    CommentRevision,
    CommentVisibility,
    Group,
    GroupPosition,
    PositionEdition,
    Section,
    User,
    Version,
)
from ..permissions import Action, can
from ..text.words import word_diff
from .display import render_body
from .errors import FeedbackError
from .posting import MAX_BODY_LENGTH, NewComment, normalised_text, post_comment

MAX_POSITION_LENGTH = MAX_BODY_LENGTH  # sent as a reaction: the same limit


class PositionError(FeedbackError):
    """A position not saved or sent; nothing was stored."""


@dataclass(frozen=True)
class Draft:
    """What the coordinator's form sends."""

    kind: CommentKind
    body: str
    source_ids: Collection[int] = ()


# Reading ------------------------------------------------------------------------------------


def member_reactions_query(group: Group, section: Section) -> Select[Comment]:
    """The reactions posted for ``group`` on ``section`` (its members', group-only or not),
    oldest first, without the position as sent and without deleted ones."""
    return (
        select(Comment)
        .where(
            Comment.section_id == section.id,
            Comment.group_id == group.id,
            Comment.parent_id.is_(None),
            Comment.position_edition.is_(None),
            Comment.deleted_at.is_(None),
        )
        .options(selectinload(Comment.author))
        .order_by(Comment.id)
    )


def position_of(session: DbSession, group: Group, section: Section) -> GroupPosition | None:
    return session.scalar(
        select(GroupPosition)
        .where(GroupPosition.group_id == group.id, GroupPosition.section_id == section.id)
        .options(
            selectinload(GroupPosition.editions).selectinload(PositionEdition.sent_by),
            selectinload(GroupPosition.sources),
            selectinload(GroupPosition.comment),
        )
    )


def position_sent_as(session: DbSession, comment: Comment) -> GroupPosition | None:
    """The group position that ``comment`` is the sent form of (None for other reactions)."""
    if comment.position_edition is None:
        return None
    return session.scalar(
        select(GroupPosition)
        .where(GroupPosition.comment_id == comment.id)
        .options(
            selectinload(GroupPosition.editions).selectinload(PositionEdition.sent_by),
            selectinload(GroupPosition.sources),
        )
    )


@dataclass(frozen=True)
class SectionOverview:
    """A section of the version as the group's overview lists it."""

    section_id: int
    member_reactions: int
    position: GroupPosition | None


def overview(session: DbSession, group: Group, version: Version) -> list[SectionOverview]:
    """The sections of ``version`` on which ``group`` has member reactions or a position, in
    the version's order: two queries, whatever the number of reactions."""
    rows = session.execute(
        select(Comment.section_id, func.count())
        .where(Comment.version_id == version.id, Comment.group_id == group.id,
               Comment.parent_id.is_(None), Comment.position_edition.is_(None),
               Comment.deleted_at.is_(None))
        .group_by(Comment.section_id)
    )  # fmt: skip
    counts: dict[int, int] = {section: count for section, count in rows}
    positions = {
        position.section_id: position
        for position in session.scalars(
            select(GroupPosition)
            .where(GroupPosition.version_id == version.id, GroupPosition.group_id == group.id)
            .options(selectinload(GroupPosition.editions))
        )
    }
    shown = set(counts) | set(positions)
    order = session.execute(
        select(Section.id).where(Section.id.in_(sorted(shown))).order_by(Section.position)
    ).scalars()
    return [SectionOverview(id_, counts.get(id_, 0), positions.get(id_)) for id_ in order]


def merged_text(current: str, sources: Sequence[Comment]) -> str:
    """The position's text with the wording of ``sources`` added below it, each on its own
    paragraph: the start of merging, which the coordinator then edits."""
    parts = [current.strip()] if current.strip() else []
    parts += [source.body.strip() for source in sources if source.body.strip() not in current]
    return "\n\n".join(parts)


def edition_diff(position: GroupPosition, number: int) -> list[tuple[int, str]]:
    """Edition ``number`` against the one before it, word by word (the first: all new)."""
    editions = {edition.number: edition for edition in position.editions}
    before = editions.get(number - 1)
    return word_diff(before.body if before else "", editions[number].body)


def editions_newest_first(
    position: GroupPosition | None,
) -> list[tuple[PositionEdition, list[tuple[int, str]]]]:
    """The editions sent, the latest first, each with its diff against the one before."""
    if position is None:
        return []
    return [(e, edition_diff(position, e.number)) for e in reversed(position.editions)]


def pending_diff(position: GroupPosition) -> list[tuple[int, str]]:
    """What the prepared text changes against the last edition sent."""
    last = position.last_edition
    return word_diff(last.body if last else "", position.body)


# Writing ------------------------------------------------------------------------------------


def save_position(
    session: DbSession, coordinator: User, group: Group, section: Section, draft: Draft
) -> GroupPosition:
    """Keep the group's position on ``section`` as ``draft`` says, "in voorbereiding"."""
    _check_coordinator(coordinator, group, section)
    body = normalised_text(draft.body)
    if not body:
        raise PositionError(lazy_gettext("Write the group's position first."))
    if len(body) > MAX_POSITION_LENGTH:
        raise PositionError(
            lazy_gettext(
                "The position has %(count)d characters; at most %(limit)d fit. Shorten it: "
                "your text is kept below.",
                count=len(body), limit=MAX_POSITION_LENGTH,
            )
        )  # fmt: skip
    sources = _checked_sources(session, group, section, draft.source_ids)
    position = position_of(session, group, section)
    if position is None:
        position = GroupPosition(group=group, section=section, version_id=section.version_id,
                                 kind=draft.kind, body=body)  # fmt: skip
        session.add(position)
    position.kind, position.body, position.sources = draft.kind, body, sources
    position.updated_at, position.updated_by = datetime.now(UTC), coordinator
    session.flush()
    return position


def send_position(
    session: DbSession, coordinator: User, position: GroupPosition
) -> PositionEdition:
    """Send the position as it is prepared: edition 1 posts the group's official reaction,
    each later one rewords it (its earlier wording kept, as for any edit)."""
    _check_coordinator(coordinator, position.group, position.section)
    if not position.in_preparation:
        last = position.last_edition
        raise PositionError(
            lazy_gettext(
                "Nothing changed since edition %(number)d; edit the position to send a new one.",
                number=last.number if last else 0,
            )
        )
    number = (position.last_edition.number if position.last_edition else 0) + 1
    if position.comment is None:
        position.comment = _post_reaction(session, coordinator, position)
    else:
        _reword(position.comment, position)
    position.comment.position_edition = number
    edition = PositionEdition(
        position=position, number=number, kind=position.kind, body=position.body,
        body_html=render_body(position.body), sent_by=coordinator,
    )  # fmt: skip
    session.add(edition)
    audit.record(
        session, coordinator, "position.sent", position.comment,
        f"{position.group.name}: {position.comment.reference} ({number})",
        edition=number, group=position.group.name,
    )  # fmt: skip
    session.flush()
    return edition


def _post_reaction(session: DbSession, coordinator: User, position: GroupPosition) -> Comment:
    new = NewComment(
        position.kind, position.body, group_id=position.group_id,
        visibility=CommentVisibility.PUBLIC, client_token=f"position-{position.id}",
    )  # fmt: skip
    return post_comment(session, coordinator, position.section, new)


def _reword(comment: Comment, position: GroupPosition) -> None:
    """The group's reaction takes the new edition's wording; the old one is kept as for any
    edit (the edition holds it as well)."""
    comment.revisions.append(
        CommentRevision(body=comment.body, proposed_text=comment.proposed_text)
    )
    comment.body, comment.body_html = position.body, render_body(position.body)
    comment.kind = position.kind
    comment.edited_at = datetime.now(UTC)


def _check_coordinator(coordinator: User, group: Group, section: Section) -> None:
    if not can(coordinator, Action.COORDINATE, group):
        raise PositionError(lazy_gettext("Only the group's coordinators prepare its position."))
    if not can(coordinator, Action.COMMENT, section.version):
        raise PositionError(
            lazy_gettext(
                "%(label)s is not open for feedback: the position can no longer be sent.",
                label=section.version.label,
            )
        )


def _checked_sources(
    session: DbSession, group: Group, section: Section, ids: Collection[int]
) -> list[Comment]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = list(
        session.scalars(member_reactions_query(group, section).where(Comment.id.in_(wanted)))
    )
    if len(found) != len(wanted):
        raise PositionError(
            lazy_gettext("Only the group's own reactions on this section can be taken in.")
        )
    return found
