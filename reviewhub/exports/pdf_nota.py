"""The reactienota as PDF: the same nota rendered to HTML (templates/exports/reactienota.html)
and laid out by WeasyPrint as PDF/UA (tagged, so screen readers follow it; the headings give
its bookmarks)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app, render_template
from weasyprint import CSS, HTML

from .nota import Nota, byline, decision_line, objection_line

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "nota.css"


def write_pdf(nota: Nota, out: BinaryIO, *, uncompressed: bool = False) -> None:
    """``uncompressed``: the PDF's objects readable as they are (the tests read its tags
    and bookmarks)."""
    html = render_template(
        "exports/reactienota.html", nota=nota, byline=byline, decision_line=decision_line,
        objection_line=objection_line,
    )  # fmt: skip
    base = current_app.config.get("BASE_URL", "")
    HTML(string=html, base_url=base).write_pdf(
        out, stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1",
        uncompressed_pdf=uncompressed,
    )  # fmt: skip
