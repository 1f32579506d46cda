"""The web layer wired together: the blueprints, the URL converter for ids, log-in, template
globals and error handlers. It imports the views; nothing in views/ imports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map

from . import accounts, labels
from .accounts import tokens
from .clock import local_today
from .extensions import db, login_manager
from .feedback import display
from .feedback.attachments import LABELS as ATTACHMENT_LABELS
from .models import User
from .permissions import Action, can, is_open_for_feedback
from .transactions import retrying
from .views import (
    account,
    admin,
    api,
    api_common,
    api_compare,
    api_exports,
    api_feedback,
    api_reference,
    attachments,
    auth,
    compare,
    documents,
    errors,
    exports,
    feeds,
    imports,
    inbox,
    jobqueue,
    positions,
    progress,
    questions,
    review,
    search,
    site,
    workspace,
)
from .views.helpers import MAX_ID, asset_url, display_name, page_url, signed_name
from .views.problems import API_PREFIX


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` for numbers a database column can hold; others match no route (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)
        self.min = -MAX_ID - 1 if self.min is None else max(self.min, -MAX_ID - 1)


# Pages that take a larger upload than the site's request limit: a meeting's spreadsheet or
# a commented Word file may be up to 10 MB (imports.sheet.MAX_FILE; larger is refused with a
# message there), with room for the rest of the form.
# An attachment to a reaction likewise (feedback.attachments.MAX_BYTES).
LARGER_REQUESTS = {"imports.upload": 11 * 1024 * 1024, "attachments.attach": 11 * 1024 * 1024,
                   "review.section": 11 * 1024 * 1024}  # fmt: skip
# The publish form takes a pasted text in a form field, which Flask caps at 500 KB: a text of
# up to this many times the source limit is answered in the form ("the file is 3072 KB; the
# limit is 2048 KB"), with the text kept, instead of a 413 page that loses it.
PASTED_SOURCE_ROOM = 3
# A JSON body to the API: a reaction of 2,000 characters with its passage fits many times.
API_BODY_LIMIT = 64 * 1024


def request_limit() -> None:
    """The request limit of this page, set before anything reads the body."""
    endpoint = request.endpoint or ""
    if request.path.startswith(API_PREFIX):
        request.max_content_length = API_BODY_LIMIT  # more is a 413 problem
    limit = LARGER_REQUESTS.get(endpoint)
    if limit is not None:
        request.max_content_length = limit
    if endpoint == "documents.publish":
        room = PASTED_SOURCE_ROOM * current_app.config["MAX_SOURCE_BYTES"]
        request.max_form_memory_size = max(room, request.max_form_memory_size or 0)
        request.max_content_length = max(room + 1024 * 1024, request.max_content_length or 0)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter  # before the rules are added
    blueprints = (site.bp, auth.bp, account.bp, admin.bp, documents.bp, review.bp, compare.bp,
                  workspace.bp, progress.bp, positions.bp, exports.bp,
                  imports.bp, attachments.bp, api_reference.bp, jobqueue.bp,
                  feeds.bp, inbox.bp, search.bp,
                  questions.bp)  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    api_common.api.init_app(app)  # before errors.init_app: its HTML and problem handlers win
    for part in (api.bp, api_feedback.bp, api_compare.bp, api_exports.bp):
        api_common.api.register_blueprint(part)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":  # a busy database is tried again before anyone sees it
            # Flask types a view as sync or async; every view here is sync.
            sync_view: Callable[..., ResponseReturnValue] = view  # type: ignore[assignment]
            app.view_functions[endpoint] = retrying(sync_view)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_api_client)
    app.jinja_env.globals.update(
        asset_url=asset_url,
        can=can,
        Action=Action,
        labels=labels,
        local_today=local_today,
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_number,  # 12.345 in Dutch, 12,345 in English
        get_locale=get_locale,
        display_name=display_name,
        signed_name=signed_name,
        attachment_labels=ATTACHMENT_LABELS,
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


def _load_api_client(request: Request) -> User | None:
    """The holder of the API token a request to /api/ carries (``Authorization: Bearer``);
    the token itself is kept in ``g`` for the API to check its scopes."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith(API_PREFIX) or not header.startswith("Bearer "):
        return None
    found = tokens.token_holder(db.session, header.removeprefix("Bearer ").strip())
    if found is None:
        return None
    person, g.api_token = found
    return person
