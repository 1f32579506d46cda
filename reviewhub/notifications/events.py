"""Telling people what happened: a reply to their reaction, a decision on their reaction (or
their group's), a new version of a document they follow, the passage of their reaction changed
in a new version, a round of a document they follow closing in three days. Whatever stores the
event (a page, the API, a command, an import) flushes it, and ``_seen`` enqueues the job that
tells the people concerned once the transaction commits; the job writes each person's
notification and mails it as they chose (at once, in a daily digest, or not). The reminders of
closing rounds are a daily job.

A notification's text is made when it is shown or mailed, in the reader's language, from its
kind and its parameters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date, gettext, ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import labels
from ..clock import local_today
from ..dbtypes import DbSession
from ..extensions import db
from ..jobs import enqueue_after_commit, job, periodic
from ..models import (
    CarriedReaction,
    CarryState,
    Comment,
    Disposition,
    DispositionChange,
    EmailMode,
    ExportFile,
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
REMIND_DAYS_BEFORE_CLOSING = 3
# A carried reaction in these states lies on words that are no longer what its author read.
PASSAGE_MOVED_ON = (CarryState.CHANGED, CarryState.ORPHANED, CarryState.SECTION_REMOVED)
REFERENCES_NAMED = 5  # in a message on changed passages; the rest as a count

Recipient = tuple[User, dict[str, Any]]  # a person and the parameters of their message


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
            stored_at = datetime.now(UTC).isoformat()
            enqueue_after_commit(session, tell_of_version, obj.id, stored_at)
            enqueue_after_commit(session, tell_of_changed_passages, obj.id)


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
    _tell(_all([reply.parent.author], params), NotificationKind.REPLY, path, reply, reply.author)


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
    _tell(_all(people, params), NotificationKind.DECISION, path, comment, change.decided_by)


@job(describe=lambda version_id, *_: f"version {version_id}")
def tell_of_version(version_id: int, stored_at: str | None = None) -> None:
    version = db.session.get(Version, version_id)
    if version is None:
        return
    params = {
        "document": version.document.title,
        "label": version.label,
        "summary": (version.change_summary or "")[:500],
    }
    # Those who followed when it was stored: a version whose job waited (say, the samples
    # loaded before a worker ran) is no news to someone who started following since.
    since = datetime.fromisoformat(stored_at) if stored_at else None
    recipients = _all(_followers(version.document_id, by=since), params)
    _tell(recipients, NotificationKind.NEW_VERSION, _changes_path(version), version,
          version.published_by)  # fmt: skip


@job(describe=lambda version_id: f"changed passages {version_id}")
def tell_of_changed_passages(version_id: int) -> None:
    """Each author whose reactions were carried into the new version onto words that changed
    (or are gone): one message, naming their reactions."""
    version = db.session.get(Version, version_id)
    if version is None:
        return
    moved_on = db.session.execute(
        select(Comment.author_id, Comment.reference)
        .join(CarriedReaction, CarriedReaction.comment_id == Comment.id)
        .where(
            CarriedReaction.version_id == version.id,
            CarriedReaction.state.in_(PASSAGE_MOVED_ON),
            Comment.deleted_at.is_(None),
        )
        .order_by(Comment.author_id, Comment.id)
    ).all()
    references: dict[int | None, list[str]] = {}
    for author_id, reference in moved_on:
        references.setdefault(author_id, []).append(reference or "")
    authors = db.session.scalars(select(User).where(User.id.in_(references))).all()
    common = {"document": version.document.title, "label": version.label}
    recipients = [(a, {**common, **_named(references[a.id])}) for a in authors]
    _tell(recipients, NotificationKind.PASSAGE_CHANGED, _changes_path(version), version, None)


def tell_of_export(export: ExportFile) -> None:
    """Its owner: the export they asked for is ready."""
    params = {"filename": export.filename, "document": export.document.title}
    path = _path("exports.made_export", export_id=export.id)
    _tell([(export.user, params)], NotificationKind.EXPORT_READY, path, export, None)


def _named(references: list[str]) -> dict[str, Any]:
    return {"count": len(references), "references": ", ".join(references[:REFERENCES_NAMED])}


def remind_of_closing_rounds(session: DbSession, today: date) -> int:
    """Tell the followers of each document whose round closes within three days, once per
    closing date (a round that is extended is reminded of again); the number told."""
    closing = session.scalars(
        select(Version).where(
            Version.status == VersionStatus.OPEN,
            Version.closes_on >= today,
            Version.closes_on <= today + timedelta(days=REMIND_DAYS_BEFORE_CLOSING),
        )
    ).all()
    told = 0
    for version in closing:
        assert version.closes_on is not None
        path = _path("documents.version", slug=version.document.slug, number=version.number)
        params = {
            "document": version.document.title,
            "label": version.label,
            "closes_on": version.closes_on.isoformat(),
        }
        reminded = _reminded(session, path, params["closes_on"])
        people = [p for p in _followers(version.document_id) if p.id not in reminded]
        told += _tell(_all(people, params), NotificationKind.ROUND_CLOSING, path, version, None)
    return told


def _reminded(session: DbSession, path: str, closes_on: str) -> set[int]:
    """Who was already reminded of this round closing on this date."""
    earlier = session.scalars(
        select(Notification).where(
            Notification.kind == NotificationKind.ROUND_CLOSING, Notification.path == path
        )
    )
    return {n.user_id for n in earlier if n.params.get("closes_on") == closes_on}


def _followers(document_id: int, by: datetime | None = None) -> Sequence[User]:
    """Who follows the document (who followed it ``by`` then, if given)."""
    query = (
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.document_id == document_id)
    )
    if by is not None:
        query = query.where(Follow.created_at <= by)
    return db.session.scalars(query).all()


def _changes_path(version: Version) -> str:
    """The comparison with the public version before it; the version itself if it is the
    first."""
    earlier = [
        v
        for v in version.document.versions
        if v.number < version.number and v.status is not VersionStatus.DRAFT
    ]
    if not earlier:
        return _path("documents.version", slug=version.document.slug, number=version.number)
    return _path(
        "compare.compare", slug=version.document.slug, a=earlier[-1].number, b=version.number
    )


def _all(people: Iterable[User], params: dict[str, Any]) -> list[Recipient]:
    return [(person, params) for person in people]


def _tell(
    recipients: Sequence[Recipient],
    kind: NotificationKind,
    path: str,
    about: Any,
    actor: User | None,
) -> int:
    """Each person who may read ``about`` and wants to hear of ``kind``, once; never the one
    who did it. The number told."""
    action = {Version: Action.READ_VERSION, ExportFile: Action.READ_EXPORT_FILE}.get(
        type(about), Action.READ_COMMENT
    )
    chosen = _settings_of_all([person for person, _ in recipients])  # one query for all
    told: set[int] = set()
    for person, params in recipients:
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
    return len(told)


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
        case NotificationKind.PASSAGE_CHANGED:
            return ngettext(
                "The passage of your reaction %(references)s changed in %(label)s of %(document)s.",
                "The passages of %(num)d of your reactions (%(references)s) changed in"
                " %(label)s of %(document)s.",
                p["count"],
                references=p["references"],
                label=p["label"],
                document=p["document"],
            )
        case NotificationKind.EXPORT_READY:
            return gettext("Your export %(filename)s of %(document)s is ready.", **p)
        case NotificationKind.ROUND_CLOSING:
            closes_on = format_date(date.fromisoformat(p["closes_on"]), "long")
            return gettext(
                "The round on %(label)s of %(document)s closes on %(date)s: react before then.",
                label=p["label"],
                document=p["document"],
                date=closes_on,
            )
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


@periodic(hour="6", minute="50")
def daily_reminders() -> None:
    """Before the digests: the reminders of rounds closing in three days."""
    remind_of_closing_rounds(db.session, local_today())


@periodic(hour="7", minute="0")
def daily_digests() -> None:
    """At seven in the morning (UTC), the digests of those who asked for one."""
    send_digests(db.session)
