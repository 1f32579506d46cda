"""The one place that decides who may do what. Views, templates and the API all ask ``can``;
a route without a rule here fails the route x role test."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .clock import local_today
from .models import (
    Comment,
    CommentState,
    CommentVisibility,
    Document,
    Group,
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
    MANAGE_JOBS = "manage_jobs"  # the job queue's failed jobs: read, send again, put aside
    EDIT_PROFILE = "edit_profile"  # on a User: only oneself
    COMMENT = "comment"  # on a Version: react while it is open for feedback
    REACT = "react"  # no object: the role reacts at all (the header links to one's reactions)
    READ_COMMENT = "read_comment"  # on a Comment: see it at all (group-only, pending)
    EDIT_COMMENT = "edit_comment"  # on a Comment: its author, until someone replied or hid it
    DELETE_COMMENT = "delete_comment"  # on a Comment: its author
    REPORT_COMMENT = "report_comment"  # on a Comment: anyone logged in
    MODERATE = "moderate"  # on a Document: hide, restore, approve, pre-moderation
    REACT_FOR_GROUP = "react_for_group"  # on a Group: post on its behalf (its members)
    REACT_AS_ONESELF = "react_as_oneself"  # on a Version: react without a group (not partners)
    REPLY_OFFICIALLY = "reply_officially"  # on a Version: a reply marked official
    ASSIGN_OWNER = "assign_owner"  # on a Document: hand it to another author
    OWN_DOCUMENTS = "own_documents"  # no object: may be made the owner of a document
    DECIDE = "decide"  # on a Document: decide on reactions, assign, notes (the review group)
    READ_WORKSPACE = "read_workspace"  # on a Document: the review workspace (also its authors)
    ANSWER_DECISION = "answer_decision"  # on a Comment: its author or its group's coordinator
    COORDINATE = "coordinate"  # on a Group: compose and send its positions (its coordinators)
    READ_ATTACHMENT = "read_attachment"  # on an Attachment: as its reaction, while shown
    REVIEW_BY_TOKEN = "review_by_token"  # no object: may make an API token that decides
    READ_EXPORT_FILE = "read_export_file"  # on an ExportFile: its owner, while they may read it
    MANAGE_QUESTIONS = "manage_questions"  # on a Version: its consultation questions (authors)


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
        case (
            Action.MANAGE_PEOPLE | Action.MANAGE_GROUPS | Action.VIEW_AUDIT_LOG | Action.MANAGE_JOBS
        ):
            return role is Role.ADMIN
        case Action.EDIT_PROFILE:
            return person is not None and person is obj
        case Action.COMMENT:
            return _may_comment(person, obj)
        case Action.REACT:
            return person is not None and person.role in _REACTING_ROLES
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
        case Action.REVIEW_BY_TOKEN:
            return _is_moderator(person)  # the review group and administrators decide
        case Action.READ_ATTACHMENT:
            comment = obj.comment
            return (
                _may_read_comment(person, comment)
                and not comment.is_deleted
                and (not comment.is_hidden or _is_moderator(person))
            )
        case Action.READ_EXPORT_FILE:
            return (
                person is not None
                and obj.user_id == person.id
                and can(person, Action.READ_DOCUMENT, obj.document)
                # A version's exports come from its review workspace.
                and (obj.version_id is None or can(person, Action.READ_WORKSPACE, obj.document))
            )
        case Action.REPORT_COMMENT:
            return person is not None and _may_read_comment(person, obj)
        case Action.MODERATE:
            return _is_moderator(person) and _may_read(person, obj)
        case Action.REACT_FOR_GROUP:
            assert isinstance(obj, Group)
            return (
                person is not None
                and obj.active
                and any(m.group_id == obj.id for m in person.memberships)
            )
        case Action.COORDINATE:
            assert isinstance(obj, Group)
            return (
                person is not None
                and obj.active
                and any(m.group_id == obj.id and m.coordinator for m in person.memberships)
            )
        case Action.REACT_AS_ONESELF:
            # Partners speak for their region, workgroup or pilot site, never for themselves.
            return _may_comment(person, obj) and role is not Role.PARTNER
        case Action.REPLY_OFFICIALLY:
            return _may_comment(person, obj) and role in _OFFICIAL_ROLES
        case Action.ASSIGN_OWNER:
            return role is Role.ADMIN and _may_read(person, obj)
        case Action.OWN_DOCUMENTS:
            return role in (Role.ADMIN, Role.AUTHOR)
        case Action.DECIDE:
            return _is_moderator(person) and _may_read(person, obj)
        case Action.READ_WORKSPACE:
            return can(person, Action.DECIDE, obj) or _may_publish(person, obj)
        case Action.ANSWER_DECISION:
            return _may_answer(person, obj)
        case Action.MANAGE_QUESTIONS:
            # Whether the version's state still allows a change is for feedback.questions
            # to say, in words: the page lists the questions all the same.
            assert isinstance(obj, Version)
            return _may_publish(person, obj.document)
    raise ValueError(f"no rule for {action!r}")


class _Holder:
    """Someone with ``role`` and nothing else: for asking what a role allows by itself."""

    is_authenticated = active = True
    memberships: tuple[()] = ()
    id = None

    def __init__(self, role: Role) -> None:
        self.role = role


def role_may(role: Role, action: Action, obj: Any = None) -> bool:
    """Whether having ``role`` alone allows ``action``: for a change of role, before it is
    made (may an administrator take away their own right to manage people?)."""
    return can(_Holder(role), action, obj)


_REACTING_ROLES = (Role.PARTNER, Role.REVIEWER, Role.AUTHOR, Role.ADMIN)
_OFFICIAL_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ADMIN)  # their replies answer for the programme


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
        # A reply speaks for its author, not for the group: the thread's group reads it.
        group_id = comment.parent.group_id if comment.parent is not None else comment.group_id
        in_group = person is not None and any(m.group_id == group_id for m in person.memberships)
        return own or in_group or _is_moderator(person)
    return True


@dataclass(frozen=True)
class CommentReading:
    """What decides which reactions on one document someone reads, as ``_may_read_comment``
    applies it: for the feedback wing to say the same in SQL (``queries.readable_filter``)."""

    document: bool  # may read the document at all; else no reaction on it
    person_id: int | None  # their own reactions they always read
    moderator: bool  # reads everything, waiting and group-only reactions included
    group_ids: frozenset[int]  # reads the group-only threads of these groups


def comment_reading(user: Any, document: Document) -> CommentReading:
    """The facts ``can(user, Action.READ_COMMENT, c)`` uses for the reactions ``c`` on
    ``document``."""
    person = _signed_in(user)
    return CommentReading(
        document=_may_read(person, document),
        person_id=person.id if person is not None else None,
        moderator=_is_moderator(person),
        group_ids=frozenset(m.group_id for m in person.memberships) if person else frozenset(),
    )


def _may_answer(person: User | None, comment: Comment) -> bool:
    """The author of a decided reaction, or a coordinator of the group it spoke for."""
    assert isinstance(comment, Comment)
    if person is None or comment.parent_id is not None or not _may_read_comment(person, comment):
        return False
    coordinator = comment.group_id is not None and any(
        m.group_id == comment.group_id and m.coordinator for m in person.memberships
    )
    return comment.author_id == person.id or coordinator


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
