"""Groups: regions, workgroups, pilot sites, the review group, organisations, and who is a
member or coordinator of one. Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..dbtypes import DbSession
from ..models import Group, GroupKind, Membership, User
from .errors import AccountError
from .people import clean


def groups_query(search: str = "", kind: GroupKind | None = None) -> Select[Group]:
    query = select(Group).order_by(func.lower(Group.name))
    if search:
        query = query.where(func.lower(Group.name).like(f"%{search.strip().lower()}%"))
    if kind is not None:
        query = query.where(Group.kind == kind)
    return query


def save_group(
    session: DbSession,
    actor: User,
    group: Group | None,
    *,
    name: str,
    kind: GroupKind,
    description: str,
    active: bool,
) -> Group:
    clash = session.scalar(select(Group).where(func.lower(Group.name) == clean(name).lower()))
    if clash is not None and clash is not group:
        raise AccountError(lazy_gettext("There is already a group with this name."))
    created = group is None
    if group is None:
        group = Group(name=clean(name), kind=kind)
        session.add(group)
    group.name, group.kind, group.description, group.active = (
        clean(name),
        kind,
        clean(description),
        active,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "group.created" if created else "group.updated",
        group,
        group.name,
        kind=kind.value,
        active=active,
    )
    return group


def active_groups(session: DbSession) -> list[Group]:
    return list(session.scalars(select(Group).where(Group.active).order_by(Group.name)))


# Members -----------------------------------------------------------------------------------


def members(session: DbSession, group: Group) -> list[Membership]:
    """The group's memberships with their people, by name: one query however many."""
    return list(
        session.scalars(
            select(Membership)
            .join(Membership.user)
            .options(joinedload(Membership.user))
            .where(Membership.group_id == group.id)
            .order_by(func.lower(User.name), User.email)
        )
    )


def possible_members(session: DbSession, group: Group) -> list[User]:
    """Active people who are not in ``group`` yet, by name: the suggestions for adding one."""
    in_group = select(Membership.user_id).where(Membership.group_id == group.id)
    return list(
        session.scalars(
            select(User)
            .where(User.active, User.anonymised_at.is_(None), User.id.not_in(in_group))
            .order_by(func.lower(User.name), User.email)
        )
    )


def _membership(group: Group, person: User) -> Membership | None:
    return next((m for m in person.memberships if m.group_id == group.id), None)


def _record_member(session: DbSession, actor: User | None, action: str, group: Group,
                   person: User) -> None:  # fmt: skip
    """About the person (so anonymising them clears the name kept here), naming the group."""
    audit.record(session, actor, action, person, person.name, group_id=group.id, group=group.name)


def add_member(
    session: DbSession, actor: User | None, group: Group, person: User, *, coordinator: bool = False
) -> Membership:
    """Make ``person`` a member of ``group``, and its coordinator if asked."""
    if person.anonymised_at is not None:
        raise AccountError(lazy_gettext("This account is anonymised: it cannot join a group."))
    if _membership(group, person) is not None:
        raise AccountError(
            lazy_gettext("%(name)s is a member of this group already.", name=person.name)
        )
    membership = Membership(group=group, user=person, coordinator=coordinator)
    session.add(membership)
    _record_member(session, actor, "group.member_added", group, person)
    if coordinator:
        _record_member(session, actor, "group.coordinator_added", group, person)
    return membership


def set_coordinator(
    session: DbSession, actor: User | None, group: Group, person: User, coordinator: bool
) -> None:
    """Make a member the group's coordinator, or no longer; nothing is recorded without a
    change."""
    membership = _membership(group, person)
    if membership is None:
        raise AccountError(lazy_gettext("This person is not a member of this group (any more)."))
    if membership.coordinator is not coordinator:
        membership.coordinator = coordinator
        action = "group.coordinator_added" if coordinator else "group.coordinator_removed"
        _record_member(session, actor, action, group, person)


def remove_member(session: DbSession, actor: User | None, group: Group, person: User) -> None:
    membership = _membership(group, person)
    if membership is None:
        raise AccountError(lazy_gettext("This person is not a member of this group (any more)."))
    # Out of both collections: the delete-orphan cascade deletes the row at the flush.
    person.memberships.remove(membership)
    if membership in group.memberships:
        group.memberships.remove(membership)
    _record_member(session, actor, "group.member_removed", group, person)
