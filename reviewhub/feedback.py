"""Reactions on sections and passages: posting, threads, editing, moderation, finding them.
Callers commit; everything here only adds to the session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import audit
from .models import (
    Comment,
    CommentKind,
    CommentReport,
    CommentRevision,
    CommentState,
    CommentVisibility,
    Document,
    Group,
    Role,
    Section,
    User,
    Version,
)
from .permissions import Action, can
from .text.anchoring import Anchor, AnchorError, locate
from .text.words import word_diff

MAX_BODY_LENGTH = 2000
MAX_REASON_LENGTH = 500
OFFICIAL_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ADMIN)

# Light Markdown for reactions: emphasis, lists, links and paragraphs; no headings, images,
# tables or raw HTML (shown as text).
_LIGHT_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable(
    ["heading", "lheading", "image", "table", "fence", "code", "hr", "html_block", "html_inline"]
)


class FeedbackError(ValueError):
    """Refused; ``str()`` says why. Nothing was stored."""


def render_body(body: str) -> str:
    return _LIGHT_MARKDOWN.render(body)


@dataclass(frozen=True)
class Passage:
    """What the form says about the passage; the server checks it against the section."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None


@dataclass(frozen=True)
class NewComment:
    kind: CommentKind | None
    body: str
    client_token: str
    group_id: int | None = None
    visibility: CommentVisibility = CommentVisibility.PUBLIC
    passage: Passage | None = None
    proposed_text: str | None = None


def post_comment(
    session: Session,
    author: User,
    section: Section,
    new: NewComment,
    parent: Comment | None = None,
) -> Comment:
    """Store a reaction (or a reply to ``parent``). A form sent twice returns the comment the
    first one stored."""
    earlier = session.scalar(
        select(Comment).where(
            Comment.author_id == author.id, Comment.client_token == new.client_token
        )
    )
    if earlier is not None:
        return earlier
    if not can(author, Action.COMMENT, section.version):
        raise FeedbackError(_closed_message(section.version))
    body = _checked_body(new.body)
    group = _checked_group(author, new.group_id, required=parent is None)
    anchor = _checked_anchor(section, new.passage) if new.passage else None
    proposed = normalised_text(new.proposed_text) or None
    if proposed and (anchor is None or new.kind is not CommentKind.SUGGESTION):
        raise FeedbackError(
            gettext("New wording can only be proposed in a suggestion on a selected passage.")
        )
    if parent is None and new.kind is None:
        raise FeedbackError(gettext("Choose what kind of reaction this is."))
    document = section.version.document
    comment = Comment(
        section=section,
        parent=parent,
        author=author,
        group=group,
        kind=new.kind if parent is None else None,
        body=body,
        proposed_text=proposed,
        visibility=parent.visibility if parent else new.visibility,
        state=CommentState.PENDING
        if document.premoderation and not can(author, Action.MODERATE, document)
        else CommentState.PUBLISHED,
        official=parent is not None and author.role in OFFICIAL_ROLES,
        client_token=new.client_token,
    )
    if comment.visibility is CommentVisibility.GROUP and group is None:
        raise FeedbackError(gettext("A reaction for your group only needs a group."))
    if anchor is not None:
        comment.quote_exact, comment.quote_prefix, comment.quote_suffix = (
            anchor.exact, anchor.prefix, anchor.suffix
        )  # fmt: skip
        comment.quote_start, comment.quote_end = anchor.start, anchor.end
    session.add(comment)
    session.flush()
    return comment


def _closed_message(version: Version) -> str:
    return gettext(
        "Reacting to %(label)s is not possible (any more): the version is not open for "
        "feedback, or your account may not react.",
        label=version.label,
    )


