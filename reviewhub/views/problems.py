"""Errors of the JSON API as problem details (RFC 9457): ``application/problem+json`` with
type, title, status and detail, and the fields a request got wrong. An API client never
receives an HTML page, also not for a 404 or 405 raised before any API code ran."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
PROBLEM_TYPE = "https://reviewhub.example/problems/"  # + a short name; documented in the API


def wants_problem() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str, detail: str = "", *, kind: str = "",
            errors: dict[str, list[str]] | None = None, **extra: Any) -> Response:  # fmt: skip
    body: dict[str, Any] = {"type": PROBLEM_TYPE + (kind or str(status)), "title": title,
                            "status": status}  # fmt: skip
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(json.dumps(body), status, mimetype="application/problem+json")


def from_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = problem(status, error.name, (error.description or "") if status != 500 else "")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reviewhub"'
    for header in ("Allow", "Retry-After"):
        value = dict(error.get_headers()).get(header)
        if value:
            response.headers[header] = value
    return response
