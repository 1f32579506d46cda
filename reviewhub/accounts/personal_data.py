"""Everything stored about a person, for their own download (AVG article 15): the profile
and groups, and all they wrote or did in the consultation — reactions and replies with their
earlier wordings and attachments, the decisions on their reactions, their answers to those,
reports, and what they did as a reviewer, author or coordinator. Plain data, no request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..dbtypes import DbSession
from ..models import (
    ApiToken,
    Attachment,
    AuditEvent,
    Comment,
    CommentReport,
    DecisionAnswer,
    DispositionChange,
    PositionEdition,
    ReviewNote,
    User,
    Version,
)


def personal_data(session: DbSession, user: User) -> dict[str, Any]:
    return {
        "profile": _profile(user),
        "groups": [
            {"name": m.group.name, "kind": m.group.kind.value, "coordinator": m.coordinator}
            for m in user.memberships
        ],
        "reactions_and_replies": [_comment(c) for c in _comments(session, user)],
        "answers_to_decisions": [_answer(a) for a in _rows(session, DecisionAnswer,
                                                           DecisionAnswer.author_id, user)],
        "reports": [_report(r) for r in _rows(session, CommentReport,
                                              CommentReport.reporter_id, user)],
        "decisions_taken": [_decision(d) for d in _rows(session, DispositionChange,
                                                        DispositionChange.decided_by_id, user)],
        "review_notes": [{"reaction": n.comment.reference, "body": n.body, "at": _iso(n.created_at)}
                         for n in _rows(session, ReviewNote, ReviewNote.author_id, user)],
        "group_positions_sent": [_edition(e) for e in _rows(session, PositionEdition,
                                                            PositionEdition.sent_by_id, user)],
        "api_tokens": [
            {"name": t.name, "scopes": t.scopes, "created_at": _iso(t.created_at),
             "expires_on": _iso(t.expires_on), "last_used_at": _iso(t.last_used_at),
             "revoked_at": _iso(t.revoked_at)}
            for t in _rows(session, ApiToken, ApiToken.user_id, user)
        ],
        "published_versions": [
            {"document": v.document.slug, "number": v.number, "label": v.label,
             "published_at": _iso(v.published_at)}
            for v in _rows(session, Version, Version.published_by_id, user)
        ],
        "audit_events": [
            {"at": _iso(e.at), "action": e.action, "summary": e.summary, "details": e.details}
            for e in _events(session, user)
        ],
    }  # fmt: skip


def own_attachments(session: DbSession, user: User) -> Iterable[Attachment]:
    """The files attached to ``user``'s reactions, for the download with the data."""
    return session.scalars(
        select(Attachment).join(Comment).where(Comment.author_id == user.id).order_by(Attachment.id)
    )


def _profile(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "organisation": user.organisation,
        "function": user.function,
        "sector": user.sector,
        "language": user.language,
        "attribution": user.attribution.value if user.attribution else None,
        "active": user.active,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
    }


def _rows(session: DbSession, model: Any, column: Any, user: User) -> Iterable[Any]:
    return session.scalars(select(model).where(column == user.id).order_by(model.id))


def _comments(session: DbSession, user: User) -> Iterable[Comment]:
    return session.scalars(
        select(Comment)
        .where(Comment.author_id == user.id)
        .options(
            selectinload(Comment.revisions),
            selectinload(Comment.attachments),
            selectinload(Comment.changes),
            selectinload(Comment.section),
            selectinload(Comment.group),
        )
        .order_by(Comment.id)
    )


def _comment(c: Comment) -> dict[str, Any]:
    version = c.section.version
    return {
        "reference": c.reference,
        "reply_to": c.parent.reference if c.parent_id and c.parent else None,
        "document": version.document.slug,
        "version": version.number,
        "section": f"{c.section.number} {c.section.heading}".strip(),
        "group": c.group.name if c.group else None,
        "kind": c.kind.value if c.kind else None,
        "visibility": c.visibility.value,
        "body": c.body,
        "passage": c.quote_exact,
        "proposed_text": c.proposed_text,
        "created_at": _iso(c.created_at),
        "edited_at": _iso(c.edited_at),
        "deleted_at": _iso(c.deleted_at),
        "hidden_at": _iso(c.hidden_at),
        "hidden_reason": c.hidden_reason,
        "earlier_wordings": [{"body": r.body, "proposed_text": r.proposed_text,
                              "replaced_at": _iso(r.replaced_at)} for r in c.revisions],
        "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256, "uploaded_at": _iso(a.uploaded_at)}
                        for a in c.attachments],
        "decisions": [_decision(d) for d in c.changes] if c.parent_id is None else [],
    }  # fmt: skip


def _decision(d: DispositionChange) -> dict[str, Any]:
    return {"reaction": d.comment.reference, "decision": d.disposition.value,
            "motivation": d.motivation, "decided_at": _iso(d.decided_at)}  # fmt: skip


def _answer(a: DecisionAnswer) -> dict[str, Any]:
    return {"reaction": a.comment.reference, "verdict": a.verdict.value, "body": a.body,
            "at": _iso(a.created_at)}  # fmt: skip


def _report(r: CommentReport) -> dict[str, Any]:
    return {"reaction": r.comment.reference, "reason": r.reason, "at": _iso(r.created_at),
            "resolved_at": _iso(r.resolved_at)}  # fmt: skip


def _edition(e: PositionEdition) -> dict[str, Any]:
    position = e.position
    return {"group": position.group.name,
            "section": f"{position.section.number} {position.section.heading}".strip(),
            "edition": e.number, "body": e.body, "sent_at": _iso(e.sent_at)}  # fmt: skip


def _events(session: DbSession, user: User) -> Iterable[AuditEvent]:
    about = (AuditEvent.object_type == "user") & (AuditEvent.object_id == user.id)
    return session.scalars(
        select(AuditEvent).where(or_(AuditEvent.actor_id == user.id, about)).order_by(AuditEvent.at)
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None
