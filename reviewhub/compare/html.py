"""HTML for blockdiff's trees: insertions in <ins>, deletions in <del>, each labelled for screen
readers (and, around whole blocks, visibly), the Markdown structure kept. Every piece of the
documents' text is escaped; link targets were already checked by markdown-it."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from itertools import groupby

from flask_babel import gettext
from markupsafe import Markup, escape

from .blocks import CODE_KINDS, LEAF_KINDS, WHOLE_OPS, BlockDiff, Mark, Op, Span


class Side(enum.StrEnum):
    """One side of a side-by-side view: the older text without insertions, or the newer
    without deletions."""

    OLD = "old"
    NEW = "new"


_HIDDEN_ON = {Side.OLD: Op.INSERT, Side.NEW: Op.DELETE}
_FORMATTING = {"em", "strong", "code", "sup", "s"}
_WRAP_INSIDE = {"list_item", "th", "td"}  # an <ins> cannot stand between <ul> and <li>
_WRAP_BELOW = {"thead", "tbody", "tr"}  # ... nor between a table and its rows: mark the cells
_PLAIN_TAGS = {
    "bullet_list": "ul",
    "list_item": "li",
    "blockquote": "blockquote",
    "table": "table",
    "thead": "thead",
    "tbody": "tbody",
    "tr": "tr",
    "th": "th",
    "td": "td",
}


def render_blocks(diffs: Sequence[BlockDiff], side: Side | None = None) -> Markup:
    writer = _Writer(side)
    writer.blocks(diffs, None)
    return Markup("".join(writer.out))


def render_spans(spans: Sequence[Span], side: Side | None = None) -> Markup:
    writer = _Writer(side)
    writer.spans(spans, None)
    return Markup("".join(writer.out))


def whole_section(html: str, op: Op) -> Markup:
    """A section's stored HTML, all of it inserted or deleted."""
    writer = _Writer(None)
    writer.open_change(op, block=True)
    writer.out.append(html)
    writer.close_change(op)
    return Markup("".join(writer.out))


def side_by_side(diffs: Sequence[BlockDiff]) -> Iterator[tuple[Markup, Markup]]:
    """(older, newer) for each top-level block, to show next to each other."""
    for diff in diffs:
        yield render_blocks([diff], Side.OLD), render_blocks([diff], Side.NEW)


class _Writer:
    def __init__(self, side: Side | None) -> None:
        self.hidden = _HIDDEN_ON.get(side) if side else None
        self.out: list[str] = []
        self.labels = {Op.INSERT: gettext("inserted"), Op.DELETE: gettext("deleted")}

    def blocks(self, diffs: Sequence[BlockDiff], inherited: Op | None) -> None:
        """``inherited``: the op of an inserted or deleted ancestor already marked as such."""
        for diff in diffs:
            if diff.op is not self.hidden:
                self.block(diff, inherited)

    def block(self, diff: BlockDiff, inherited: Op | None) -> None:
        whole = diff.op if inherited is None and diff.op in WHOLE_OPS else None
        if whole and diff.base_kind not in _WRAP_INSIDE | _WRAP_BELOW:
            self.open_change(whole, block=True)
            self.element(diff, whole)
            self.close_change(whole)
        elif whole and diff.base_kind in _WRAP_INSIDE:
            self.element(diff, whole, mark_inside=True)
        else:
            self.element(diff, inherited)

    def element(self, diff: BlockDiff, inherited: Op | None, mark_inside: bool = False) -> None:
        opening, closing = _tags(diff)
        self.out.append(opening)
        if mark_inside and inherited:
            self.open_change(inherited, block=diff.base_kind == "list_item")
        if diff.base_kind in LEAF_KINDS | CODE_KINDS:
            self.spans(diff.spans, inherited)
        elif diff.base_kind == "hr":
            pass
        elif len(diff.block.tokens) == 1:  # a block the renderer does not know: its text
            self.out.append(str(escape(diff.block.tokens[0].content)))
        else:
            self.blocks(diff.parts, inherited)
        if mark_inside and inherited:
            self.close_change(inherited)
        self.out.append(closing)

    def spans(self, spans: Sequence[Span], inherited: Op | None) -> None:
        for op, group in groupby(spans, key=lambda span: span.op):
            if op is self.hidden:
                continue
            marked = inherited is None and op is not Op.EQUAL
            if marked:
                self.open_change(op, block=False)
            self.out += [_formatted(span) for span in group]
            if marked:
                self.close_change(op)

    def open_change(self, op: Op, block: bool) -> None:
        tag = "ins" if op is Op.INSERT else "del"
        label = escape(self.labels[op])
        if block:  # a visible label: the whole block is new or gone
            self.out.append(f'<{tag} class="diff-block"><span class="diff-label">{label}</span>')
        else:  # for screen readers only: the colours and lines show it to the eye
            self.out.append(f'<{tag}><span class="diff-label">{label}: </span>')

    def close_change(self, op: Op) -> None:
        self.out.append("</ins>" if op is Op.INSERT else "</del>")


def _tags(diff: BlockDiff) -> tuple[str, str]:
    """Opening and closing tag of a block; list items and table rows that are new or gone get
    a class (they cannot stand inside an <ins> or <del>)."""
    first, base = diff.block.tokens[0], diff.base_kind
    if base == "paragraph":
        return ("", "") if first.hidden else ("<p>", "</p>")  # tight lists hide <p>
    if base == "heading":
        return f"<{first.tag}>", f"</{first.tag}>"
    if base in CODE_KINDS:
        return "<pre><code>", "</code></pre>"
    if base == "hr":
        return "<hr>", ""
    if base == "ordered_list":
        start = first.attrGet("start")
        return (f'<ol start="{int(start)}">' if start else "<ol>"), "</ol>"
    if base == "footnote":
        label = escape(first.meta["label"])
        return (
            f'<div class="diff-footnote"><span class="diff-footnote__label">[{label}]</span>',
            "</div>",
        )
    tag = _PLAIN_TAGS.get(base, "div")
    if diff.op in WHOLE_OPS and tag in ("li", "tr"):
        return f'<{tag} class="diff-{tag}--{diff.op.value}">', f"</{tag}>"
    return f"<{tag}>", f"</{tag}>"


def _formatted(span: Span) -> str:
    if any(mark.tag == "br" for mark in span.marks):
        return "<br>\n"
    opening = "".join(_opening(mark) for mark in span.marks)
    closing = "".join(f"</{_tag(mark)}>" for mark in reversed(span.marks) if _tag(mark))
    return f"{opening}{escape(span.text)}{closing}"


def _tag(mark: Mark) -> str:
    return mark.tag if mark.tag in _FORMATTING or mark.tag == "a" else ""


def _opening(mark: Mark) -> str:
    if mark.tag == "a":
        return str(Markup('<a href="{}">').format(mark.href))
    return f"<{mark.tag}>" if _tag(mark) else ""


_ID_ATTRIBUTE = re.compile(r'\b(id="|href="#)')


def with_id_prefix(html: str, prefix: str) -> Markup:
    """Stored HTML whose ids (footnotes) cannot clash with those of the other version shown on
    the same page. The HTML is the sections' own, rendered safely at publication."""
    return Markup(_ID_ATTRIBUTE.sub(lambda match: match.group(1) + prefix, html))
