"""The one place that decides who may do what. Views, templates and the API all ask ``can``;
a route without a rule here fails the route x role test."""

from __future__ import annotations

import enum
from typing import Any

from .i18n import local_today
from .models import (
    Comment,
    CommentState,
    CommentVisibility,
    Document,
    Role,
    User,
    Version,
    VersionStatus,
    Visibility,
)


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
    COMMENT = "comment"  # on a Version: react while it is open for feedback
    READ_COMMENT = "read_comment"  # on a Comment: see it at all (group-only, pending)
    EDIT_COMMENT = "edit_comment"  # on a Comment: its author, until someone replied or hid it
    DELETE_COMMENT = "delete_comment"  # on a Comment: its author
    REPORT_COMMENT = "report_comment"  # on a Comment: anyone logged in
    MODERATE = "moderate"  # on a Document: hide, restore, approve, pre-moderation


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
        case Action.COMMENT:
            return _may_comment(person, obj)
        case Action.READ_COMMENT:
            return _may_read_comment(person, obj)
        case Action.EDIT_COMMENT:
            # Not once hidden: a restore would otherwise show words the moderator never saw.
            return (
                _may_change_own(person, obj)
                and not obj.is_hidden
                and not any(not reply.is_deleted for reply in obj.replies)
            )
        case Action.DELETE_COMMENT:
            return _may_change_own(person, obj)
        case Action.REPORT_COMMENT:
            return person is not None and _may_read_comment(person, obj)
        case Action.MODERATE:
            return _is_moderator(person) and _may_read(person, obj)
    raise ValueError(f"no rule for {action!r}")


_REACTING_ROLES = (Role.PARTNER, Role.REVIEWER, Role.AUTHOR, Role.ADMIN)


def is_open_for_feedback(version: Version) -> bool:
    return version.effective_status(local_today()) is VersionStatus.OPEN


def _may_comment(person: User | None, version: Version) -> bool:
    assert isinstance(version, Version)
    return (
        person is not None
        and person.role in _REACTING_ROLES
        and _may_read(person, version.document)
        and is_open_for_feedback(version)
    )


def _is_moderator(person: User | None) -> bool:
    return person is not None and person.role in (Role.REVIEWER, Role.ADMIN)


def _may_read_comment(person: User | None, comment: Comment) -> bool:
    """Group-only reactions: their group and the review group; waiting ones: their author and
    the moderators. Hidden and deleted ones stay in the thread, shown as such."""
    assert isinstance(comment, Comment)
    document = comment.section.version.document
    if not _may_read(person, document):
        return False
    own = person is not None and comment.author_id == person.id
    if comment.state is CommentState.PENDING and not (own or _is_moderator(person)):
        return False
    if comment.visibility is CommentVisibility.GROUP:
        in_group = person is not None and any(
            m.group_id == comment.group_id for m in person.memberships
        )
        return own or in_group or _is_moderator(person)
    return True


def _may_change_own(person: User | None, comment: Comment) -> bool:
    return (
        person is not None
        and comment.author_id == person.id
        and not comment.is_deleted
        and is_open_for_feedback(comment.section.version)
    )


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
