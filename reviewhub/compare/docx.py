"""A comparison as a Word document whose changes are tracked changes (revisions).

Inserted text stands in <w:ins>, deleted text in <w:del>; paragraphs and table rows that are new
or gone are marked so too. Word and LibreOffice list each revision (author "ReviewHub", the
newer version's publication date) and can accept or reject it: accepting all gives the newer
version's text, rejecting all the older one's. A moved section stands at its new place; the
summary at the top, which is no revision, says what moved where.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from io import BytesIO
from itertools import groupby
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.table import Table
from docx.text.paragraph import Paragraph
from flask_babel import gettext

from ..models import Version
from .blocks import CODE_KINDS, WHOLE_OPS, BlockDiff, Mark, Op, Span
from .labels import change_labels, section_title, summary_lines
from .versions import Comparison, SectionChange

AUTHOR = "ReviewHub"
_CODE_FONT = "Courier New"
_LINK_COLOUR = "0563C1"
_LIST_STYLES = {"bullet_list": "List Bullet", "ordered_list": "List Number"}
# What XML 1.0 cannot hold, and lxml refuses: control characters other than tab and line
# breaks, surrogates, U+FFFE and U+FFFF. Such a character in a section's text is shown as
# U+FFFD, the replacement character, so that the export still says something was there.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


class _Revisions:
    """Revision marks: each with its own id, all with the same author and date."""

    def __init__(self, date: datetime) -> None:
        self.date = date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.count = 0

    def mark(self, op: Op) -> BaseOxmlElement:
        self.count += 1
        element = OxmlElement("w:ins" if op is Op.INSERT else "w:del")
        element.set(qn("w:id"), str(self.count))
        element.set(qn("w:author"), AUTHOR)
        element.set(qn("w:date"), self.date)
        return element


class _Body:
    """The document's body, which takes paragraphs and tables in constant time. python-docx
    puts each before the section properties that end the body, and first looks for those
    among all the body's children: an export of 50,000 sections took six minutes."""

    def __init__(self, document: DocxDocument) -> None:
        self._document = document
        self._end = document.element.body.get_or_add_sectPr()
        section = document.sections[-1]
        width, left, right = section.page_width, section.left_margin, section.right_margin
        if width is None or left is None or right is None:  # python-docx's template has them
            raise ValueError("the Word template's last section has no page width or margins")
        self._width = Length(width - left - right)

    def add_paragraph(self) -> Paragraph:
        element = OxmlElement("w:p")
        self._end.addprevious(element)
        return Paragraph(element, self._document)

    def add_table(self, rows: int, cols: int) -> Table:
        element = CT_Tbl.new_tbl(rows, cols, self._width)
        self._end.addprevious(element)
        return Table(element, self._document)


@dataclass(frozen=True)
class _Place:
    """Where the next paragraph goes and how it looks."""

    container: Any  # the document's _Body or a table cell
    style: str | None = None  # for the next paragraph
    continued: str | None = None  # for the paragraphs after it (in a list item)
    depth: int = 0  # of list nesting


def comparison_docx(comparison: Comparison, old: Version, new: Version) -> bytes:
    writer = _Writer(new.published_at)
    writer.introduction(comparison, old, new)
    for change in comparison.changes:
        writer.section(change)
    buffer = BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


