"""The response that sends an export of the feedback as a file: the same for the site's
downloads and the API's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, send_file, stream_with_context

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


def private_file(path: Path, mimetype: str, filename: str, cache: str, **conditions: Any) -> Any:
    """A file the service keeps for someone (an attachment, an export made in the background)
    as a download: never shown in our origin, whatever a browser makes of the bytes; 404 when
    the file is gone. ``cache``: its Cache-Control; ``conditions``: send_file's etag and such."""
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0, **conditions)  # fmt: skip
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = cache
    return response
