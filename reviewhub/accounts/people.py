"""People: creating and changing accounts, roles and memberships, profiles, personal data and
anonymising. Callers commit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import func, or_, select

from .. import audit
from ..dbtypes import DbSession
from ..models import AuditEvent, Group, Membership, Role, User, Version
from ..permissions import Action, role_may
from .credentials import find_by_email, normalise_email
from .errors import AccountError
from .sessions import end_all_sessions


def clean(text: str | None) -> str:
    """Form text without surrounding spaces; a field left out of the form counts as empty."""
    return (text or "").strip()


def create_person(
    session: DbSession,
    actor: User | None,
    *,
    name: str,
    email: str,
    role: Role,
    organisation: str = "",
    function: str = "",
) -> User:
    if find_by_email(session, email):
        raise AccountError(lazy_gettext("There is already an account with this e-mail address."))
    person = User(
        name=clean(name),
        email=normalise_email(email),
        role=role,
        organisation=clean(organisation),
        function=clean(function),
    )
    session.add(person)
    session.flush()
    audit.record(session, actor, "person.created", person, person.name, role=role.value)
    return person


def update_person(
    session: DbSession,
    actor: User,
    person: User,
    *,
    name: str,
    email: str,
    role: Role,
    active: bool,
    organisation: str = "",
    function: str = "",
) -> None:
    other = find_by_email(session, email)
    if other is not None and other.id != person.id:
        raise AccountError(lazy_gettext("There is already an account with this e-mail address."))
    if person.id == actor.id and not (active and role_may(role, Action.MANAGE_PEOPLE)):
        raise AccountError(
            lazy_gettext("You cannot take away your own administrator role or deactivate yourself.")
        )
    set_role(session, actor, person, role)
    if active is not person.active:
        if not active:  # for good: reactivating the account must not revive its cookies
            end_all_sessions(session, person)
        audit.record(
            session,
            actor,
            "person.activated" if active else "person.deactivated",
            person,
            person.name,
        )
    person.name, person.email, person.active = clean(name), normalise_email(email), active
    person.organisation, person.function = clean(organisation), clean(function)


def set_role(session: DbSession, actor: User | None, person: User, role: Role) -> None:
    if role is not person.role:
        audit.record(session, actor, "person.role_changed", person, person.name,
                     old=person.role.value, new=role.value)  # fmt: skip
        person.role = role


def set_memberships(
    session: DbSession,
    actor: User | None,
    person: User,
    group_ids: list[int],
    coordinator_group_ids: list[int],
) -> None:
    """Make ``person`` a member of exactly these groups (coordinator of some of them)."""
    wanted = set(group_ids)
    before = {m.group_id: m.coordinator for m in person.memberships}
    person.memberships = [m for m in person.memberships if m.group_id in wanted]
    for group_id in wanted - before.keys():
        if session.get(Group, group_id) is None:
            raise AccountError(lazy_gettext("That group does not exist (any more)."))
        person.memberships.append(Membership(group_id=group_id))
    for membership in person.memberships:
        membership.coordinator = membership.group_id in coordinator_group_ids
    after = {m.group_id: m.coordinator for m in person.memberships}
    if after != before:
        audit.record(
            session,
            actor,
            "person.groups_changed",
            person,
            person.name,
            old=_group_names(session, before),
            new=_group_names(session, after),
        )


def _group_names(session: DbSession, memberships: dict[int, bool]) -> list[str]:
    if not memberships:
        return []
    rows = session.execute(select(Group.id, Group.name).where(Group.id.in_(memberships)))
    names = {group_id: name for group_id, name in rows}
    return sorted(names[i] + (" (coordinator)" if memberships[i] else "") for i in memberships)


def people_query(search: str = "", role: Role | None = None) -> Any:
    query = select(User).order_by(func.lower(User.name))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern),
                func.lower(User.email).like(pattern),
                func.lower(User.organisation).like(pattern),
            )
        )
    if role is not None:
        query = query.where(User.role == role)
    return query


def update_profile(
    session: DbSession,
    user: User,
    *,
    name: str,
    organisation: str,
    function: str,
    sector: str,
    language: str,
) -> None:
    user.name, user.organisation, user.function, user.sector = (
        clean(name),
        clean(organisation),
        clean(function),
        clean(sector),
    )
    user.language = language


def personal_data(session: DbSession, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, for their own download (AVG article 15)."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.object_type == "user") & (AuditEvent.object_id == user.id),
            )
        )
        .order_by(AuditEvent.at)
    )
    published = session.scalars(select(Version).where(Version.published_by_id == user.id))
    return {
        "profile": {
            "name": user.name,
            "email": user.email,
            "role": user.role.value,
            "organisation": user.organisation,
            "function": user.function,
            "sector": user.sector,
            "language": user.language,
            "active": user.active,
            "created_at": user.created_at.isoformat(),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
        "groups": [
            {"name": m.group.name, "kind": m.group.kind.value, "coordinator": m.coordinator}
            for m in user.memberships
        ],
        "published_versions": [
            {
                "document": v.document.slug,
                "number": v.number,
                "label": v.label,
                "published_at": v.published_at.isoformat(),
            }
            for v in published
        ],
        "audit_events": [
            {"at": e.at.isoformat(), "action": e.action, "summary": e.summary, "details": e.details}
            for e in events
        ],
    }


def anonymise(session: DbSession, actor: User, person: User) -> None:
    """Remove what identifies ``person``; memberships stay, so what they wrote remains
    attributed to "former participant" of their group."""
    if person.id == actor.id:
        raise AccountError(lazy_gettext("You cannot anonymise your own account."))
    audit.record(session, actor, "person.anonymised", person)
    end_all_sessions(session, person)
    person.name = ""
    person.email = f"anonymised-{person.id}@invalid"
    person.password_hash = None
    person.organisation = person.function = person.sector = ""
    person.active = False
    person.anonymised_at = datetime.now(UTC)
    about_person = (AuditEvent.object_type == "user") & (AuditEvent.object_id == person.id)
    for event in session.scalars(select(AuditEvent).where(about_person)):
        event.summary = ""
        event.details = {k: v for k, v in event.details.items() if k not in ("email",)}
