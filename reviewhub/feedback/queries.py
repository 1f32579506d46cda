"""Finding reactions: the threads of a version or of one section as a viewer may see them,
filters, counts per section, a person's own reactions, the groups that reacted. Who may read a
reaction is decided in SQL (``readable_filter``), so that a page fetches only what it shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from ..dbtypes import DbSession
from ..models import (
    CarriedReaction,
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    DecisionAnswer,
    Disposition,
    Document,
    Group,
    Section,
    User,
    Version,
)
from ..permissions import Action, can, comment_reading
from .decisions import OPEN

THREADS_PER_PAGE = 20  # a section's threads come in pages of this many


@dataclass
class CommentFilter:
    kind: CommentKind | None = None
    group_id: int | None = None
    mine: bool = False
    unanswered: bool = False

    @property
    def active(self) -> bool:
        return bool(self.kind or self.group_id or self.mine or self.unanswered)


@dataclass
class Thread:
    """A top-level reaction with the replies the viewer may see."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def readable_filter(viewer: Any, document: Document, comment: Any = Comment) -> ColumnElement[bool]:
    """The reactions on ``document`` that ``viewer`` may read, as a condition on ``comment``
    (the Comment entity or an alias of it): ``can(viewer, Action.READ_COMMENT, c)`` in SQL.
    Waiting reactions: their author and the moderators; group-only ones: their author, the
    thread's group and the moderators. Hidden and deleted ones are read, shown as such."""
    reading = comment_reading(viewer, document)
    if not reading.document:
        return false()
    if reading.moderator:
        return true()
    own = comment.author_id == reading.person_id if reading.person_id is not None else false()
    # A reply speaks for its author, not for the group: the thread's group reads it.
    parent = aliased(Comment)
    thread_group = case(
        (comment.parent_id.is_(None), comment.group_id),
        else_=select(parent.group_id).where(parent.id == comment.parent_id).scalar_subquery(),
    )
    in_group = thread_group.in_(sorted(reading.group_ids)) if reading.group_ids else false()
    return and_(
        or_(comment.state != CommentState.PENDING, own),
        or_(comment.visibility != CommentVisibility.GROUP, own, in_group),
    )


def reading_scope(session: DbSession, viewer: Any, version: Version) -> tuple[Any, ...]:
    """What decides which reactions on ``version`` ``viewer`` may read (``readable_filter``),
    as a key: viewers with the same scope see the same reactions, so what a page keeps for
    one serves the others. A person's own waiting or group-only reactions make the scope
    theirs alone; without such reactions, people in the same groups share one."""
    reading = comment_reading(viewer, version.document)
    if not reading.document:
        return ("none",)
    if reading.moderator:
        return ("all",)
    if reading.person_id is None:
        return ("public",)
    own_restricted = session.scalar(
        select(Comment.id)
        .where(
            Comment.author_id == reading.person_id,
            Comment.version_id == version.id,
            or_(
                Comment.state == CommentState.PENDING,
                Comment.visibility == CommentVisibility.GROUP,
            ),
        )
        .limit(1)
    )
    person = reading.person_id if own_restricted is not None else None
    return ("groups", tuple(sorted(reading.group_ids)), person)


