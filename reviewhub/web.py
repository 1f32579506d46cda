"""Blueprints, template helpers and error pages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter, Map
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from . import accounts, labels
from .extensions import db, login_manager
from .feedback import display
from .i18n import local_today
from .models import User
from .permissions import Action, can, is_open_for_feedback

E = TypeVar("E", bound=Enum)

# The largest number a database integer column holds (BIGINT, SQLite's INTEGER): a larger id
# in a URL or query string reaches the driver as an OverflowError, a 500.
MAX_ID = 2**63 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` for numbers a database column can hold; others match no route (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)
        self.min = -MAX_ID - 1 if self.min is None else max(self.min, -MAX_ID - 1)


def init_app(app: Flask) -> None:
    from .views import account, admin, auth, compare, documents, review, site

    app.url_map.converters["int"] = BoundedIntegerConverter  # before the rules are added
    app.before_request(_refuse_nul)
    for blueprint in (site.bp, auth.bp, account.bp, admin.bp, documents.bp, review.bp, compare.bp):
        app.register_blueprint(blueprint)
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
        render_comment=display.render_body,
        suggestion_diff=display.suggestion_diff,
        open_for_feedback=is_open_for_feedback,
        page_url=page_url,
    )
    app.jinja_env.filters["display_name"] = display_name
    app.register_error_handler(CSRFError, _stale_form)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)


def _load_user(token: str) -> User | None:
    """The person whose log-in session ``token`` names, while that session holds: log-out,
    deactivation and a new password end it (accounts.session_user)."""
    return accounts.session_user(db.session, token)


def display_name(user: User | None) -> str:
    """How a person is named on pages; anonymised accounts stay recognisable as such."""
    if user is None:
        return _l("the system")
    return user.name or _l("Former participant")


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static file's URL with its content hash, so browsers may cache it for a year."""
    assert current_app.static_folder
    return url_for(
        "static", filename=filename, v=_file_digest(f"{current_app.static_folder}/{filename}")
    )


def enum_arg(enum_class: type[E], name: str) -> E | None:
    """The query-string argument ``name`` as a member of ``enum_class``; None when absent or
    unknown (a filter that cannot match is simply not applied)."""
    value = request.args.get(name, "")
    return enum_class(value) if value in enum_class._value2member_map_ else None


def _refuse_nul() -> None:
    """400 for a NUL character in the path, the query or a form field: no text here holds
    one, and PostgreSQL will neither store nor compare it (the query fails: a 500)."""
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if "\x00" in request.path or any("\x00" in key + value for key, value in fields):
        abort(400)


def parse_id(text: str | None) -> int | None:
    """``text`` as an id or count a database column can hold, else None. ``str.isdigit``
    alone lets through "²" (``int`` fails on it) and numbers too large for the database."""
    if not text or not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def int_arg(name: str) -> int | None:
    """The query-string argument ``name`` as a non-negative number (see ``parse_id``); None
    when absent or not such a number."""
    return parse_id(request.args.get(name))


def page_url(endpoint: str, page: int) -> str:
    """This page's URL asking for another ``page``, the other query arguments kept. They are
    encoded, never passed to ``url_for`` as keywords: ``?endpoint=x`` or ``?_method=…``
    would clash with its own parameters."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    base = url_for(endpoint, **(request.view_args or {}))
    return f"{base}?{urlencode([*kept, ('page', str(page))])}"


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field, from (value, label) pairs."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes: usable by keyboard and screen reader alike."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def deny() -> NoReturn:
    """Refuse: visitors are sent to log in (they may have access then), people who are
    logged in get 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def keeps_input(view: Any) -> Any:
    """Mark a form view that re-renders itself, input kept, when its form went stale."""
    view.keeps_input = True
    return view


def _stale_form(error: CSRFError) -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "keeps_input", False):
        g.stale_form = True
        try:
            response = make_response(view(**(request.view_args or {})))
        except HTTPException as refusal:  # the view itself refused (404, 403): say that
            return _http_error(refusal)
        response.status_code = 400
        return response
    return _http_error(error)


def _untrusted_host(error: SecurityError) -> Any:
    """A request for a host this service does not answer to (TRUSTED_HOSTS): no page, since
    no address on it may be built for that host."""
    return Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")


def _http_error(error: HTTPException) -> Any:
    return render_template("errors/error.html", error=error), error.code or 500
