"""A version as PDF: its text with numbered sections, contents with page numbers, laid out
by WeasyPrint as PDF/UA from templates/exports/version.html and the print stylesheet, the
same one a browser prints the version page with."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from flask import current_app, render_template
from weasyprint import CSS, HTML

from ..models import Section, Version

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"


def write_version_pdf(
    version: Version, sections: Sequence[Section], address: str, out: BinaryIO
) -> None:
    """``address``: the version's web address, printed on the title page."""
    html = render_template(
        "exports/version.html", document=version.document, version=version, sections=sections,
        address=address, organisation=current_app.config.get("ORG_NAME", "ReviewHub"),
    )  # fmt: skip
    HTML(string=html, base_url=current_app.config.get("BASE_URL", "")).write_pdf(
        out, stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1"
    )
