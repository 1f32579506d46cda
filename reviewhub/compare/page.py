"""The comparison page's template helpers, and the page as a standalone HTML file. The edge of
the compare wing towards the web: it renders templates, so it needs an app context (the
compare blueprint and the command line's `diff --format html` both have one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, render_template

from ..models import Version
from .blocks import Op
from .html import render_blocks, render_spans, side_by_side, whole_section, with_id_prefix
from .labels import change_labels, summary_lines
from .versions import Comparison


def standalone_html(
    comparison: Comparison, old: Version, new: Version, html: dict[int, str]
) -> str:
    """The comparison as one HTML file to keep or send: styles inside, no links back."""
    return render_template(
        "compare/export.html",
        document=old.document,
        old=old,
        new=new,
        comparison=comparison,
        html=html,
        view="inline",
        standalone=True,
        stylesheet=_stylesheet(),
        **template_helpers(),
    )


def template_helpers() -> dict[str, Any]:
    """What the comparison templates call to show changes."""
    return {
        "Op": Op,
        "render_blocks": render_blocks,
        "render_spans": render_spans,
        "side_by_side": side_by_side,
        "whole_section": whole_section,
        "with_id_prefix": with_id_prefix,
        "summary_lines": summary_lines,
        "change_labels": change_labels,
    }


def _stylesheet() -> str:
    folder = Path(current_app.static_folder or "")
    return "\n".join(
        (folder / "css" / name).read_text("utf-8") for name in ("site.css", "compare.css")
    )