def _matching(
    viewer: Any, document: Document, criteria: CommentFilter, comment: Any = Comment
) -> list[ColumnElement[bool]]:
    """The filter as conditions on the top-level reaction ``comment``."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.kind is not None:
        conditions.append(comment.kind == criteria.kind)
    if criteria.group_id is not None:
        conditions.append(comment.group_id == criteria.group_id)
    if criteria.mine:
        viewer_id = getattr(viewer, "id", None)
        conditions.append(comment.author_id == viewer_id if viewer_id is not None else false())
    if criteria.unanswered:
        # Unanswered: no reply the viewer may read that is still there.
        reply = aliased(Comment)
        conditions.append(
            ~exists().where(
                reply.parent_id == comment.id,
                reply.deleted_at.is_(None),
                readable_filter(viewer, document, reply),
            )
        )
    return conditions


def threads_query(
    viewer: Any,
    version: Version,
    criteria: CommentFilter | None = None,
    section: Section | None = None,
) -> Select[Comment]:
    """The top-level reactions on ``version`` (or on one of its sections) that ``viewer`` may
    read and that match ``criteria``, oldest first, with what showing them needs: a statement
    a page can page through (``with_replies`` then gives the threads)."""
    document = version.document
    query = select(Comment).where(Comment.parent_id.is_(None))
    if section is not None:
        query = query.where(Comment.section_id == section.id)
    else:
        query = query.where(Comment.version_id == version.id)
    return (
        query.where(
            readable_filter(viewer, document),
            *_matching(viewer, document, criteria or CommentFilter()),
        )
        .options(
            selectinload(Comment.author),
            selectinload(Comment.group),
            selectinload(Comment.replies).options(
                selectinload(Comment.author),
                selectinload(Comment.group),
                selectinload(Comment.replies),  # whether a reply may still be edited
            ),
            *_decision_loaders(),
        )
        .order_by(Comment.created_at, Comment.id)
    )


def with_decisions(query: Select[Comment]) -> Select[Comment]:
    """``query`` (top-level reactions) with what showing their decisions needs: for lists
    that show reactions through review/_comment.html besides the threads (moderation)."""
    return query.options(*_decision_loaders())


def _decision_loaders() -> tuple[Any, ...]:
    """What showing a reaction's decision and its answer needs (review/_comment.html). The
    many-to-one ones cost no statement while no reaction on the page has them."""
    return (
        selectinload(Comment.decided_by),
        selectinload(Comment.taken_in_version),
        selectinload(Comment.duplicate_of).selectinload(Comment.section),  # may one read it
        selectinload(Comment.changes),  # the decision as it stands, which the answer is to
        selectinload(Comment.answers).selectinload(DecisionAnswer.author),
        selectinload(Comment.attachments),
        selectinload(Comment.question),  # the consultation question it answers, if any
    )


def with_replies(viewer: Any, comments: Iterable[Comment]) -> list[Thread]:
    """Threads of the top-level reactions ``comments`` (as ``threads_query`` loads them), each
    with the replies ``viewer`` may read."""
    return [
        Thread(comment, [r for r in comment.replies if can(viewer, Action.READ_COMMENT, r)])
        for comment in comments
    ]


def version_threads(
    session: DbSession, viewer: Any, version: Version, criteria: CommentFilter | None = None
) -> dict[int, list[Thread]]:
    """The threads under each section (by section id) that ``viewer`` may see, filtered: all
    of them, for exports and the like; pages show one section's, a page at a time."""
    comments = session.scalars(threads_query(viewer, version, criteria)).all()
    threads: dict[int, list[Thread]] = defaultdict(list)
    for thread in with_replies(viewer, comments):
        threads[thread.comment.section_id].append(thread)
    return threads


@dataclass
class SectionCount:
    """The reactions under one section that a viewer may read."""

    reactions: int = 0  # replies included: the number on the section's badge
    threads: int = 0  # top-level reactions
    kinds: dict[CommentKind, int] = field(default_factory=dict)  # top-level ones by kind
    decided: int = 0  # top-level ones with a decision (not new, not in progress)
    earlier: int = 0  # reactions of earlier versions carried to this section


def section_counts(
    session: DbSession,
    viewer: Any,
    version: Version,
    criteria: CommentFilter | None = None,
    earlier: dict[int | None, int] | None = None,
) -> dict[int, SectionCount]:
    """Per section (by id), how many reactions ``viewer`` may read, in one grouped query:
    the threads that match ``criteria``, counted by kind, and with their readable replies;
    and the reactions of earlier versions carried to it (``earlier``: as earlier_counts
    gives them, when the caller has them already). Sections without any are left out."""
    document = version.document
    thread = aliased(Comment)  # the reaction itself, or the one a reply answers
    rows = session.execute(
        select(
            Comment.section_id,
            thread.kind,
            thread.disposition,
            func.count(),
            func.count(case((Comment.parent_id.is_(None), 1))),
        )
        .join(thread, thread.id == func.coalesce(Comment.parent_id, Comment.id))
        .where(
            Comment.version_id == version.id,
            thread.parent_id.is_(None),
            readable_filter(viewer, document),
            readable_filter(viewer, document, thread),
            *_matching(viewer, document, criteria or CommentFilter(), thread),
        )
        .group_by(Comment.section_id, thread.kind, thread.disposition)
    )
    counts: dict[int, SectionCount] = {}
    for section_id, kind, disposition, reactions, threads in rows:
        count = counts.setdefault(section_id, SectionCount())
        count.reactions += reactions
        count.threads += threads
        if kind is not None and threads:
            count.kinds[kind] = count.kinds.get(kind, 0) + threads
        if disposition not in OPEN:
            count.decided += threads
    carried = earlier_counts(session, viewer, version) if earlier is None else earlier
    for carried_to, number in carried.items():
        if carried_to is not None:
            counts.setdefault(carried_to, SectionCount()).earlier = number
    return counts


