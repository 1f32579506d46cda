"""A comparison for the command line and scripts: a plain-text word diff, and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext

from ..models import Version
from .blocks import Op, Span
from .labels import change_labels, section_title, summary_lines
from .versions import Comparison, SectionChange

_TEXT_MARKERS = {Op.INSERT: ("{+", "+}"), Op.DELETE: ("[-", "-]")}
_JSON_OPS = {Op.EQUAL: "=", Op.INSERT: "+", Op.DELETE: "-"}
OMITTED = "…"


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
