"""Language choice and the service's time zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_request_context, session
from flask_babel import get_timezone
from flask_login import current_user


def select_locale() -> str:
    """The language chosen on this visit, else the person's preference, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("language")
        if chosen in languages:
            return chosen
        preferred = getattr(current_user, "language", None)
        if preferred in languages:
            return preferred
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_today() -> date:
    """Today in Europe/Amsterdam: closing dates are Dutch calendar dates."""
    return datetime.now(get_timezone()).date()
