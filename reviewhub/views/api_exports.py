"""The JSON API's exports of a version's feedback: the files the site's downloads give
(exports.formats), narrowed by the workspace's filters, for those who read the review
workspace (the review group and the document's authors)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import RAISE, Schema, fields, validate

from ..exports.formats import FORMATS, too_large_for_a_page, too_large_message
from ..exports.rows import ExportRequest
from ..extensions import db
from ..models import CommentKind, Disposition, TokenScope
from ..permissions import Action, can
from .api_common import blueprint, readable_version, requires, workspace_criteria
from .downloads import export_download
from .helpers import MAX_ID

bp = blueprint("api_exports", __name__, "Exports of the feedback.")

FORMAT_PARAMETER = {
    "in": "path", "name": "fmt", "required": True,
    "schema": {"type": "string", "enum": list(FORMATS)},
    "description": "The file's format, as the site's downloads offer them.",
}  # fmt: skip
# What each media type's body is, for the description: JSON documents are objects, a CSV
# file text; the office files and the PDF are binary, described by their type alone.
_BODIES: dict[str, dict[str, Any]] = {
    "text/csv": {"type": "string"},
    "application/json": {"type": "object"},
    "application/ld+json": {"type": "object"},
}


def _media_types() -> dict[str, dict[str, Any]]:
    """The 200 answer's content, per media type (without parameters) with its formats."""
    names: dict[str, list[str]] = {}
    for fmt in FORMATS.values():
        names.setdefault(fmt.mimetype.partition(";")[0].strip(), []).append(fmt.name)
    content: dict[str, dict[str, Any]] = {}
    for media_type, formats in names.items():
        entry: dict[str, Any] = {"x-formats": formats}
        if media_type in _BODIES:
            entry["schema"] = _BODIES[media_type]
        content[media_type] = entry
    return content


EXPORT_RESPONSES = {
    200: {"description": "The file, as an attachment; its type follows the format.",
          "content": _media_types()},
}  # fmt: skip


class ExportQuerySchema(Schema):
    """The review workspace's filters: the export holds the reactions the list shows."""

    section = fields.String(validate=validate.Length(max=100),
                            metadata={"description": "A section's key."})  # fmt: skip
    kind = fields.String(validate=validate.OneOf([k.value for k in CommentKind]))
    status = fields.String(validate=validate.OneOf([d.value for d in Disposition]))
    group = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The id of the group reacted for."},
    )


@bp.route("/documents/<slug>/versions/<int:number>/exports/<fmt>", parameters=[FORMAT_PARAMETER])
# A misspelt filter is refused (422), not left out: the file would hold more than was asked.
@bp.arguments(ExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@bp.doc(responses=EXPORT_RESPONSES, security=[{"token": ["read"]}])
@requires(TokenScope.READ)
def export(slug: str, number: int, fmt: str, **filters: Any) -> Response:
    """The version's feedback as a file, in one of the formats of the site's downloads,
    narrowed like the review workspace (section, kind, status, group)."""
    version = readable_version(slug, number)
    if fmt not in FORMATS:
        abort(404, _("There is no export format %(format)s; choose one of: %(formats)s.",
                     format=fmt, formats=", ".join(FORMATS)))  # fmt: skip
    if not can(current_user, Action.READ_WORKSPACE, version.document):
        abort(403, _("Only the review group and the document's authors may export its feedback."))
    request = ExportRequest(
        version.document, version, current_user, criteria=workspace_criteria(filters)
    )
    _refuse_a_pdf_too_large(request, fmt)
    return export_download(request, fmt)


def _refuse_a_pdf_too_large(request: ExportRequest, fmt: str) -> None:
    """The site's limit and sentence: a PDF that large is not made within a request."""
    count = too_large_for_a_page(db.session, request, fmt)
    if count is not None:
        abort(422, str(too_large_message(count)))
