"""Finding reactions: the threads of a version as a viewer may see them, filters, a person's
own reactions, the groups that reacted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..dbtypes import DbSession
from ..models import Comment, CommentKind, Group, Section, User, Version
from ..permissions import Action, can


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


def version_threads(
    session: DbSession, viewer: Any, version: Version, criteria: CommentFilter | None = None
) -> dict[int, list[Thread]]:
    """The threads under each section (by section id) that ``viewer`` may see, filtered."""
    criteria = criteria or CommentFilter()
    comments = session.scalars(
        select(Comment)
        .join(Section, Comment.section_id == Section.id)
        .where(Section.version_id == version.id)
        .options(
            selectinload(Comment.author).selectinload(User.memberships),
            selectinload(Comment.group),
            selectinload(Comment.replies),
            selectinload(Comment.revisions),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    readable = [c for c in comments if can(viewer, Action.READ_COMMENT, c)]
    replies: dict[int, list[Comment]] = defaultdict(list)
    for comment in readable:
        if comment.parent_id is not None:
            replies[comment.parent_id].append(comment)
    threads: dict[int, list[Thread]] = defaultdict(list)
    for comment in readable:
        if comment.parent_id is None and _matches(viewer, comment, replies[comment.id], criteria):
            threads[comment.section_id].append(Thread(comment, replies[comment.id]))
    return threads


def _matches(viewer: Any, comment: Comment, replies: list[Comment], f: CommentFilter) -> bool:
    viewer_id = getattr(viewer, "id", None)
    return (
        (f.kind is None or comment.kind is f.kind)
        and (f.group_id is None or comment.group_id == f.group_id)
        and (not f.mine or comment.author_id == viewer_id)
        and (not f.unanswered or not any(not r.is_deleted for r in replies))
    )


def thread_count(threads: list[Thread]) -> int:
    """Reactions in the threads, replies included: the number on a section's badge."""
    return sum(1 + len(thread.replies) for thread in threads)


def comments_by_query(author: User) -> Select[Comment]:
    """Everything ``author`` wrote, newest first, for /me/feedback: a statement that a page
    or an API can page through."""
    return (
        select(Comment)
        .where(Comment.author_id == author.id)
        .options(
            selectinload(Comment.section).selectinload(Section.version),
            selectinload(Comment.replies),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def comments_by(session: DbSession, author: User) -> list[Comment]:
    return list(session.scalars(comments_by_query(author)))


def groups_reacting(session: DbSession, viewer: Any, version: Version) -> list[Group]:
    """The groups of the reactions on this version that ``viewer`` may read: choices for the
    group filter. Counting the others would show that a group reacted for itself only."""
    comments = session.scalars(
        select(Comment)
        .join(Section, Comment.section_id == Section.id)
        .where(Section.version_id == version.id, Comment.group_id.is_not(None))
        .options(selectinload(Comment.group))
    )
    groups = {c.group_id: c.group for c in comments if can(viewer, Action.READ_COMMENT, c)}
    return sorted((g for g in groups.values() if g is not None), key=lambda g: g.name)
