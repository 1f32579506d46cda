"""Reacting: posting a reaction or reply, editing and deleting one's own. Callers commit;
everything here only adds to the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from ..dbtypes import DbSession
from ..models import (
    Comment,
    CommentKind,
    CommentRevision,
    CommentState,
    CommentVisibility,
    Group,
    Section,
    User,
    Version,
)
from ..permissions import Action, can, is_open_for_feedback
from ..text.anchoring import Anchor, AnchorError, locate
from .carrying import carry_new_reaction
from .display import render_body
from .errors import FeedbackError
from .questions import checked_question
from .references import assign_reference

MAX_BODY_LENGTH = 2000


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
    question_id: int | None = None  # the consultation question it answers (top level only)


def post_comment(
    session: DbSession,
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
        raise FeedbackError(closed_message(section.version))
    if parent is not None and parent.is_deleted:
        raise FeedbackError(
            lazy_gettext("Its author has deleted this reaction, so it can no longer be answered.")
        )
    body = _checked_body(new.body)
    group = _checked_group(author, section.version, new.group_id, reply=parent is not None)
    anchor = _checked_anchor(section, new.passage) if new.passage else None
    proposed = normalised_text(new.proposed_text) or None
    if proposed and (anchor is None or new.kind is not CommentKind.SUGGESTION):
        raise FeedbackError(
            lazy_gettext("New wording can only be proposed in a suggestion on a selected passage.")
        )
    if parent is None and new.kind is None:
        raise FeedbackError(lazy_gettext("Choose what kind of reaction this is."))
    question = checked_question(session, section, new.question_id) if parent is None else None
    document = section.version.document
    comment = Comment(
        section=section,
        parent=parent,
        author=author,
        group=group,
        kind=new.kind if parent is None else None,
        body=body,
        body_html=render_body(body),
        proposed_text=proposed,
        visibility=parent.visibility if parent else new.visibility,
        state=CommentState.PENDING
        if document.premoderation and not can(author, Action.MODERATE, document)
        else CommentState.PUBLISHED,
        official=parent is not None and can(author, Action.REPLY_OFFICIALLY, section.version),
        client_token=new.client_token,
        question=question,
    )
    # A reply takes its thread's visibility; the thread's group decides who reads it.
    if comment.visibility is CommentVisibility.GROUP and group is None and parent is None:
        raise FeedbackError(lazy_gettext("A reaction for your group only needs a group."))
    if anchor is not None:
        comment.quote_exact, comment.quote_prefix, comment.quote_suffix = (
            anchor.exact, anchor.prefix, anchor.suffix
        )  # fmt: skip
        comment.quote_start, comment.quote_end = anchor.start, anchor.end
    if parent is None:
        store_new_reaction(session, comment)
    else:
        session.add(comment)
        session.flush()
    return comment


def store_new_reaction(session: DbSession, comment: Comment) -> None:
    """Store a checked top-level reaction: its reference, and carried into the later
    versions that follow its own (posted here, or taken in from a file)."""
    session.add(comment)
    assign_reference(session, comment)
    session.flush()
    carry_new_reaction(session, comment)


def closed_message(version: Version) -> LazyString:
    return lazy_gettext(
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
        raise FeedbackError(lazy_gettext("Write your reaction."))
    if len(body) > MAX_BODY_LENGTH:
        raise FeedbackError(
            lazy_gettext(
                "Your reaction has %(count)d characters; at most %(limit)d fit. Shorten it "
                "and send it again: your text is kept below.",
                count=len(body),
                limit=MAX_BODY_LENGTH,
            )
        )
    return body


def _checked_group(
    author: User, version: Version, group_id: int | None, *, reply: bool
) -> Group | None:
    """The group the reaction speaks for; a reply may speak for its author alone."""
    if group_id is None:
        if reply or can(author, Action.REACT_AS_ONESELF, version):
            return None
        if not any(can(author, Action.REACT_FOR_GROUP, m.group) for m in author.memberships):
            raise FeedbackError(
                lazy_gettext("You are not in a group yet; ask an administrator to add you.")
            )
        raise FeedbackError(lazy_gettext("Choose on behalf of which group you react."))
    group = next((m.group for m in author.memberships if m.group_id == group_id), None)
    if group is None or not can(author, Action.REACT_FOR_GROUP, group):
        raise FeedbackError(lazy_gettext("You can only react on behalf of your own groups."))
    return group


def _checked_anchor(section: Section, passage: Passage) -> Anchor:
    try:
        return locate(section.text, passage.exact, passage.prefix, passage.suffix, passage.start)
    except AnchorError as error:
        raise FeedbackError(str(error)) from error


def edit_comment(
    session: DbSession, editor: User, comment: Comment, body: str, proposed_text: str | None
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
    comment.body_html = render_body(body)
    comment.edited_at = datetime.now(UTC)


def answer_question(
    session: DbSession, editor: User, comment: Comment, question_id: int | None
) -> None:
    """Its author says which question the reaction answers (None: none), as long as they
    may edit it."""
    if not can(editor, Action.EDIT_COMMENT, comment):
        raise FeedbackError(why_not_editable(comment))
    if comment.parent_id is not None and question_id is not None:
        raise FeedbackError(lazy_gettext("A reply answers no question; its thread may."))
    question = checked_question(session, comment.section, question_id)
    if question is not comment.question:
        comment.question = question
        comment.edited_at = datetime.now(UTC)


def why_not_editable(comment: Comment) -> LazyString:
    """Why its author may not edit ``comment`` (``can`` only says that they may not)."""
    if comment.is_hidden:
        return lazy_gettext("A moderator has hidden this reaction, so it can no longer be edited.")
    if not is_open_for_feedback(comment.section.version):
        return lazy_gettext(
            "Reacting to this version is closed, so the reaction can no longer be changed."
        )
    if any(not reply.is_deleted for reply in comment.replies):
        return lazy_gettext(
            "This reaction has a reply, so it can no longer be changed. Add to it with a "
            "reply instead."
        )
    return lazy_gettext("This reaction can no longer be changed: someone replied, or it is closed.")


def delete_comment(session: DbSession, actor: User, comment: Comment) -> None:
    """Soft delete: the thread keeps its place and its replies."""
    if not can(actor, Action.DELETE_COMMENT, comment):
        raise FeedbackError(lazy_gettext("You cannot delete this reaction."))
    comment.deleted_at = datetime.now(UTC)
