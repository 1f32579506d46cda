"""The audit log: one call records who did what to which object; the filter and the query of
the log's page; and how each action reads, as a sentence and as a short name.

Recording a new action? Give it an entry in ACTIONS (tests/views/test_admin_audit.py checks
that every action recorded anywhere in reviewhub/ has one). Its sentence may name
``%(actor)s``, ``%(object)s`` and the keys that ``sentence_values`` fills in from the details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, select

from .clock import TIMEZONE
from .dbtypes import DbSession
from .labels import DISPOSITION, ROLE
from .models import AuditEvent, Disposition, Role, User


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


# Reading the log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """``action``: one action, or a family of them ending in a dot ("person."); ``since`` and
    ``until``: calendar days in Europe/Amsterdam, both included."""

    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TIMEZONE)


def events_query(criteria: AuditFilter) -> Select[AuditEvent]:
    """Newest first, narrowed by the filter; the caller paginates."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if criteria.action.endswith("."):
        query = query.where(AuditEvent.action.startswith(criteria.action, autoescape=True))
    elif criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.actor_id is not None:
        query = query.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.since:
        query = query.where(AuditEvent.at >= _local_midnight(criteria.since))
    if criteria.until:
        query = query.where(AuditEvent.at < _local_midnight(criteria.until + timedelta(days=1)))
    return query


# How each action reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActionText:
    name: LazyString  # short, for the filter: "Version published"
    sentence: LazyString  # "%(actor)s published %(object)s"
    # What is shown beside the sentence: "summary" (a reason, a file) and keys of the details.
    extra: tuple[str, ...] = ()


# The families of actions, by the part before the dot, in the order the filter shows them.
FAMILIES: dict[str, LazyString] = {
    "auth": _l("Log-ins and passwords"),
    "person": _l("People"),
    "token": _l("API tokens"),
    "group": _l("Groups"),
    "document": _l("Documents"),
    "version": _l("Versions"),
    "question": _l("Consultation questions"),
    "feedback": _l("Feedback from files"),
    "comment": _l("Reactions"),
    "position": _l("Group positions"),
    "attachment": _l("Attachments"),
    "job": _l("Failed jobs"),
}

