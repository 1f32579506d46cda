"""The response that sends an export of the feedback as a file: the same for the site's
downloads and the API's."""

from __future__ import annotations

from flask import Response, stream_with_context

from ..clock import local_today
from ..exports.formats import make_export
from ..exports.rows import ExportRequest
from ..extensions import db


def export_download(request: ExportRequest, fmt: str) -> Response:
    """The export streamed as an attachment, never kept by a shared cache."""
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
