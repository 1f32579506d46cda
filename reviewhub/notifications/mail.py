"""Outgoing mail: through SMTP when REVIEWHUB_SMTP_HOST is set, otherwise written to
``instance/outbox/`` (and logged) so every flow works on a laptop. Sent by a job of the
queue (reviewhub.jobs), never inside the request."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from uuid import uuid4

from flask import current_app

from ..extensions import db
from ..jobs import enqueue_after_commit, job

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Send through the job queue, once the transaction that made the mail commits (at once
    when none is open): the request never waits for the mail server, and a response takes
    no longer because an account exists (no enumeration through timing)."""
    enqueue_after_commit(db.session, deliver_mail, bytes(message))


def _described(raw: bytes) -> str:
    message = _parsed(raw)
    return f"{message['To']}: {message['Subject']}"


@job(describe=_described)
def deliver_mail(raw: bytes) -> None:
    """Through SMTP, or into the outbox folder; a mail server that refuses or cannot be
    reached raises, so that the queue tries again later."""
    message = _parsed(raw)
    config = current_app.config
    if config.get("SMTP_HOST"):
        _deliver(message, _SmtpSettings.of(config))
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid4().hex[:8]}.eml"
    path.write_bytes(raw)
    log.info("Mail to %s (%s) written to %s", message["To"], message["Subject"], path)


def _parsed(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


@dataclass(frozen=True)
class _SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> _SmtpSettings:
        return cls(
            host=str(config["SMTP_HOST"]),
            port=int(config.get("SMTP_PORT") or 25),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            starttls=bool(config.get("SMTP_STARTTLS")),
        )


def _deliver(message: EmailMessage, settings: _SmtpSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