ACTIONS: dict[str, ActionText] = {
    # Log-ins and passwords
    "auth.login": ActionText(_l("Logged in"), _l("%(actor)s logged in")),
    "auth.logout": ActionText(_l("Logged out"), _l("%(actor)s logged out")),
    "auth.login_failed": ActionText(
        _l("Log-in failed"), _l("Someone failed to log in as %(email)s")
    ),
    "auth.password_set": ActionText(_l("Password set"), _l("%(actor)s set a password")),
    "auth.password_reset_requested": ActionText(
        _l("New password requested"), _l("A link to set a new password was sent to %(object)s")
    ),
    "auth.password_reset_throttled": ActionText(
        _l("New password requested too often"),
        _l("No link to set a new password was sent to %(object)s: asked for too often"),
    ),
    # People
    "person.created": ActionText(
        _l("Account created"), _l("%(actor)s created an account for %(object)s as %(role)s")
    ),
    "person.invited": ActionText(
        _l("Invitation sent"), _l("%(actor)s sent an invitation to %(object)s")
    ),
    "person.csv_imported": ActionText(
        _l("Invitations from a file"),
        _l(
            "%(actor)s invited %(invited)s people and added %(added)s people to groups from "
            "the file %(file)s"
        ),
    ),
    "person.role_changed": ActionText(
        _l("Role changed"), _l("%(actor)s changed the role of %(object)s from %(old)s to %(new)s")
    ),
    "person.groups_changed": ActionText(
        _l("Groups of a person changed"),
        _l("%(actor)s changed the groups of %(object)s"),
        extra=("old", "new"),
    ),
    "person.activated": ActionText(
        _l("Account activated"), _l("%(actor)s activated the account of %(object)s")
    ),
    "person.deactivated": ActionText(
        _l("Account deactivated"), _l("%(actor)s deactivated the account of %(object)s")
    ),
    "person.anonymised": ActionText(_l("Anonymised"), _l("%(actor)s anonymised %(object)s")),
    "person.data_exported": ActionText(
        _l("Personal data downloaded"), _l("%(actor)s downloaded their personal data")
    ),
    "token.created": ActionText(
        _l("API token made"), _l("%(actor)s made an API token"), extra=("summary", "scopes")
    ),
    "token.revoked": ActionText(
        _l("API token revoked"), _l("%(actor)s revoked an API token"), extra=("summary",)
    ),
    # Groups
    "group.created": ActionText(_l("Group created"), _l("%(actor)s created the group %(object)s")),
    "group.updated": ActionText(_l("Group changed"), _l("%(actor)s changed the group %(object)s")),
    "group.member_added": ActionText(
        _l("Member added"), _l("%(actor)s added %(object)s to the group %(group)s")
    ),
    "group.member_removed": ActionText(
        _l("Member removed"), _l("%(actor)s removed %(object)s from the group %(group)s")
    ),
    "group.coordinator_added": ActionText(
        _l("Coordinator appointed"), _l("%(actor)s made %(object)s coordinator of %(group)s")
    ),
    "group.coordinator_removed": ActionText(
        _l("Coordinator stepped down"),
        _l("%(actor)s ended the coordinator role of %(object)s in %(group)s"),
    ),
    # Documents
    "document.created": ActionText(
        _l("Document created"), _l("%(actor)s created the document %(object)s")
    ),
    "document.settings_changed": ActionText(
        _l("Document settings changed"),
        _l("%(actor)s changed who may read or owns %(object)s"),
        extra=("visibility", "groups"),
    ),
    "document.premoderation_on": ActionText(
        _l("Moderation beforehand turned on"),
        _l("%(actor)s had reactions to %(object)s checked before they appear"),
    ),
    "document.premoderation_off": ActionText(
        _l("Moderation beforehand turned off"),
        _l("%(actor)s let reactions to %(object)s appear without a check beforehand"),
    ),
    # Versions
    "version.published": ActionText(_l("Version published"), _l("%(actor)s published %(object)s")),
    "version.closed": ActionText(
        _l("Feedback closed"), _l("%(actor)s closed %(object)s for feedback")
    ),
    "version.reopened": ActionText(
        _l("Feedback reopened"),
        _l("%(actor)s reopened %(object)s for feedback"),
        extra=("closes_on",),
    ),
    "version.extended": ActionText(
        _l("Feedback period extended"),
        _l("%(actor)s extended the feedback period of %(object)s"),
        extra=("closes_on",),
    ),
    "version.shortened": ActionText(
        _l("Feedback period shortened"),
        _l("%(actor)s shortened the feedback period of %(object)s"),
        extra=("closes_on",),
    ),
    "version.finalised": ActionText(
        _l("Version made final"), _l("%(actor)s made %(object)s final")
    ),
    "version.feedback_handled": ActionText(
        _l("Feedback handled"), _l("%(actor)s marked the feedback on %(object)s as handled")
    ),
    # Consultation questions (the object is their version; the summary their wording)
    "question.added": ActionText(
        _l("Question added"),
        _l("%(actor)s added a consultation question to %(object)s"),
        extra=("summary", "section"),
    ),
    "question.reworded": ActionText(
        _l("Question reworded"),
        _l("%(actor)s reworded a consultation question of %(object)s"),
        extra=("old", "summary"),
    ),
    "question.removed": ActionText(
        _l("Question removed"),
        _l("%(actor)s removed a consultation question of %(object)s"),
        extra=("summary", "section"),
    ),
    # Feedback from files
    "feedback.imported": ActionText(
        _l("Feedback imported"),
        _l("%(actor)s imported reactions from a file into %(object)s"),
        extra=("summary",),
    ),
    # Reactions
    "comment.reported": ActionText(
        _l("Reaction reported"), _l("%(actor)s reported reaction %(object)s"), extra=("summary",)
    ),
    "comment.report_dismissed": ActionText(
        _l("Report dismissed"),
        _l("%(actor)s dismissed a report about reaction %(object)s"),
        extra=("summary",),
    ),
    "comment.hidden": ActionText(
        _l("Reaction hidden"), _l("%(actor)s hid reaction %(object)s"), extra=("summary",)
    ),
    "comment.restored": ActionText(
        _l("Reaction shown again"), _l("%(actor)s showed reaction %(object)s again")
    ),
    "comment.approved": ActionText(
        _l("Reaction approved"), _l("%(actor)s approved reaction %(object)s")
    ),
    "comment.assigned": ActionText(
        _l("Reaction assigned"), _l("%(actor)s assigned reaction %(object)s"), extra=("summary",)
    ),
    "comment.decided": ActionText(
        _l("Decision on a reaction"), _l("%(actor)s decided on reaction %(object)s: %(decision)s")
    ),
    "comment.answered": ActionText(
        _l("Decision answered"),
        _l("%(actor)s answered the decision on reaction %(object)s"),
        extra=("summary",),
    ),
    # Group positions
    "position.sent": ActionText(
        _l("Group position sent"),
        _l("%(actor)s sent the position of %(group)s as reaction %(object)s"),
        extra=("edition",),
    ),
    # Attachments
    "attachment.added": ActionText(
        _l("Attachment added"),
        _l("%(actor)s added an attachment to reaction %(object)s"),
        extra=("summary",),
    ),
    # The job queue
    "job.sent_again": ActionText(
        _l("Failed job sent again"), _l("%(actor)s put a failed job back in the queue: %(object)s")
    ),
    "job.put_aside": ActionText(
        _l("Failed job put aside"), _l("%(actor)s put a failed job aside: %(object)s")
    ),
}

