"""Outgoing mail: through SMTP when REVIEWHUB_SMTP_HOST is set, otherwise written to
``instance/outbox/`` (and logged) so every flow works on a laptop."""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from uuid import uuid4

from flask import current_app

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
    """Send, or write to the outbox. SMTP runs in the background so that a response never
    takes longer because an account exists (no enumeration through timing)."""
    config = current_app.config
    if config.get("SMTP_HOST"):
        settings = _SmtpSettings(
            host=str(config["SMTP_HOST"]),
            port=int(config.get("SMTP_PORT") or 25),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            starttls=bool(config.get("SMTP_STARTTLS")),
        )
        threading.Thread(target=_deliver, args=(message, settings), daemon=True).start()
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    log.info("Mail to %s (%s) written to %s", message["To"], message["Subject"], path)


@dataclass(frozen=True)
class _SmtpSettings:
    """The mail server, read from the configuration before the request ends."""

    host: str
    port: int
    username: str
    password: str
    starttls: bool


def _deliver(message: EmailMessage, settings: _SmtpSettings) -> None:
    try:
        with smtplib.SMTP(settings.host, settings.port) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %s", message["To"])