class _Writer:
    def __init__(self, date: datetime) -> None:
        self.document = docx.Document()
        self.revisions = _Revisions(date)
        self.body = _Place(_Body(self.document))
        self.style_ids: dict[str, str] = {}
        self.style_names = {style.name for style in self.document.styles}

    def style_id(self, name: str) -> str:
        # python-docx looks a style up by name anew for each paragraph, which takes most of
        # the time for a long document: look each up once.
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def introduction(self, comparison: Comparison, old: Version, new: Version) -> None:
        self.line(old.document.title, "Title")
        self.line(
            gettext("What changed from %(old)s to %(new)s", old=old.label, new=new.label),
            "Subtitle",
        )
        self.line(
            gettext(
                "Every change is a tracked change: accept or reject each one, or all at once. "
                "Accepting all gives the text of %(new)s, rejecting all that of %(old)s; "
                "moved sections stay at their new place.",
                old=old.label,
                new=new.label,
            )
        )
        for line in summary_lines(comparison.summary):
            self.line(line, "List Bullet")
        for change in comparison.changed:
            if change.moved:
                labels = "; ".join(label for _, label in change_labels(change))
                self.line(f"{section_title(change)}: {labels}", "List 2")

    def line(self, text: str, style: str | None = None) -> None:
        """A paragraph of the introduction, which is no revision."""
        self.paragraph([Span(Op.EQUAL, text)], replace(self.body, style=style), Op.EQUAL)

    def section(self, change: SectionChange) -> None:
        section = change.section
        whole = Op.INSERT if change.added else Op.DELETE if change.removed else Op.EQUAL
        if section.level:
            spans = change.heading_spans if change.renamed else [Span(whole, section.heading)]
            number = [Span(whole, f"{section.number} ")] if section.number else []
            style = f"Heading {min(section.level, 9)}"
            self.paragraph([*number, *spans], replace(self.body, style=style), whole)
        self.blocks(change.blocks, self.body)

    def blocks(self, diffs: Sequence[BlockDiff], place: _Place) -> None:
        for index, diff in enumerate(diffs):
            self.block(diff, place if index == 0 else replace(place, style=place.continued))

    def block(self, diff: BlockDiff, place: _Place) -> None:
        kind = diff.base_kind
        if kind in ("paragraph", "heading"):
            self.paragraph(diff.spans, replace(place, style=place.style or _heading(diff)), diff.op)
        elif kind in CODE_KINDS:
            self.paragraph(diff.spans, replace(place, style="macro"), diff.op)
        elif kind in _LIST_STYLES:
            self.list(diff, place)
        elif kind == "blockquote":
            self.blocks(diff.parts, replace(place, style="Quote", continued="Quote"))
        elif kind == "table":
            self.table(diff, place)
        elif kind == "footnote":
            label = Span(diff.op if diff.op in WHOLE_OPS else Op.EQUAL, f"[{diff.kind[9:]}]")
            self.paragraph([label], place, diff.op)
            self.blocks(diff.parts, place)
        else:  # a thematic break or a block without text of its own
            self.paragraph([Span(diff.op, "* * *")], place, diff.op)

    def list(self, diff: BlockDiff, place: _Place) -> None:
        style = self.list_style(_LIST_STYLES[diff.base_kind], place.depth + 1)
        continued = self.list_style("List Continue", place.depth + 1)
        for item in diff.parts:
            self.blocks(item.parts, _Place(place.container, style, continued, place.depth + 1))

    def list_style(self, name: str, level: int) -> str:
        """The list style of a nesting level ("List Bullet 2"); a list nested deeper than the
        template has styles for takes the deepest it has."""
        while level > 1 and f"{name} {level}" not in self.style_names:
            level -= 1
        return f"{name} {level}" if level > 1 else name

    def table(self, diff: BlockDiff, place: _Place) -> None:
        rows = [row for group in diff.parts for row in group.parts]  # thead and tbody
        table = place.container.add_table(rows=0, cols=len(rows[0].parts))
        table.style = "Table Grid"
        for row in rows:
            added = table.add_row()
            if row.op in WHOLE_OPS:
                added._tr.get_or_add_trPr().append(self.revisions.mark(row.op))
            for cell, part in zip(added.cells, row.parts, strict=True):
                spans = part.spans
                if part.base_kind == "th":
                    spans = [replace(s, marks=(*s.marks, Mark("strong"))) for s in spans]
                self.runs(cell.paragraphs[0], spans)

    def paragraph(self, spans: Sequence[Span], place: _Place, op: Op) -> Paragraph:
        paragraph = place.container.add_paragraph()
        if place.style:
            paragraph._p.style = self.style_id(place.style)
        self.runs(paragraph, spans)
        if op in WHOLE_OPS:  # the paragraph mark itself is inserted or deleted
            properties = paragraph._p.get_or_add_pPr()
            run_properties = properties.find(qn("w:rPr"))
            if run_properties is None:
                run_properties = OxmlElement("w:rPr")
                properties.append(run_properties)
            run_properties.append(self.revisions.mark(op))
        return paragraph

    def runs(self, paragraph: Paragraph, spans: Sequence[Span]) -> None:
        for op, group in groupby(spans, key=lambda span: span.op):
            parent = paragraph._p
            if op in WHOLE_OPS:
                parent = self.revisions.mark(op)
                paragraph._p.append(parent)
            for span in group:
                parent.append(_run(span, deleted=op is Op.DELETE))


def _heading(diff: BlockDiff) -> str | None:
    if diff.base_kind != "heading":
        return None
    return f"Heading {max(int(diff.kind[-1]), 5)}"  # below the sections' own levels


def _run(span: Span, deleted: bool) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    properties = _run_properties(span.marks)
    if len(properties):
        run.append(properties)
    for index, line in enumerate(span.text.split("\n")):
        if index:
            run.append(OxmlElement("w:br"))
        text = OxmlElement("w:delText" if deleted else "w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = _xml_text(line)
        run.append(text)
    return run


def _run_properties(marks: Sequence[Mark]) -> BaseOxmlElement:
    """Character formatting, in the order the schema wants it."""
    tags = {mark.tag for mark in marks}
    properties = OxmlElement("w:rPr")
    if "code" in tags:
        fonts = OxmlElement("w:rFonts")
        fonts.set(qn("w:ascii"), _CODE_FONT)
        fonts.set(qn("w:hAnsi"), _CODE_FONT)
        properties.append(fonts)
    if "strong" in tags:
        properties.append(OxmlElement("w:b"))
    if "em" in tags:
        properties.append(OxmlElement("w:i"))
    if "a" in tags:
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), _LINK_COLOUR)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.extend([colour, underline])
    if "sup" in tags:
        position = OxmlElement("w:vertAlign")
        position.set(qn("w:val"), "superscript")
        properties.append(position)
    return properties