# For an action without an entry (recorded by code newer than this list, or by a script).
GENERIC_SENTENCE = _l("%(actor)s: “%(action)s” on %(object)s")
GENERIC_SENTENCE_WITHOUT_OBJECT = _l("%(actor)s: “%(action)s”")


def action_name(action: str) -> str:
    known = ACTIONS.get(action)
    return str(known.name) if known else action


def sentence_template(action: str, has_object: bool) -> LazyString:
    known = ACTIONS.get(action)
    if known is not None:
        return known.sentence
    return GENERIC_SENTENCE if has_object else GENERIC_SENTENCE_WITHOUT_OBJECT


def families() -> list[tuple[str, LazyString, list[str]]]:
    """(prefix, name, actions) of each family with known actions, for the filter."""
    return [
        (prefix, name, [a for a in ACTIONS if a.partition(".")[0] == prefix])
        for prefix, name in FAMILIES.items()
        if any(a.partition(".")[0] == prefix for a in ACTIONS)
    ]


DETAIL_LABELS: dict[str, LazyString] = {
    "old": _l("Before"),
    "new": _l("After"),
    "visibility": _l("Visibility"),
    "groups": _l("Groups"),
    "edition": _l("Edition"),
    "closes_on": _l("Closing date"),
    "section": _l("Section"),
}


def details_text(event: AuditEvent) -> str:
    """What the log shows beside an event's sentence: what its entry names (everything that
    was recorded, for an action without one)."""
    known = ACTIONS.get(event.action)
    details = event.details or {}
    keys = known.extra if known is not None else ("summary", *details)
    parts = []
    for key in keys:
        value = event.summary if key == "summary" else details.get(key)
        if value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        label = DETAIL_LABELS.get(key) if known is not None else key
        parts.append(f"{label}: {shown}" if label and key != "summary" else shown)
    return "; ".join(parts)


def _role(value: Any) -> str:
    try:
        return str(ROLE[Role(value)])
    except ValueError:  # a role that no longer exists, or none recorded
        return str(value or "")


def _disposition(value: Any) -> str:
    try:
        return str(DISPOSITION[Disposition(value)])
    except ValueError:
        return str(value or "")


def sentence_values(event: AuditEvent) -> dict[str, str]:
    """The placeholders a sentence may name besides actor and object, as text, from what was
    recorded with the event (roles and decisions by their display names)."""
    details = event.details or {}
    return {
        "action": event.action,
        "email": str(details.get("email") or event.summary or ""),
        "role": _role(details.get("role")),
        "old": _role(details.get("old")) if event.action == "person.role_changed" else "",
        "new": _role(details.get("new")) if event.action == "person.role_changed" else "",
        "decision": _disposition(details.get("disposition")),
        "group": str(details.get("group") or ""),
        "invited": str(details.get("invited", "")),
        "added": str(details.get("added", "")),
        "file": str(details.get("file") or event.summary or ""),
    }
