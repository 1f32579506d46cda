"""Moderating: hiding and restoring reactions, approving waiting ones, reports (and
dismissing them as unfounded) and pre-moderation. Callers commit."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..dbtypes import DbSession
from ..models import Comment, CommentReport, CommentState, Document, Section, User, Version
from ..permissions import Action, can
from .errors import FeedbackError

MAX_REASON_LENGTH = 500


def _document_of(comment: Comment) -> Document:
    return comment.section.version.document


def hide_comment(session: DbSession, moderator: User, comment: Comment, reason: str) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(lazy_gettext("Only moderators can hide reactions."))
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(lazy_gettext("Give a reason for hiding the reaction."))
    comment.hidden_reason = reason[:MAX_REASON_LENGTH]
    comment.hidden_at, comment.hidden_by_id = datetime.now(UTC), moderator.id
    _resolve_reports(comment)
    audit.record(session, moderator, "comment.hidden", comment, reason[:200])


def restore_comment(session: DbSession, moderator: User, comment: Comment) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(lazy_gettext("Only moderators can restore reactions."))
    comment.hidden_at = comment.hidden_by_id = comment.hidden_reason = None
    audit.record(session, moderator, "comment.restored", comment)


def approve_comment(session: DbSession, moderator: User, comment: Comment) -> None:
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(lazy_gettext("Only moderators can approve reactions."))
    comment.state = CommentState.PUBLISHED
    _resolve_reports(comment)
    audit.record(session, moderator, "comment.approved", comment)


def report_comment(session: DbSession, reporter: User, comment: Comment, reason: str) -> None:
    if not can(reporter, Action.REPORT_COMMENT, comment):
        raise FeedbackError(lazy_gettext("You cannot report this reaction."))
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(lazy_gettext("Say briefly what is wrong with the reaction."))
    session.add(CommentReport(comment=comment, reporter=reporter, reason=reason[:1000]))
    audit.record(session, reporter, "comment.reported", comment, reason[:200])


def dismiss_reports(session: DbSession, moderator: User, comment: Comment, reason: str) -> None:
    """Mark the open reports on ``comment`` as unfounded: the reaction stays as it is, the
    reports are resolved (so it leaves the moderation queue) and the moderator's reason, if
    any, goes into the audit log."""
    if not can(moderator, Action.MODERATE, _document_of(comment)):
        raise FeedbackError(lazy_gettext("Only moderators can dismiss reports."))
    open_reports = [report for report in comment.reports if report.resolved_at is None]
    if not open_reports:
        raise FeedbackError(lazy_gettext("This reaction has no open reports (any more)."))
    reason = (reason or "").strip()[:MAX_REASON_LENGTH]
    _resolve_reports(comment)
    audit.record(
        session, moderator, "comment.report_dismissed", comment, reason[:200],
        reports=[report.id for report in open_reports], reason=reason,
    )  # fmt: skip


def _resolve_reports(comment: Comment) -> None:
    for report in comment.reports:
        report.resolved_at = report.resolved_at or datetime.now(UTC)


def set_premoderation(session: DbSession, moderator: User, document: Document, on: bool) -> None:
    if not can(moderator, Action.MODERATE, document):
        raise FeedbackError(lazy_gettext("Only moderators can switch pre-moderation."))
    if document.premoderation is not on:
        document.premoderation = on
        audit.record(
            session, moderator, "document.premoderation_" + ("on" if on else "off"), document,
            document.title,
        )  # fmt: skip


def moderation_queue_query(document: Document) -> Select[Comment]:
    """Reactions waiting for approval, and reported ones not yet looked at, oldest first."""
    return (
        select(Comment)
        .where(Comment.version_id.in_(select(Version.id).where(Version.document_id == document.id)))
        .where(
            # Two index lookups (waiting ones, open reports), never a pass over the reactions.
            or_(
                Comment.state == CommentState.PENDING,
                Comment.id.in_(
                    select(CommentReport.comment_id).where(CommentReport.resolved_at.is_(None))
                ),
            )
        )
        .options(
            selectinload(Comment.section).selectinload(Section.version),
            selectinload(Comment.author),
            selectinload(Comment.group),
            selectinload(Comment.replies),
            selectinload(Comment.reports).selectinload(CommentReport.reporter),
        )
        .order_by(Comment.created_at)
    )


def moderation_queue(session: DbSession, document: Document) -> list[Comment]:
    return list(session.scalars(moderation_queue_query(document)))
