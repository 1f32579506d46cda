"""Downloads of the feedback: a version's (with the workspace's filters) or a whole
document's, in every format of exports.formats. For those who read the review workspace:
the review group and the document's authors."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..exports.formats import FORMATS, too_large_for_a_page, too_large_message
from ..exports.rows import ExportRequest
from ..extensions import db
from ..models import Document
from ..permissions import Action
from .downloads import export_download
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
        flash(str(too_large_message(count)), "error")
        return redirect(_back(request))
    return export_download(request, fmt)
