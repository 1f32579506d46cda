"""Site-wide pages: the front page and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response

from .safety import safe_next_url

bp = Blueprint("site", __name__)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("documents.index"))


@bp.post("/language")
def set_language() -> Response:
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    return redirect(safe_next_url(request.form.get("next")) or url_for("documents.index"))
