"""The reactienota as a Word document (python-docx): built-in heading styles, so that Word's
navigation pane and LibreOffice's navigator list the sections; a summary table whose header
row repeats on every page; each reaction as a few styled paragraphs (tables per reaction
make a 20,000-reaction nota slow to write and to open).

Paragraphs are added through ``_Body`` rather than ``Document.add_paragraph``: python-docx
looks for the body's last element and the style's id anew for every paragraph, which made
20,000 reactions (100,000 paragraphs) take five minutes; here both are found once."""

from __future__ import annotations

from typing import BinaryIO

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _n

from .nota import Nota, byline, decision_line, objection_line
from .rows import ExportRow


class _Body:
    """Appends paragraphs to the document's body, before its closing section properties."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self.end = word.element.body.get_or_add_sectPr()
        self.style_ids: dict[str, str] = {}

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        self.end.addprevious(element)
        paragraph = Paragraph(element, self.word._body)
        if style is not None:
            element.get_or_add_pPr().style = self._style_id(style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.word.styles[name].style_id
        return self.style_ids[name]


def write_docx(nota: Nota, out: BinaryIO) -> None:
    word = new_document()
    word.core_properties.title = f"{_l('Reactienota')}: {nota.document.title}"
    word.core_properties.language = "nl-NL"
    word.core_properties.author = "ReviewHub"
    body = _Body(word)
    _title_page(body, nota)
    _summary(body, nota)
    body.heading(str(_l("Reactions per section")), level=1)
    for section in nota.sections:
        heading = section.title
        if nota.version is None:
            heading = f"{section.version_label}: {heading}"
        body.heading(heading, level=2)
        for row in section.rows:
            _reaction(body, row)
    _questions(body, nota)
    _participants(body, nota)
    word.save(out)


def _title_page(body: _Body, nota: Nota) -> None:
    body.heading(str(_l("Reactienota")), level=0)
    body.paragraph(nota.document.title, style="Subtitle")
    body.paragraph(nota.subject, style="Subtitle")
    facts = [
        (_l("Consultation period"), nota.period),
        (_l("Reactions"), str(nota.overview.reactions)),
        (_l("Groups"), str(len(nota.overview.groups))),
        (_l("Made on"), format_date(nota.made_on, "long")),
    ]
    for label, value in facts:
        if value:
            paragraph = body.paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    body.paragraph().add_run().add_break(WD_BREAK.PAGE)


def _summary(body: _Body, nota: Nota) -> None:
    body.heading(str(_l("Summary by status")), level=1)
    table = body.word.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    header = table.rows[0]
    header.cells[0].text, header.cells[1].text = str(_l("Status")), str(_l("Reactions"))
    _repeat_as_header(header)
    for label, count in nota.status_lines():
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(count)


def _repeat_as_header(row: object) -> None:
    """Mark a table row as its header: repeated on each page, read as such by screen readers."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _reaction(body: _Body, row: ExportRow) -> None:
    first = body.paragraph()
    first.add_run(byline(row)).bold = True
    if row.position_edition:
        first.add_run(f" ({_l('position of the group, edition %(n)d', n=row.position_edition)})")
    if row.quote:
        body.paragraph(row.quote, style="Quote")
    body.paragraph(row.body)
    if row.attachments:
        files = ", ".join(ref.filename for ref in row.attachments)
        body.paragraph(f"{_l('Attachments')}: {files}")
    if row.proposed_text:
        proposal = body.paragraph()
        proposal.add_run(f"{_l('Proposed wording')}: ").italic = True
        proposal.add_run(row.proposed_text)
    decision = body.paragraph()
    decision.add_run(decision_line(row)).bold = True
    if row.motivation:
        decision.add_run(f" {row.motivation}")
    if row.taken_in_label:
        body.paragraph(str(_l("Taken in by %(version)s.", version=row.taken_in_label)))
    objection = objection_line(row)
    if objection:
        body.paragraph().add_run(objection).bold = True


def _questions(body: _Body, nota: Nota) -> None:
    """The answers per consultation question, after the reactions per section."""
    if not nota.questions:
        return
    body.heading(str(_l("Answers per question")), level=1)
    for question in nota.questions:
        heading = question.text
        if nota.version is None:
            heading = f"{question.version_label}: {heading}"
        body.heading(heading, level=2)
        count = _n("%(num)d answer", "%(num)d answers", len(question.rows))
        body.paragraph(f"{_l('About: %(place)s', place=question.about)} · {count}")
        for row in question.rows:
            first = body.paragraph()
            first.add_run(byline(row)).bold = True
            first.add_run(f" ({row.section_title})")
            body.paragraph(row.body)
            decision = body.paragraph()
            decision.add_run(decision_line(row)).bold = True
            if row.motivation:
                decision.add_run(f" {row.motivation}")


def _participants(body: _Body, nota: Nota) -> None:
    body.heading(str(_l("Who took part")), level=1)
    listed = [(_l("Groups"), [name for name, _kind in nota.overview.groups]),
              (_l("Organisations"), nota.overview.organisations)]  # fmt: skip
    for title, names in listed:
        body.heading(str(title), level=2)
        for name in names:
            body.paragraph(name, style="List Bullet")
        if not names:
            body.paragraph(str(_l("None.")))
