"""The web layer wired together: the blueprints, the URL converter for ids, log-in, template
globals and error handlers. It imports the views; nothing in views/ imports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map

from . import accounts, labels
from .clock import local_today
from .extensions import db, login_manager
from .feedback import display
from .models import User
from .permissions import Action, can, is_open_for_feedback
from .transactions import retrying
from .views import (
    account,
    admin,
    auth,
    compare,
    documents,
    errors,
    exports,
    imports,
    positions,
    progress,
    review,
    site,
    workspace,
)
from .views.helpers import MAX_ID, asset_url, display_name, page_url


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` for numbers a database column can hold; others match no route (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)
        self.min = -MAX_ID - 1 if self.min is None else max(self.min, -MAX_ID - 1)


# Pages that take a larger upload than the site's request limit: a meeting's spreadsheet or
# a commented Word file may be up to 10 MB (imports.sheet.MAX_FILE; larger is refused with a
# message there), with room for the rest of the form.
LARGER_REQUESTS = {"imports.upload": 11 * 1024 * 1024}


def request_limit() -> None:
    """The request limit of this page, set before anything reads the body."""
    limit = LARGER_REQUESTS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter  # before the rules are added
    blueprints = (site.bp, auth.bp, account.bp, admin.bp, documents.bp, review.bp, compare.bp,
                  workspace.bp, progress.bp, positions.bp, exports.bp,
                  imports.bp)  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":  # a busy database is tried again before anyone sees it
            # Flask types a view as sync or async; every view here is sync.
            sync_view: Callable[..., ResponseReturnValue] = view  # type: ignore[assignment]
            app.view_functions[endpoint] = retrying(sync_view)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.user_loader(_load_user)
    app.jinja_env.globals.update(
        asset_url=asset_url,
        can=can,
        Action=Action,
        labels=labels,
        local_today=local_today,
        format_date=format_date,
        format_datetime=format_datetime,
        get_locale=get_locale,
        display_name=display_name,
        suggestion_diff=display.suggestion_diff,
        open_for_feedback=is_open_for_feedback,
        page_url=page_url,
    )
    app.jinja_env.filters["display_name"] = display_name
    errors.init_app(app)


def _load_user(token: str) -> User | None:
    """The person whose log-in session ``token`` names, while that session holds: log-out,
    deactivation and a new password end it (accounts.session_user)."""
    return accounts.session_user(db.session, token)
