"""Downloads of the feedback: a version's (with the workspace's filters) or a whole
document's, in every format of exports.formats. For those who read the review workspace:
the review group and the document's authors."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask import request as flask_request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..exports.formats import FORMATS, too_large_for_a_page, too_large_message
from ..exports.queued import exports_of, queue_export
from ..exports.queued import folder as export_folder
from ..exports.rows import ExportRequest
from ..extensions import db
from ..models import Document, ExportFile
from ..permissions import Action
from .downloads import export_download, private_file
from .helpers import ButtonForm, require, workspace_filter
from .loading import load_document, load_version

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
    if too_large_for_a_page(db.session, request, fmt) is not None:
        return redirect(_export_url(request, fmt, later=True))
    return export_download(request, fmt)


# Too large for a page request: made in the background ---------------------------------------


@bp.route("/documents/<slug>/v/<int:number>/export/<fmt>/later", methods=["GET", "POST"])
def version_export_later(slug: str, number: int, fmt: str) -> ResponseReturnValue:
    version = load_version(slug, number)
    require(Action.READ_WORKSPACE, version.document)
    return _later(ExportRequest(version.document, version, current_user,
                                criteria=workspace_filter()), fmt)  # fmt: skip


@bp.route("/documents/<slug>/export/<fmt>/later", methods=["GET", "POST"])
def document_export_later(slug: str, fmt: str) -> ResponseReturnValue:
    document = load_document(slug)
    require(Action.READ_DOCUMENT, document)
    require(Action.READ_WORKSPACE, document)
    return _later(ExportRequest(document, None, current_user), fmt)


def _export_url(request: ExportRequest, fmt: str, *, later: bool) -> str:
    """The download's address (or its page for the background), with the same query string
    (the filters), which never goes through url_for's own arguments."""
    slug = request.document.slug
    if request.version is None:
        endpoint = ".document_export_later" if later else ".document_export"
        address = url_for(endpoint, slug=slug, fmt=fmt)
    else:
        endpoint = ".version_export_later" if later else ".version_export"
        address = url_for(endpoint, slug=slug, number=request.version.number, fmt=fmt)
    query = flask_request.query_string.decode("latin-1")
    return f"{address}?{query}" if query else address


def _later(request: ExportRequest, fmt: str) -> ResponseReturnValue:
    """The page that says why the export is not made here and offers to make it in the
    background; its button asks for it."""
    if fmt not in FORMATS:
        abort(404)
    count = too_large_for_a_page(db.session, request, fmt)
    if count is None:  # small enough (the filters narrowed it, or reactions went)
        return redirect(_export_url(request, fmt, later=False))
    form = ButtonForm()
    if form.validate_on_submit():
        queue_export(db.session, current_user, request, fmt, str(get_locale() or "nl"))
        db.session.commit()
        flash(_("The export is being made. It appears here when it is ready, and you get a "
                "message."), "success")  # fmt: skip
        return redirect(url_for(".made_exports"))
    return render_template("exports/later.html", count=count, message=too_large_message(count),
                           form=form, fmt=FORMATS[fmt], back=_back(request))  # fmt: skip


@bp.get("/me/exports")
@login_required
def made_exports() -> str:
    return render_template("exports/made.html", exports=exports_of(db.session, current_user))


@bp.get("/me/exports/<int:export_id>")
@login_required
def made_export(export_id: int) -> BaseResponse:
    """The file, for its owner; while it is being made, the list says so."""
    export = db.session.get(ExportFile, export_id)
    if export is None:
        abort(404)
    require(Action.READ_EXPORT_FILE, export)
    if export.stored_name is None:
        flash(_("%(filename)s is still being made.", filename=export.filename), "info")
        return redirect(url_for(".made_exports"))
    path, fmt = export_folder() / export.stored_name, FORMATS[export.fmt]
    return private_file(path, fmt.mimetype, export.filename, "private, no-store")
