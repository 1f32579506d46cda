"""People: creating and changing accounts, roles and memberships, profiles, personal data and
anonymising. Callers commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from .. import audit
from ..dbtypes import DbSession
from ..models import Attribution, AuditEvent, Group, Membership, Role, User
from ..permissions import Action, role_may
from .credentials import find_by_email, normalise_email
from .errors import AccountError
from .sessions import end_all_sessions


def clean(text: str | None) -> str:
    """Form text without surrounding spaces; a field left out of the form counts as empty."""
    return (text or "").strip()


def default_role() -> Role:
    """The role of a new account when nobody chose one: the model's default, the least
    privilege (reading, nothing more). Read from the model so that this layer names no role
    (the permission layer decides what roles mean)."""
    default = inspect(User).columns["role"].default
    assert isinstance(default, ScalarElementColumnDefault)
    return Role(default.arg)


def create_person(
    session: DbSession,
    actor: User | None,
    *,
    name: str,
    email: str,
    role: Role | None = None,
    organisation: str = "",
    function: str = "",
) -> User:
    """A new account, with ``role`` or else the least privilege (``default_role``)."""
    if find_by_email(session, email):
        raise AccountError(lazy_gettext("There is already an account with this e-mail address."))
    role = role or default_role()
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


@dataclass(frozen=True)
class NewPerson:
    """One of the accounts ``create_people`` makes: the fields of ``create_person``, and the
    groups (coordinator of those in ``coordinates``)."""

    name: str
    email: str
    role: Role | None = None
    organisation: str = ""
    function: str = ""
    groups: Sequence[Group] = ()
    coordinates: Sequence[Group] = ()


def create_people(session: DbSession, actor: User | None, new: Sequence[NewPerson]) -> list[User]:
    """Many accounts at once, each with its groups, recorded as ``create_person`` and
    ``set_memberships`` record one; one flush for all, so that a long list keeps the
    transaction short."""
    emails = sorted({normalise_email(person.email) for person in new})
    if len(emails) < len(new) or _taken(session, emails):
        raise AccountError(lazy_gettext("There is already an account with this e-mail address."))
    people = []
    for person in new:
        people.append(User(
            name=clean(person.name), email=normalise_email(person.email),
            role=person.role or default_role(), organisation=clean(person.organisation),
            function=clean(person.function),
            memberships=[Membership(group=group, coordinator=group in person.coordinates)
                         for group in person.groups],
        ))  # fmt: skip
    session.add_all(people)
    session.flush()
    for user in people:
        audit.record(session, actor, "person.created", user, user.name, role=user.role.value)
        if user.memberships:
            after = {m.group.name: m.coordinator for m in user.memberships}
            audit.record(session, actor, "person.groups_changed", user, user.name,
                         old=[], new=_membership_names(after))  # fmt: skip
    return people


def _taken(session: DbSession, emails: list[str]) -> bool:
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        if session.scalar(select(User.id).where(func.lower(User.email).in_(chunk)).limit(1)):
            return True
    return False


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
    return _membership_names({names[i]: coordinator for i, coordinator in memberships.items()})


def _membership_names(coordinator_by_name: dict[str, bool]) -> list[str]:
    return sorted(name + (" (coordinator)" if coordinator else "")
                  for name, coordinator in coordinator_by_name.items())  # fmt: skip


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
    attribution: Attribution | None = None,
) -> None:
    if attribution is not None:
        user.attribution = attribution
    user.name, user.organisation, user.function, user.sector = (
        clean(name),
        clean(organisation),
        clean(function),
        clean(sector),
    )
    user.language = language


def choose_language(user: User, language: str) -> None:
    """The language ``user`` reads the site and their mail in, from the next visit on too."""
    user.language = language


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
