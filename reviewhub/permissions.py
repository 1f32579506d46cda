"""The one place that decides who may do what. Views, templates and the API all ask ``can``;
a route without a rule here fails the route x role test."""

from __future__ import annotations

import enum
from typing import Any

from .models import Document, Role, User, Version, VersionStatus, Visibility


class Action(enum.StrEnum):
    READ_DOCUMENT = "read_document"
    READ_VERSION = "read_version"
    CREATE_DOCUMENT = "create_document"
    PUBLISH = "publish"  # on a Document: publish its next version
    MANAGE_DOCUMENT = "manage_document"  # visibility, groups
    MANAGE_PEOPLE = "manage_people"
    MANAGE_GROUPS = "manage_groups"
    VIEW_AUDIT_LOG = "view_audit_log"
    EDIT_PROFILE = "edit_profile"  # on a User: only oneself


def _signed_in(user: Any) -> User | None:
    return user if getattr(user, "is_authenticated", False) and user.active else None


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """Whether ``user`` (a User, or flask-login's anonymous user) may do ``action`` on ``obj``."""
    person = _signed_in(user)
    role = person.role if person else None
    match action:
        case Action.READ_DOCUMENT:
            return _may_read(person, obj)
        case Action.READ_VERSION:
            assert isinstance(obj, Version)
            if not _may_read(person, obj.document):
                return False
            return obj.status is not VersionStatus.DRAFT or _may_publish(person, obj.document)
        case Action.CREATE_DOCUMENT:
            return role in (Role.ADMIN, Role.AUTHOR)
        case Action.PUBLISH | Action.MANAGE_DOCUMENT:
            return _may_publish(person, obj)
        case Action.MANAGE_PEOPLE | Action.MANAGE_GROUPS | Action.VIEW_AUDIT_LOG:
            return role is Role.ADMIN
        case Action.EDIT_PROFILE:
            return person is not None and person is obj
    raise ValueError(f"no rule for {action!r}")


def _may_read(person: User | None, document: Document) -> bool:
    assert isinstance(document, Document)
    if document.visibility is Visibility.PUBLIC:
        return True
    if person is None:
        return False
    if person.role in (Role.ADMIN, Role.REVIEWER) or document.owner_id == person.id:
        return True
    allowed = {group.id for group in document.groups}
    return any(m.group_id in allowed for m in person.memberships)


def _may_publish(person: User | None, document: Document) -> bool:
    """Admins publish anything; authors publish the documents they own."""
    if person is None:
        return False
    assert isinstance(document, Document)
    return person.role is Role.ADMIN or (
        person.role is Role.AUTHOR and document.owner_id == person.id
    )
