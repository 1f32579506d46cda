"""Downloads of the feedback: a version's (with the workspace's filters) or a whole
document's, in every format of exports.formats. For those who read the review workspace:
the review group and the document's authors."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..clock import local_today
from ..exports.formats import FORMATS, PDF_LIMIT, make_export, too_large_for_a_page
from ..exports.rows import ExportRequest
from ..extensions import db
from ..models import Document
from ..permissions import Action
from .helpers import require, workspace_filter
from .loading import load_version

bp = Blueprint("exports", __name__)


@bp.get("/documents/<slug>/v/<int:number>/export/<fmt>")
def version_export(slug: str, number: int, fmt: str) -> BaseResponse:
    version = load_version(slug, number)
    require(Action.READ_WORKSPACE, version.document)
    request = ExportRequest(version.document, version, current_user, criteria=workspace_filter())
    return _download(request, fmt)


@bp.get("/documents/<slug>/export/<fmt>")
def document_export(slug: str, fmt: str) -> BaseResponse:
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        abort(404)
    require(Action.READ_DOCUMENT, document)
    require(Action.READ_WORKSPACE, document)
    return _download(ExportRequest(document, None, current_user), fmt)


def _back(request: ExportRequest) -> str:
    """The workspace the download was asked from (a whole document's: its latest version)."""
    version = request.version or request.document.versions[-1]
    return url_for("workspace.register_list", slug=request.document.slug, number=version.number)


def _download(request: ExportRequest, fmt: str) -> BaseResponse:
    if fmt not in FORMATS:
        abort(404)
    count = too_large_for_a_page(db.session, request, fmt)
    if count is not None:
        flash(_("A PDF of %(count)d reactions is too large to make here (at most %(limit)d). "
                "Download the reactienota in Word and save it as PDF, narrow the list with "
                "the filters, or ask an administrator to run the export command.",
                count=count, limit=PDF_LIMIT), "error")  # fmt: skip
        return redirect(_back(request))
    export = make_export(db.session, request, fmt, local_today())
    return Response(
        stream_with_context(export.chunks),
        mimetype=export.mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",  # feedback is not for shared caches
        },
    )