def thread_page(
    session: DbSession, viewer: Any, comment: Comment, per_page: int = THREADS_PER_PAGE
) -> int:
    """The page of its section's threads (unfiltered, as ``viewer`` sees them) that shows
    ``comment``, a reply on its thread's page."""
    thread = comment.parent or comment
    earlier = session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.section_id == thread.section_id,
            Comment.parent_id.is_(None),
            readable_filter(viewer, thread.section.version.document),
            or_(
                Comment.created_at < thread.created_at,
                and_(Comment.created_at == thread.created_at, Comment.id < thread.id),
            ),
        )
    )
    return (earlier or 0) // per_page + 1


def thread_count(threads: list[Thread]) -> int:
    """Reactions in the threads, replies included: the number on a section's badge."""
    return sum(1 + len(thread.replies) for thread in threads)


@dataclass
class FeedbackFilter:
    """Narrowing a list of reactions (one's own, a group's) by document, status and group."""

    document_id: int | None = None
    disposition: Disposition | None = None
    group_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.document_id or self.disposition or self.group_id)


def _carried_here(viewer: Any, version: Version) -> Select[Any]:
    return (
        select(CarriedReaction)
        .join(Comment, CarriedReaction.comment_id == Comment.id)
        .where(CarriedReaction.version_id == version.id, readable_filter(viewer, version.document))
    )


def earlier_counts(session: DbSession, viewer: Any, version: Version) -> dict[int | None, int]:
    """Per section of ``version`` (None: their section is removed), how many reactions of
    earlier versions carried to it ``viewer`` may read, in one grouped query (the filters
    choose among this version's own threads only)."""
    rows = session.execute(
        _carried_here(viewer, version)
        .with_only_columns(CarriedReaction.section_id, func.count())
        .group_by(CarriedReaction.section_id)
    )
    return {section_id: number for section_id, number in rows}


def earlier_reactions_query(
    viewer: Any, version: Version, section: Section | None
) -> Select[CarriedReaction]:
    """The reactions of earlier versions carried to ``section`` of ``version`` (None: those
    whose section this version no longer has) that ``viewer`` may read, in the order they
    were made, with what showing them (and their decision) needs."""
    at = (
        CarriedReaction.section_id == section.id
        if section is not None
        else CarriedReaction.section_id.is_(None)
    )
    return (
        _carried_here(viewer, version)
        .where(at)
        .options(
            selectinload(CarriedReaction.comment).options(
                selectinload(Comment.author),
                selectinload(Comment.group),
                selectinload(Comment.section).selectinload(Section.version),
                *_decision_loaders(),
            )
        )
        .order_by(Comment.id)
    )


def _feedback_list(query: Select[Comment], criteria: FeedbackFilter | None) -> Select[Comment]:
    """``query`` (reactions) filtered by ``criteria``, newest first, with what the list of
    reactions and their decisions shows."""
    criteria = criteria or FeedbackFilter()
    if criteria.document_id is not None:
        on_document = select(Version.id).where(Version.document_id == criteria.document_id)
        query = query.where(Comment.version_id.in_(on_document))
    if criteria.disposition is not None:  # replies have no status of their own
        query = query.where(
            Comment.parent_id.is_(None), Comment.disposition == criteria.disposition
        )
    if criteria.group_id is not None:
        query = query.where(Comment.group_id == criteria.group_id)
    return listed(query).order_by(Comment.created_at.desc(), Comment.id.desc())


