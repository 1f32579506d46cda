"""A section's change as flat lists of text operations, for the JSON API: the word diff the
compare page shows (``SectionChange.blocks``), without the structure of its blocks.

The text of a side is that of its blocks (paragraphs, list items, table cells, code) as the
reader sees it, a blank line between blocks; a footnote reference keeps the label it has in
the section's Markdown (the stored HTML numbers footnotes through the version). Joining the
unchanged and deleted pieces gives the older text, the unchanged and inserted ones the newer:
a client can rebuild both."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .blocks import BlockDiff, Op, Span
from .versions import SectionChange

BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class TextOp:
    op: Op  # EQUAL, INSERT or DELETE
    text: str


def heading_ops(change: SectionChange) -> list[TextOp]:
    """The heading's word diff (all unchanged when it was not renamed)."""
    return _merged(change.heading_spans)


def text_ops(change: SectionChange) -> list[TextOp]:
    """The text's word diff: all inserted for a new section, all deleted for a removed one,
    all unchanged when the text is."""
    return _merged(_with_separators(_block_texts(change.blocks)))


def _block_texts(diffs: Sequence[BlockDiff]) -> Iterator[list[Span]]:
    """The spans of each block that has text of its own, in reading order: a container (a
    list, a table, a quote) has none, its parts do."""
    for node in diffs:
        spans = [span for span in node.spans if span.text]
        if spans:
            yield spans
        yield from _block_texts(node.parts)


def _with_separators(blocks: Iterable[list[Span]]) -> Iterator[Span]:
    """The blocks' spans, a separator between two blocks of the same side: unchanged where
    both sides go on, deleted or inserted where only one does."""
    old_started = new_started = False
    for spans in blocks:
        in_old = any(span.op is not Op.INSERT for span in spans)
        in_new = any(span.op is not Op.DELETE for span in spans)
        old_gap, new_gap = old_started and in_old, new_started and in_new
        if old_gap or new_gap:
            gap = Op.EQUAL if old_gap and new_gap else Op.DELETE if old_gap else Op.INSERT
            yield Span(gap, BLOCK_SEPARATOR)
        yield from spans
        old_started, new_started = old_started or in_old, new_started or in_new


def _merged(spans: Iterable[Span]) -> list[TextOp]:
    """Adjacent pieces with the same operation as one (their formatting is left out)."""
    merged: list[TextOp] = []
    for span in spans:
        if not span.text:
            continue
        if merged and merged[-1].op is span.op:
            merged[-1] = TextOp(span.op, merged[-1].text + span.text)
        else:
            merged.append(TextOp(span.op, span.text))
    return merged
