"""Telling people what happened: a reply to their reaction, a decision on their reaction (or
their group's), a new version of a document they follow. Whatever stores the event (a page,
the API, a command, an import) flushes it, and ``_seen`` enqueues the job that tells the
people concerned once the transaction commits; the job writes each person's notification and
mails it as they chose (at once, in a daily digest, or not).

A notification's text is made when it is shown or mailed, in the reader's language, from its
kind and its parameters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import labels
from ..dbtypes import DbSession
from ..extensions import db
from ..jobs import enqueue_after_commit, job, periodic
from ..models import (
    Comment,
    Disposition,
    DispositionChange,
    EmailMode,
    Follow,
    Membership,
    Notification,
    NotificationKind,
    NotificationSettings,
    User,
    Version,
    VersionStatus,
)
from ..permissions import Action, can
from . import mail
from .accounts import external_url

UNSUBSCRIBE_SALT = "reviewhub-unsubscribe"


# Seeing the events -------------------------------------------------------------------------


def watch() -> None:
    """Listen for the events (once, whatever the number of apps)."""
    if not event.contains(Session, "after_flush", _seen):
        event.listen(Session, "after_flush", _seen)


def _seen(session: Session, _context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Comment) and obj.parent_id is not None:
            enqueue_after_commit(session, tell_of_reply, obj.id)
        elif isinstance(obj, DispositionChange):
            enqueue_after_commit(session, tell_of_decision, obj.id)
        elif isinstance(obj, Version) and obj.status is not VersionStatus.DRAFT:
            enqueue_after_commit(session, tell_of_version, obj.id)


# The jobs ----------------------------------------------------------------------------------


@job(describe=lambda reply_id: f"reply {reply_id}")
def tell_of_reply(reply_id: int) -> None:
    reply = db.session.get(Comment, reply_id)
    if reply is None or reply.parent is None or reply.parent.author is None:
        return
    version = reply.section.version
    params = {
        "reference": reply.parent.reference or "",
        "document": version.document.title,
        "label": version.label,
    }
    path = _path("review.permalink", comment_id=reply.id)
    _tell([reply.parent.author], NotificationKind.REPLY, params, path, reply, reply.author)


@job(describe=lambda change_id: f"decision {change_id}")
def tell_of_decision(change_id: int) -> None:
    change = db.session.get(DispositionChange, change_id)
    if change is None:
        return
    comment = change.comment
    people: list[User] = [comment.author] if comment.author else []
    if comment.group_id is not None:  # the group's members who follow the document
        people += db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Follow, Follow.user_id == User.id)
            .where(
                Membership.group_id == comment.group_id,
                Follow.document_id == comment.section.version.document_id,
            )
        ).all()
    params = {
        "reference": comment.reference or "",
        "status": change.disposition.value,
        "motivation": (change.motivation or "")[:300],
    }
    path = _path("review.permalink", comment_id=comment.id)
    _tell(people, NotificationKind.DECISION, params, path, comment, change.decided_by)


@job(describe=lambda version_id: f"version {version_id}")
def tell_of_version(version_id: int) -> None:
    version = db.session.get(Version, version_id)
    if version is None:
        return
    followers = db.session.scalars(
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.document_id == version.document_id)
    ).all()
    earlier = [
        v
        for v in version.document.versions
        if v.number < version.number and v.status is not VersionStatus.DRAFT
    ]
    path = (
        _path("compare.compare", slug=version.document.slug, a=earlier[-1].number, b=version.number)
        if earlier
        else _path("documents.version", slug=version.document.slug, number=version.number)
    )
    params = {
        "document": version.document.title,
        "label": version.label,
        "summary": (version.change_summary or "")[:500],
    }
    _tell(followers, NotificationKind.NEW_VERSION, params, path, version, version.published_by)


def _tell(
    people: Sequence[User],
    kind: NotificationKind,
    params: dict[str, Any],
    path: str,
    about: Any,
    actor: User | None,
) -> None:
    """Each person who may read ``about`` and wants to hear of ``kind``, once; never the one
    who did it."""
    action = Action.READ_VERSION if isinstance(about, Version) else Action.READ_COMMENT
    chosen = _settings_of_all(people)  # one query for every follower, not one each
    told: set[int] = set()
    for person in people:
        if person.id in told or (actor and person.id == actor.id) or not person.active:
            continue
        settings = chosen.get(person.id) or _default_settings(person)
        if kind.value in settings.kinds_off or not can(person, action, about):
            continue
        told.add(person.id)
        notification = Notification(user=person, kind=kind, params=params, path=path)
        db.session.add(notification)
        _mail_at_once(notification, settings.email)
    db.session.commit()


def _settings_of_all(people: Sequence[User]) -> dict[int, NotificationSettings]:
    ids = {person.id for person in people}
    found = db.session.scalars(
        select(NotificationSettings).where(NotificationSettings.user_id.in_(ids))
    )
    return {settings.user_id: settings for settings in found}


# Settings, texts and mail ------------------------------------------------------------------


def settings_of(session: DbSession, person: User) -> NotificationSettings:
    """What ``person`` chose; everything, by mail at once, while they chose nothing."""
    return session.get(NotificationSettings, person.id) or _default_settings(person)


def _default_settings(person: User) -> NotificationSettings:
    return NotificationSettings(user_id=person.id, kinds_off=[], email=EmailMode.IMMEDIATE)


def text_of(notification: Notification) -> str:
    """The notification in one sentence, in the current language."""
    p = notification.params
    match notification.kind:
        case NotificationKind.REPLY:
            return gettext(
                "Someone replied to your reaction %(reference)s on %(label)s of %(document)s.", **p
            )
        case NotificationKind.DECISION:
            status = labels.DISPOSITION[Disposition(p["status"])]
            return gettext(
                "The review group decided on %(reference)s: %(status)s.",
                reference=p.get("reference", ""),
                status=status,
            )
        case NotificationKind.NEW_VERSION:
            return gettext("%(document)s: %(label)s is published.", **p)
    return ""


def _mail_at_once(notification: Notification, mode: EmailMode) -> None:
    if mode is EmailMode.DAILY:
        return  # the digest sends it
    notification.emailed_at = datetime.now(UTC)
    if mode is EmailMode.IMMEDIATE:
        mail.send(_message(notification.user, [notification]))


def _message(person: User, notifications: list[Notification]) -> Any:
    with force_locale(person.language):
        lines = []
        for n in notifications:
            lines += [text_of(n), external_url_of(n.path), ""]
            if n.kind is NotificationKind.DECISION and n.params.get("motivation"):
                lines.insert(-2, n.params["motivation"])
        kinds = sorted({n.kind for n in notifications})
        unsubscribe = [gettext("No more mail like this (no log-in needed):")]
        unsubscribe += [
            external_url("inbox.unsubscribe", token=unsubscribe_token(person, k)) for k in kinds
        ]
        subject = (
            text_of(notifications[0])
            if len(notifications) == 1
            else gettext("%(count)d new messages on ReviewHub", count=len(notifications))
        )
        text = "\n".join(
            [
                gettext("Hello %(name)s,", name=person.name),
                "",
                *lines,
                gettext("Your messages: %(link)s", link=external_url("inbox.inbox")),
                "",
                *unsubscribe,
            ]
        )
        return mail.build_message(person.email, subject, text)


def external_url_of(path: str) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + path


def _path(endpoint: str, **values: Any) -> str:
    """The site-relative address (without the base URL's own path, added when mailed)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def send_digests(session: DbSession) -> int:
    """One mail per person on the daily digest with what came in since the last; the count."""
    waiting = session.scalars(
        select(Notification)
        .join(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(NotificationSettings.email == EmailMode.DAILY, Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at)
    ).all()
    by_person: dict[int, list[Notification]] = {}
    for n in waiting:
        by_person.setdefault(n.user_id, []).append(n)
    now = datetime.now(UTC)
    for notifications in by_person.values():
        for n in notifications:
            n.emailed_at = now
        mail.send(_message(notifications[0].user, notifications))
    session.commit()
    return len(by_person)


# Unsubscribing -----------------------------------------------------------------------------


def unsubscribe_token(person: User, kind: NotificationKind) -> str:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    return str(serializer.dumps({"u": person.id, "k": kind.value}))


def unsubscribe_target(session: DbSession, token: str) -> tuple[User, NotificationKind] | None:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        data = serializer.loads(token)
        person, kind = session.get(User, int(data["u"])), NotificationKind(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (person, kind) if person is not None else None


def switch_off(session: DbSession, person: User, kind: NotificationKind) -> None:
    found = session.get(NotificationSettings, person.id)
    if found is None:
        found = NotificationSettings(user_id=person.id, kinds_off=[], email=EmailMode.IMMEDIATE)
        session.add(found)
    if kind.value not in found.kinds_off:
        found.kinds_off = [*found.kinds_off, kind.value]


@periodic(hour="7", minute="0")
def daily_digests() -> None:
    """At seven in the morning (UTC), the digests of those who asked for one."""
    send_digests(db.session)
