"""A version's feedback round after publication: its closing date moved later or earlier,
closed early, reopened, or the version made final. The text never changes, only status and
closing date; each change is audited, and the audit events are the document's timeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from . import audit
from .clock import local_today
from .dbtypes import DbSession
from .models import AuditEvent, User, Version, VersionStatus
from .permissions import Action, can

# The audit actions of a round, in the order a round usually meets them.
ROUND_ACTIONS = ("version.published", "version.extended", "version.shortened", "version.closed",
                 "version.reopened", "version.finalised")  # fmt: skip


class RoundRefused(ValueError):
    """The change was refused; ``str()`` says why. Nothing was changed."""


def change_closing_date(
    session: DbSession, actor: User, version: Version, closes_on: date, today: date | None = None
) -> None:
    """Extend or shorten an open round."""
    today = _allowed(actor, version, today)
    if version.effective_status(today) is not VersionStatus.OPEN:
        raise RoundRefused(lazy_gettext("Only an open round's closing date can be changed."))
    _check_future(closes_on, today)
    if closes_on == version.closes_on:
        raise RoundRefused(lazy_gettext("That is the closing date already."))
    before = version.closes_on
    version.closes_on = closes_on
    action = "version.extended" if before is None or closes_on > before else "version.shortened"
    _record(session, actor, version, action, before=before, closes_on=closes_on)


def close_round(
    session: DbSession, actor: User, version: Version, today: date | None = None
) -> None:
    """Close an open round today, before its closing date."""
    today = _allowed(actor, version, today)
    if version.effective_status(today) is not VersionStatus.OPEN:
        raise RoundRefused(lazy_gettext("This round is not open."))
    before = version.closes_on
    version.status, version.closes_on = VersionStatus.CLOSED, today
    _record(session, actor, version, "version.closed", before=before, closes_on=today)


def reopen_round(
    session: DbSession, actor: User, version: Version, closes_on: date, today: date | None = None
) -> None:
    """Open a closed round again, until ``closes_on``; only on the latest public version
    (reactions on an older one would miss the text that replaced it)."""
    today = _allowed(actor, version, today)
    if version.effective_status(today) is not VersionStatus.CLOSED:
        raise RoundRefused(lazy_gettext("Only a closed round can be reopened."))
    newer = newer_version(session, version)
    if newer is not None:
        raise RoundRefused(
            lazy_gettext(
                "%(label)s is newer: reactions belong there, so this round stays closed.",
                label=newer.label,
            )
        )
    _check_future(closes_on, today)
    version.status, version.closes_on = VersionStatus.OPEN, closes_on
    _record(session, actor, version, "version.reopened", closes_on=closes_on)


def make_final(
    session: DbSession, actor: User, version: Version, today: date | None = None
) -> None:
    """Mark the version as the final text: no more reactions; this cannot be undone."""
    today = _allowed(actor, version, today)
    if version.status is VersionStatus.FINAL:
        raise RoundRefused(lazy_gettext("This version is final already."))
    if version.effective_status(today) is VersionStatus.OPEN:
        version.closes_on = today  # the round ends with it
    version.status = VersionStatus.FINAL
    _record(session, actor, version, "version.finalised")


def _allowed(actor: User, version: Version, today: date | None) -> date:
    if not can(actor, Action.PUBLISH, version.document):
        raise RoundRefused(lazy_gettext("Only the document's authors can change its rounds."))
    if version.status is VersionStatus.DRAFT:
        raise RoundRefused(
            lazy_gettext("A draft has no feedback round: publish the text as an open version.")
        )
    return today or local_today()


def _check_future(closes_on: date, today: date) -> None:
    if closes_on < today:
        raise RoundRefused(
            lazy_gettext(
                "The closing date %(date)s lies in the past; choose today or later.",
                date=LazyString(format_date, closes_on, "long"),
            )
        )


def newer_version(session: DbSession, version: Version) -> Version | None:
    """The latest public version after ``version``, if any."""
    return session.scalar(
        select(Version)
        .where(
            Version.document_id == version.document_id,
            Version.number > version.number,
            Version.status != VersionStatus.DRAFT,
        )
        .order_by(Version.number.desc())
        .limit(1)
    )


def _record(
    session: DbSession, actor: User, version: Version, action: str, **dates: date | None
) -> None:
    details: dict[str, Any] = {k: v.isoformat() if v else None for k, v in dates.items()}
    audit.record(session, actor, action, version,
                 f"{version.document.slug} {version.label}",
                 document=version.document.slug, number=version.number, **details)  # fmt: skip


def current_version(versions: Sequence[Version]) -> Version | None:
    """The latest version that is not a draft: the one every visitor is pointed to."""
    public = [v for v in versions if v.status is not VersionStatus.DRAFT]
    return max(public, key=lambda v: v.number, default=None)


def open_round(versions: Sequence[Version]) -> Version | None:
    """The version open for reactions now, if any (the latest, should there be more)."""
    today = local_today()
    open_now = [v for v in versions if v.effective_status(today) is VersionStatus.OPEN]
    return max(open_now, key=lambda v: v.number, default=None)


@dataclass(frozen=True)
class RoundEvent:
    """One step of a version's round on the document's timeline."""

    at: datetime
    action: str
    closes_on: date | None
    before: date | None


def round_events(session: DbSession, versions: list[Version]) -> dict[int, list[RoundEvent]]:
    """The round changes of ``versions`` after their publication, oldest first, per version
    id: one query, however many versions."""
    found: dict[int, list[RoundEvent]] = defaultdict(list)
    if not versions:
        return found
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "version",
            AuditEvent.object_id.in_([v.id for v in versions]),
            AuditEvent.action.in_(ROUND_ACTIONS[1:]),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    for event in events:
        assert event.object_id is not None
        found[event.object_id].append(
            RoundEvent(
                event.at,
                event.action,
                _date(event.details.get("closes_on")),
                _date(event.details.get("before")),
            )
        )
    return found


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None
