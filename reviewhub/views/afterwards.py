"""Work that runs after the response has been sent, in its own app context and transaction:
what must not make the answer slower or faster (a reset mail for an account that may or may
not exist). Outside a request the work runs at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, after_this_request, current_app, has_request_context

from ..extensions import db
from ..transactions import retrying

log = logging.getLogger(__name__)


def after_response(work: Callable[..., None], *args: Any) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():
        _run(app, work, args)
        return

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(lambda: _run(app, work, args))
        return response


def _run(app: Flask, work: Callable[..., None], args: tuple[Any, ...]) -> None:
    with app.app_context():
        try:
            retrying(work)(*args)
        except Exception:  # the person has their answer already: log, never raise
            db.session.rollback()
            log.exception("Work after the response failed: %s", work.__name__)
