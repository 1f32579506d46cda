"""The audit log: one call records who did what to which object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from .dbtypes import DbSession
from .models import AuditEvent, User


def record(
    session: DbSession,
    actor: User | None,
    action: str,
    obj: Any = None,
    summary: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an event to the session; it is stored with the caller's transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.id is not None else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        details=details,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


def events_query(criteria: AuditFilter) -> Select[AuditEvent]:
    """Newest first, narrowed by the filter; the caller paginates."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if criteria.action:
        query = query.where(AuditEvent.action.startswith(criteria.action))
    if criteria.actor_id is not None:
        query = query.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.since:
        query = query.where(AuditEvent.at >= datetime.combine(criteria.since, time.min))
    if criteria.until:
        next_day = datetime.combine(criteria.until + timedelta(days=1), time.min)
        query = query.where(AuditEvent.at < next_day)
    return query


def known_actions(session: DbSession) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
