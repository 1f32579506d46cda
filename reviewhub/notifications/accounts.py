"""The mails of accounts: invitations and password resets. Their links are made from the
configured base URL only, never from a request's Host header, which anyone can set."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from .. import accounts
from ..models import User
from . import mail


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` under REVIEWHUB_BASE_URL, in a request or not."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def invitation_mail(person: User) -> tuple[EmailMessage, str]:
    """The invitation message for ``person`` and the fresh link in it."""
    token = accounts.make_link_token(
        person, accounts.INVITATION, secret=current_app.config["SECRET_KEY"]
    )
    link = external_url("auth.accept_invitation", token=token)
    with force_locale(person.language):
        subject = gettext("Your invitation to ReviewHub")
        return _link_mail("mail/invitation.txt", person, link, subject), link


def password_reset_mail(user: User, token: str) -> EmailMessage:
    """The message with the reset link of ``token``, in the person's language."""
    link = external_url("auth.reset_password", token=token)
    with force_locale(user.language):
        return _link_mail("mail/password_reset.txt", user, link, gettext("Set a new password"))


def _link_mail(template: str, person: User, link: str, subject: str) -> EmailMessage:
    text = render_template(template, person=person, link=link)
    return mail.build_message(person.email, subject, text)
