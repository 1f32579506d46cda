"""A comparison in words, for people and scripts: summary lines and change labels (shared by the
page, the Word document and the command line), a plain-text word diff, JSON, and the page as a
standalone HTML file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext, ngettext

from .blockdiff import Op, Span
from .diffhtml import render_blocks, render_spans, side_by_side, whole_section, with_id_prefix
from .diffing import Comparison, SectionChange, Summary
from .labels import CHANGE_KIND
from .models import ChangeKind, Version

_TEXT_MARKERS = {Op.INSERT: ("{+", "+}"), Op.DELETE: ("[-", "-]")}
_JSON_OPS = {Op.EQUAL: "=", Op.INSERT: "+", Op.DELETE: "-"}
OMITTED = "…"


def summary_lines(summary: Summary) -> list[str]:
    """The summary as short sentences; a section moved, renamed and edited counts in each."""
    counts = [
        (summary.added, ngettext("%(num)d section added", "%(num)d sections added", summary.added)),
        (
            summary.removed,
            ngettext("%(num)d section removed", "%(num)d sections removed", summary.removed),
        ),
        (summary.moved, ngettext("%(num)d section moved", "%(num)d sections moved", summary.moved)),
        (
            summary.renamed,
            ngettext("%(num)d heading changed", "%(num)d headings changed", summary.renamed),
        ),
        (
            summary.edited,
            ngettext(
                "%(num)d section with edited text",
                "%(num)d sections with edited text",
                summary.edited,
            ),
        ),
    ]
    lines = [line for count, line in counts if count]
    lines.append(
        ngettext("%(num)d section unchanged", "%(num)d sections unchanged", summary.unchanged)
    )
    lines.append(
        ngettext("%(num)d word added", "%(num)d words added", summary.words_added)
        + ", "
        + ngettext("%(num)d word removed", "%(num)d words removed", summary.words_removed)
    )
    return lines


def change_labels(change: SectionChange) -> list[tuple[str, str]]:
    """(style, label) for each way the section changed: new, removed, moved, renamed, edited."""
    if change.added:
        return [("new", str(CHANGE_KIND[ChangeKind.NEW]))]
    if change.removed:
        return [("removed", gettext("Removed"))]
    labels = []
    if change.moved:
        assert change.old is not None and change.new is not None
        moved = (
            gettext("Moved from %(old)s to %(new)s", old=change.old.number, new=change.new.number)
            if change.renumbered and change.old.number and change.new.number
            else str(CHANGE_KIND[ChangeKind.MOVED])
        )
        labels.append(("moved", moved))
    if change.renamed:
        labels.append(("renamed", str(CHANGE_KIND[ChangeKind.RENAMED])))
    if change.edited:
        labels.append(("edited", gettext("Text edited")))
    return labels


def section_title(change: SectionChange) -> str:
    section = change.section
    heading = section.heading or gettext("Opening text")
    return f"{section.number} {heading}" if section.number else heading


def as_text(comparison: Comparison, old: Version, new: Version) -> str:
    """A readable word diff of each changed section: [-deleted-]{+inserted+}, only the
    paragraphs that changed (… where others are left out)."""
    lines = [f"{old.document.title}: {old.label} → {new.label}", *summary_lines(comparison.summary)]
    for change in comparison.changed:
        labels = "; ".join(label for _, label in change_labels(change))
        lines += ["", f"== {section_title(change)} ({labels})"]
        if change.renamed:
            lines.append(gettext("Heading: %(diff)s", diff=_marked(change.heading_spans)))
        if change.edited or change.added or change.removed:
            lines.append(_changed_paragraphs(_marked(change.source_spans)))
    return "\n".join(lines) + "\n"


def _marked(spans: Sequence[Span]) -> str:
    parts = []
    for span in spans:
        opening, closing = _TEXT_MARKERS.get(span.op, ("", ""))
        parts.append(f"{opening}{span.text}{closing}")
    return "".join(parts)


def _changed_paragraphs(text: str) -> str:
    paragraphs = text.split("\n\n")
    kept = [p if "{+" in p or "[-" in p else OMITTED for p in paragraphs]
    collapsed = [p for i, p in enumerate(kept) if p != OMITTED or i == 0 or kept[i - 1] != OMITTED]
    return "\n\n".join(collapsed).strip("\n")


def as_json(comparison: Comparison, old: Version, new: Version) -> dict[str, Any]:
    """The summary and, per changed section, what changed and the word diff of its Markdown
    as operations: ["=", text] unchanged, ["-", text] deleted, ["+", text] inserted."""
    summary = comparison.summary
    return {
        "document": old.document.slug,
        "from": {"number": old.number, "label": old.label},
        "to": {"number": new.number, "label": new.label},
        "summary": {
            "sections": {
                "added": summary.added,
                "removed": summary.removed,
                "moved": summary.moved,
                "renamed": summary.renamed,
                "edited": summary.edited,
                "unchanged": summary.unchanged,
            },
            "words": {"added": summary.words_added, "removed": summary.words_removed},
        },
        "sections": [_section_json(change) for change in comparison.changed],
    }


def _section_json(change: SectionChange) -> dict[str, Any]:
    def place(section: Any) -> dict[str, Any] | None:
        return {"number": section.number, "heading": section.heading} if section else None

    return {
        "key": change.section.key,
        "change": change.marker,
        "moved": change.moved,
        "renamed": change.renamed,
        "edited": change.edited,
        "from": place(change.old),
        "to": place(change.new),
        "heading_ops": _ops(change.heading_spans) if change.renamed else [],
        "ops": _ops(change.source_spans) if not change.unchanged else [],
    }


def _ops(spans: Sequence[Span]) -> list[list[str]]:
    return [[_JSON_OPS[span.op], span.text] for span in spans]


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
