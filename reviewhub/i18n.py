"""Language choice: the visit's, else the person's, else Dutch."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    """The language chosen on this visit, else the person's preference, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("language")
        if isinstance(chosen, str) and chosen in languages:
            return chosen
        preferred = getattr(current_user, "language", None)
        if isinstance(preferred, str) and preferred in languages:
            return preferred
    return current_app.config["BABEL_DEFAULT_LOCALE"]