def normalised_text(text: str | None) -> str:
    """Text from a form as it is measured and stored: stripped, each line break one LF.
    Browsers send a textarea's line breaks as CRLF yet count them as one character, as does
    the counter (annotate.js ``serverLength``): measured raw, a reaction the counter accepted
    would be refused."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _checked_body(body: str) -> str:
    body = normalised_text(body)
    if not body:
        raise FeedbackError(gettext("Write your reaction."))
    if len(body) > MAX_BODY_LENGTH:
        raise FeedbackError(
            gettext(
                "Your reaction has %(count)d characters; at most %(limit)d fit. Shorten it "
                "and send it again: your text is kept below.",
                count=len(body),
                limit=MAX_BODY_LENGTH,
            )
        )
    return body


def _checked_group(author: User, group_id: int | None, *, required: bool) -> Group | None:
    groups = {m.group_id: m.group for m in author.memberships if m.group.active}
    if group_id is None:
        if required and author.role is Role.PARTNER:
            if not groups:
                raise FeedbackError(
                    gettext("You are not in a group yet; ask an administrator to add you.")
                )
            raise FeedbackError(gettext("Choose on behalf of which group you react."))
        return None
    if group_id not in groups:
        raise FeedbackError(gettext("You can only react on behalf of your own groups."))
    return groups[group_id]


def _checked_anchor(section: Section, passage: Passage) -> Anchor:
    try:
        return locate(section.text, passage.exact, passage.prefix, passage.suffix, passage.start)
    except AnchorError as error:
        raise FeedbackError(str(error)) from error


def edit_comment(
    session: Session, editor: User, comment: Comment, body: str, proposed_text: str | None
) -> None:
    if not can(editor, Action.EDIT_COMMENT, comment):
        raise FeedbackError(why_not_editable(comment))
    body = _checked_body(body)
    proposed = normalised_text(proposed_text) or None if comment.proposed_text else None
    if body == comment.body and proposed == comment.proposed_text:
        return
    session.add(
        CommentRevision(comment=comment, body=comment.body, proposed_text=comment.proposed_text)
    )
    comment.body, comment.proposed_text = body, proposed
    comment.edited_at = datetime.now(UTC)


def why_not_editable(comment: Comment) -> str:
    """Why its author may not edit ``comment`` (``can`` only says that they may not)."""
    if comment.is_hidden:
        return gettext("A moderator has hidden this reaction, so it can no longer be edited.")
    return gettext("This reaction can no longer be changed: someone replied, or it is closed.")


def delete_comment(session: Session, actor: User, comment: Comment) -> None:
    """Soft delete: the thread keeps its place and its replies."""
    if not can(actor, Action.DELETE_COMMENT, comment):
        raise FeedbackError(gettext("You cannot delete this reaction."))
    comment.deleted_at = datetime.now(UTC)


# Moderation ---------------------------------------------------------------------------------


def _document_of(comment: Comment) -> Document:
    return comment.section.version.document


def hide_comment(session: Session, moderator: User, comment: Comment, reason: str) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(gettext("Only moderators can hide reactions."))
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(gettext("Give a reason for hiding the reaction."))
    comment.hidden_reason = reason[:MAX_REASON_LENGTH]
    comment.hidden_at, comment.hidden_by_id = datetime.now(UTC), moderator.id
    _resolve_reports(comment)
    audit.record(session, moderator, "comment.hidden", comment, reason[:200])


def restore_comment(session: Session, moderator: User, comment: Comment) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(gettext("Only moderators can restore reactions."))
    comment.hidden_at = comment.hidden_by_id = comment.hidden_reason = None
    audit.record(session, moderator, "comment.restored", comment)


def approve_comment(session: Session, moderator: User, comment: Comment) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(gettext("Only moderators can approve reactions."))
    comment.state = CommentState.PUBLISHED
    _resolve_reports(comment)
    audit.record(session, moderator, "comment.approved", comment)


def report_comment(session: Session, reporter: User, comment: Comment, reason: str) -> None:
    if not can(reporter, Action.REPORT_COMMENT, comment):
        raise FeedbackError(gettext("You cannot report this reaction."))
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(gettext("Say briefly what is wrong with the reaction."))
    session.add(CommentReport(comment=comment, reporter=reporter, reason=reason[:1000]))
    audit.record(session, reporter, "comment.reported", comment, reason[:200])


def _resolve_reports(comment: Comment) -> None:
    for report in comment.reports:
        report.resolved_at = report.resolved_at or datetime.now(UTC)


def set_premoderation(session: Session, moderator: User, document: Document, on: bool) -> None:
    if not can(moderator, Action.MODERATE, document):
        raise FeedbackError(gettext("Only moderators can switch pre-moderation."))
    if document.premoderation is not on:
        document.premoderation = on
        audit.record(
            session, moderator, "document.premoderation_" + ("on" if on else "off"), document,
            document.title,
        )  # fmt: skip


# Reading ------------------------------------------------------------------------------------


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
    session: Session, viewer: Any, version: Version, criteria: CommentFilter | None = None
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


def suggestion_diff(comment: Comment) -> list[tuple[int, str]]:
    """The proposed wording against the quoted passage, word by word."""
    return word_diff(comment.quote_exact or "", comment.proposed_text or "")


def comments_by(session: Session, author: User) -> list[Comment]:
    """Everything ``author`` wrote, newest first, for /me/feedback."""
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.author_id == author.id)
            .options(
                selectinload(Comment.section).selectinload(Section.version),
                selectinload(Comment.replies),
            )
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        )
    )


def groups_reacting(session: Session, viewer: Any, version: Version) -> list[Group]:
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


def moderation_queue(session: Session, document: Document) -> list[Comment]:
    """Reactions waiting for approval, and reported ones not yet looked at."""
    return list(
        session.scalars(
            select(Comment)
            .join(Section, Comment.section_id == Section.id)
            .join(Version, Section.version_id == Version.id)
            .where(Version.document_id == document.id)
            .where(
                (Comment.state == CommentState.PENDING)
                | Comment.reports.any(CommentReport.resolved_at.is_(None))
            )
            .order_by(Comment.created_at)
        )
    )