def listed(query: Select[Comment]) -> Select[Comment]:
    """``query`` (reactions) with what a list of them and their decisions shows: where, who,
    the version that took it in, the decision as it stands and its answer."""
    return query.options(
        selectinload(Comment.section).selectinload(Section.version),
        selectinload(Comment.replies),
        selectinload(Comment.author),
        selectinload(Comment.taken_in_version),
        selectinload(Comment.changes),
        selectinload(Comment.answers).selectinload(DecisionAnswer.author),
        selectinload(Comment.question),
    )


def _by_author(author: User) -> Select[Comment]:
    return select(Comment).where(Comment.author_id == author.id)


def comments_by_query(author: User, criteria: FeedbackFilter | None = None) -> Select[Comment]:
    """Everything ``author`` wrote, newest first, for /me/feedback: a statement that a page
    or an API can page through."""
    return _feedback_list(_by_author(author), criteria)


def comments_by(session: DbSession, author: User) -> list[Comment]:
    return list(session.scalars(comments_by_query(author)))


def _for_group(viewer: User, group: Group) -> Select[Comment]:
    return select(Comment).where(
        Comment.group_id == group.id,
        Comment.parent_id.is_(None),
        Comment.deleted_at.is_(None),
        or_(Comment.state != CommentState.PENDING, Comment.author_id == viewer.id),
    )


def group_comments_query(
    viewer: User, group: Group, criteria: FeedbackFilter | None = None
) -> Select[Comment]:
    """The reactions posted for ``group`` (top-level ones: a reply speaks for its author), for
    a member's overview. Waiting ones only for their author, deleted ones not at all; whether
    the viewer may read each document is for the caller (``can``, per version)."""
    return _feedback_list(_for_group(viewer, group), criteria)


def documents_reacted_by(session: DbSession, author: User) -> list[Document]:
    """The documents ``author`` reacted on: the choices of the document filter."""
    return _documents_of(session, _by_author(author))


def documents_reacted_for(session: DbSession, viewer: User, group: Group) -> list[Document]:
    """The documents of the reactions for ``group`` that ``viewer`` sees listed."""
    return _documents_of(session, _for_group(viewer, group))


def _documents_of(session: DbSession, reactions: Select[Comment]) -> list[Document]:
    versions = reactions.with_only_columns(Comment.version_id)
    documents = select(Version.document_id).where(Version.id.in_(versions))
    return list(
        session.scalars(select(Document).where(Document.id.in_(documents)).order_by(Document.title))
    )


def groups_by_ids(session: DbSession, ids: Iterable[int]) -> list[Group]:
    """The groups with these ids, by name: kept lists hold ids, the names are read fresh."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(session.scalars(select(Group).where(Group.id.in_(wanted)).order_by(Group.name)))


def groups_reacting(session: DbSession, viewer: Any, version: Version) -> list[Group]:
    """The groups of the reactions on this version that ``viewer`` may read: choices for the
    group filter. Counting the others would show that a group reacted for itself only."""
    reacted = select(Comment.group_id).where(
        Comment.version_id == version.id,
        Comment.group_id.is_not(None),
        readable_filter(viewer, version.document),
    )
    return list(session.scalars(select(Group).where(Group.id.in_(reacted)).order_by(Group.name)))


def versions_of(session: DbSession, documents: Iterable[Document]) -> list[Version]:
    """The versions of ``documents``, by title and number, with their documents."""
    ids = sorted({document.id for document in documents})
    if not ids:
        return []
    return list(
        session.scalars(
            select(Version)
            .join(Document, Document.id == Version.document_id)
            .where(Version.document_id.in_(ids))
            .options(selectinload(Version.document))
            .order_by(Document.title, Version.number)
        )
    )


FEED_ENTRIES = 50  # the latest decisions a feed holds


def latest_decisions(viewer: Any, version: Version, limit: int = FEED_ENTRIES) -> Select[Comment]:
    """The reactions on ``version`` that ``viewer`` may read with a decision (not only "in
    progress"), the latest decision first: read along ix_comments_version_id_decided_at."""
    return (
        select(Comment)
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.decided_at.is_not(None),
            Comment.disposition.not_in(sorted(OPEN)),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            readable_filter(viewer, version.document),
        )
        .options(selectinload(Comment.section), selectinload(Comment.group))
        .order_by(Comment.decided_at.desc(), Comment.id.desc())
        .limit(limit)
    )
