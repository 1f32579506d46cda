"""Groups: regions, workgroups, pilot sites, the review group, organisations. Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import Select, func, select

from .. import audit
from ..dbtypes import DbSession
from ..models import Group, GroupKind, User
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
