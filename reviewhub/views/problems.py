"""Errors of the JSON API as problem details (RFC 9457): ``application/problem+json`` with
type, title, status and detail, and the fields a request got wrong. An API client never
receives an HTML page, also not for a 404 or 405 raised before any API code ran."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
# A plain HTTP error is "about:blank" (RFC 9457 §4.2.1): its title is the status's name. A
# problem of our own gets a type of its own under the API, documented there.
OWN_TYPES = "/api/v1/problems/"


def wants_problem() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str, detail: str = "", *, kind: str = "",
            errors: dict[str, list[str]] | None = None, **extra: Any) -> Response:  # fmt: skip
    body: dict[str, Any] = {"type": OWN_TYPES + kind if kind else "about:blank", "title": title,
                            "status": status}  # fmt: skip
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(json.dumps(body), status, mimetype="application/problem+json")


def from_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    errors = _field_errors(error)
    detail = (error.description or "") if status != 500 else ""
    if errors:
        detail = _("These fields are missing or not valid: %(fields)s.",
                   fields=", ".join(sorted(errors)))  # fmt: skip
    response = problem(status, error.name, detail, errors=errors)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reviewhub"'
    for header in ("Allow", "Retry-After"):
        value = dict(error.get_headers()).get(header)
        if value:
            response.headers[header] = value
    return response


def _field_errors(error: HTTPException) -> dict[str, list[str]] | None:
    """What webargs found wrong with the request (flask-smorest puts it in ``data``), per
    field: ``{"limit": ["Must be greater than or equal to 1 …"]}``."""
    messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    if not isinstance(messages, dict):
        return None
    found: dict[str, list[str]] = {}
    for fields in messages.values():  # by location: query, json, form
        if isinstance(fields, dict):
            for name, texts in fields.items():
                found[str(name)] = (
                    [str(t) for t in texts] if isinstance(texts, list) else [str(texts)]
                )
    return found or None
