"""Language choice and the service's time zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_request_context, session
from flask_babel import get_timezone


def select_locale() -> str:
    """The visitor's explicit choice, else Dutch."""
    chosen = session.get("language") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_today() -> date:
    """Today in Europe/Amsterdam: closing dates are Dutch calendar dates."""
    return datetime.now(get_timezone()).date()
