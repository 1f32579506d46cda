"""Error pages and odd input: every HTTP error as a page, a stale form shown again with what
was typed, a form the busy database could not save shown again with what was typed, an
unknown host refused without a page, a NUL character refused."""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException, SecurityError, ServiceUnavailable

from ..extensions import db
from ..transactions import SAFE_METHODS, is_transient
from .problems import from_http_error, wants_problem

BUSY_RETRY_AFTER_S = 5
NUL_REFUSED = _l("A NUL character (\\0) cannot be part of an address, a form or a text.")


def _refuse_nul() -> None:
    """400 for a NUL character in the path, the query, a form field or a JSON body (the
    API's): no text here holds one, and PostgreSQL will neither store nor compare it (the
    query fails: a 500)."""
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if "\x00" in request.path or any("\x00" in key + value for key, value in fields):
        abort(400, str(NUL_REFUSED))
    if request.is_json and request.content_length and _holds_nul(request.get_json(silent=True)):
        abort(400, str(NUL_REFUSED))


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _stale_form(error: CSRFError) -> ResponseReturnValue:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "keeps_input", False):
        g.stale_form = True
        try:
            response = make_response(view(**(request.view_args or {})))
        except HTTPException as refusal:  # the view itself refused (404, 403): say that
            return _http_error(refusal)
        response.status_code = 400
        return response
    return _http_error(error)


def _busy(error: exc.DBAPIError) -> ResponseReturnValue:
    """The database stayed busy through every attempt (transactions.retrying): the form again with
    what was typed, and a request to send it once more; never a bare 500."""
    if not is_transient(error):
        raise error
    db.session.rollback()
    flash(_("It is very busy: this could not be saved just now. Please send it again."), "error")
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in SAFE_METHODS and getattr(view, "keeps_input", False):
        assert view is not None
        g.write_failed = True  # views.helpers.Form: no form validates, so nothing is written
        response = make_response(view(**(request.view_args or {})))
    else:
        response = make_response(_http_error(ServiceUnavailable()))
    response.status_code = 503
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


def _untrusted_host(error: SecurityError) -> Response:
    """A request for a host this service does not answer to (TRUSTED_HOSTS): no page, since
    no address on it may be built for that host."""
    return Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if wants_problem():  # an API client gets problem details, never a page
        return from_http_error(error)
    return render_template("errors/error.html", error=error), error.code or 500


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.register_error_handler(CSRFError, _stale_form)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(exc.DBAPIError, _busy)
