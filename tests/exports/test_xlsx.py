"""The Excel exports, read back with openpyxl: the register's columns, formats, colours and
summary, the ISO/IEC template's columns, and that no text ever becomes a formula."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from reviewhub.exports.rows import AttachmentRef, ExportRow, Links
from reviewhub.exports.xlsx import ISO_TEMPLATE, REGISTER, iso_template_xlsx, register_xlsx
from reviewhub.labels import ANSWER_VERDICT, COMMENT_KIND, DISPOSITION
from reviewhub.models import AnswerVerdict, CommentKind, CommentVisibility, Disposition, GroupKind

LINKS = Links("https://reviewhub.test/r/{id}", "https://reviewhub.test/v/{number}/s/{key}")
ROW = ExportRow(
    comment_id=1, reference="R-1", version_number=1, version_label="Versie 1",
    section_key="s1", section_number="1", section_heading="Inleiding", section_level=1,
    kind=CommentKind.GENERAL, group="Regio Noord", group_kind=GroupKind.REGION,
    author="An de Vries", organisation="Gemeente Assen",
    created_at=datetime(2024, 7, 1, 10, 30, tzinfo=UTC), body="Een reactie.",
    proposed_text="", quote="", quote_prefix="", quote_suffix="", quote_start=None,
    quote_end=None, status=Disposition.NEW, motivation="", decided_by="", decided_at=None,
    taken_in_version=None, taken_in_label="", answer=None, answer_text="",
    visibility=CommentVisibility.PUBLIC, hidden=False, withdrawn=False, position_edition=None,
)  # fmt: skip


def row(**changes: Any) -> ExportRow:
    """A reaction as the exports get it: ROW with ``changes``."""
    return replace(ROW, **changes)


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    """Labels and headers are lazy strings, translated within the app."""
    with app.app_context():
        yield


def register(*rows: ExportRow, title: str = "Kader") -> Any:
    out = io.BytesIO()
    assert register_xlsx(iter(rows), out, links=LINKS, title=title) == len(rows)
    return load_workbook(io.BytesIO(out.getvalue()))


def iso(*rows: ExportRow) -> Any:
    out = io.BytesIO()
    assert iso_template_xlsx(iter(rows), out, links=LINKS, title="Kader") == len(rows)
    return load_workbook(io.BytesIO(out.getvalue()))


def headers(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[1]]


def column(sheet: Any, header: object) -> list[Any]:
    """The cells under ``header`` (a label), header row aside."""
    index = headers(sheet).index(str(header)) + 1
    return [sheet.cell(row=number, column=index) for number in range(2, sheet.max_row + 1)]


def register_cell(book: Any, header: str, number: int = 0) -> Any:
    """The register's cell of reaction ``number`` in the column headed by msgid ``header``."""
    return column(book.worksheets[0], _l(header))[number]


def summary_tables(book: Any) -> dict[str, list[list[Any]]]:
    """The summary's tables by caption, each the rows under its header row: after the title
    and an empty row, a caption, a header row and the rows, then an empty row."""
    tables: dict[str, list[list[Any]]] = {}
    chunk: list[list[Any]] = []
    for values in [*book.worksheets[1].iter_rows(min_row=3, values_only=True), ()]:
        cells = [value for value in values if value is not None]
        if cells:
            chunk.append(cells)
        elif chunk:
            tables[chunk[0][0]] = chunk[2:]
            chunk = []
    return tables


def test_the_register_has_its_columns_a_frozen_header_and_a_filter_over_all():
    book = register(row(), row(comment_id=2))
    sheet = book.worksheets[0]
    assert book.sheetnames == [str(_l("Register")), str(_l("Summary"))]
    assert headers(sheet) == [str(c.header) for c in REGISTER]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:T3"
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("D9D9D9")
    assert sheet.column_dimensions["K"].width == 60
    assert register_cell(book, "Text").alignment.wrap_text
    assert book.properties.title == "Kader" and book.properties.creator == "ReviewHub"


def test_every_field_is_in_its_column():
    book = register(
        row(kind=CommentKind.SUGGESTION, quote="de tekst", proposed_text="de nieuwe tekst",
            status=Disposition.ACCEPTED, motivation="Goed punt.", decided_by="Bea",
            taken_in_version=2, taken_in_label="Versie 2", answer=AnswerVerdict.OBJECT,
            answer_text="Niet zo.", attachments=(AttachmentRef(7, "Standpunt regio.pdf"),),
            question_id=4, question="Wat mist u?")
    )  # fmt: skip
    values = [cell.value for cell in book.worksheets[0][2]]
    assert values == [
        "R-1", "1", "Inleiding", "de tekst", str(COMMENT_KIND[CommentKind.SUGGESTION]),
        "Wat mist u?", "Regio Noord", "An de Vries", "Gemeente Assen", datetime(2024, 7, 1, 12, 30),
        "Een reactie.", "de nieuwe tekst", str(DISPOSITION[Disposition.ACCEPTED]),
        "Goed punt.", "Bea", "Versie 2", f"{ANSWER_VERDICT[AnswerVerdict.OBJECT]}: Niet zo.",
        "https://reviewhub.test/r/1", None, "/attachments/7/Standpunt%20regio.pdf",
    ]  # fmt: skip


def test_dates_are_excel_dates_on_the_dutch_clock():
    book = register(row(), row(created_at=datetime(2024, 1, 15, 23, 30, tzinfo=UTC)))
    summer, winter = column(book.worksheets[0], _l("Date"))
    assert summer.is_date and summer.value == datetime(2024, 7, 1, 12, 30)  # CEST: UTC+2
    assert winter.value == datetime(2024, 1, 16, 0, 30)  # CET: UTC+1, the next day
    assert summer.number_format == "dd-mm-yyyy hh:mm"


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (Disposition.ACCEPTED, "C6EFCE"),
        (Disposition.PARTLY_ACCEPTED, "E4E8B8"),
        (Disposition.NOTED, "DDEBF7"),
        (Disposition.NOT_ACCEPTED, "F8D7E3"),
    ],
)
def test_decided_statuses_are_shaded_in_the_iso_colours(status: Disposition, colour: str):
    cell = register_cell(register(row(status=status)), "Status")
    assert cell.value == str(DISPOSITION[status])  # the colour never says it alone
    assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "00" + colour


@pytest.mark.parametrize("status", [Disposition.NEW, Disposition.IN_PROGRESS])
def test_open_statuses_are_not_shaded(status: Disposition):
    cell = register_cell(register(row(status=status)), "Status")
    assert cell.value == str(DISPOSITION[status]) and cell.fill.fill_type is None


def test_the_link_cell_links_to_the_reaction():
    cell = register_cell(register(row(comment_id=42)), "Link")
    assert cell.hyperlink.target == cell.value == "https://reviewhub.test/r/42"


def test_the_note_says_what_the_status_does_not():
    book = register(row(hidden=True), row(withdrawn=True), row(position_edition=3), row())
    notes = [cell.value for cell in column(book.worksheets[0], _l("Note"))]
    assert notes[0] and notes[1] and notes[0] != notes[1]
    assert "Regio Noord" in notes[2] and "3" in notes[2]
    assert notes[3] is None


def test_the_summary_counts_by_status_section_and_group():
    rows = [
        row(status=Disposition.ACCEPTED),
        row(status=Disposition.ACCEPTED, section_number="2", section_heading="Doel", group=""),
        row(section_number="3", section_heading="Aanpak", group="alfa"),
        row(section_number="2", section_heading="Doel", group="Bèta"),
    ]
    book = register(*rows, title="Kader v1")
    assert book.worksheets[1]["A1"].value == "Kader v1"
    tables = summary_tables(book)
    counts = {Disposition.NEW: 2, Disposition.ACCEPTED: 2}
    assert tables[str(_l("Reactions by status"))] == [
        *([str(DISPOSITION[status]), counts.get(status, 0)] for status in Disposition),
        [str(_l("Total")), 4],
    ]
    assert tables[str(_l("Reactions by section"))] == [
        ["1", "Inleiding", 1], ["2", "Doel", 2], ["3", "Aanpak", 1],
    ]  # fmt: skip
    assert tables[str(_l("Reactions by group"))] == [
        ["alfa", 1], ["Bèta", 1], ["Regio Noord", 1], [str(_l("(no group)")), 1],
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["=1+1", "+31 6 12345678", "-2", "@SUM(A1)", "=HYPERLINK(1)",
                                  "\tindent", "#N/A"])  # fmt: skip
def test_no_text_becomes_a_formula(text: str):
    book = register(row(body=text, group=text, motivation=text))
    for header in ("Text", "Group", "Motivation"):
        cell = register_cell(book, header)
        assert cell.data_type == "s" and cell.value == text
    if text[0] in "=+-@\t":
        assert register_cell(book, "Text").quotePrefix  # and stays text when edited
    summary = [c for line in book.worksheets[1].iter_rows() for c in line if c.value == text]
    assert summary and all(c.data_type == "s" for c in summary)
    sheet = iso(row(body=text, proposed_text=text, group=text)).worksheets[0]
    for cell in (sheet["A2"], sheet["F2"], sheet["G2"]):
        assert cell.data_type == "s" and cell.value == text


def test_characters_xml_cannot_hold_are_dropped():
    book = register(row(body="een\x01reactie\x0b met\ttab", quote="\x1f=1+1"), title="T\x02")
    assert register_cell(book, "Text").value == "eenreactie met\ttab"
    assert register_cell(book, "Quote").value == "=1+1"
    assert register_cell(book, "Quote").data_type == "s"
    assert book.properties.title == "T"


def test_no_reactions_still_make_a_workbook_with_headers():
    book = register()
    assert headers(book.worksheets[0]) == [str(c.header) for c in REGISTER]
    assert book.worksheets[0].max_row == 1 and book.worksheets[0].auto_filter.ref == "A1:T1"
    tables = summary_tables(book)
    by_status = tables[str(_l("Reactions by status"))]
    assert [count for _, count in by_status] == [0] * (len(Disposition) + 1)
    assert tables[str(_l("Reactions by section"))] == tables[str(_l("Reactions by group"))] == []
    sheet = iso().worksheets[0]
    assert headers(sheet) == [str(c.header) for c in ISO_TEMPLATE] and sheet.max_row == 1


def test_the_iso_template_has_its_columns():
    sheet = iso(row()).worksheets[0]
    names = [
        "MB/NC", "Line number", "Clause/Subclause", "Paragraph/Figure/Table/Note",
        "Type of comment", "Comments", "Proposed change", "Observations of the secretariat",
    ]  # fmt: skip
    assert headers(sheet) == [str(_l(name)) for name in names]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H2"
    assert sheet["F1"].font.bold and sheet["F2"].alignment.wrap_text


def test_the_iso_template_fills_them():
    sheet = iso(
        row(kind=CommentKind.SUGGESTION, quote="de tekst", proposed_text="nieuwe tekst",
            status=Disposition.PARTLY_ACCEPTED, motivation="Deels."),
        row(kind=CommentKind.QUESTION, group="", motivation=""),
        row(kind=None, group="", organisation="", body="=1+1"),
    ).worksheets[0]  # fmt: skip
    values = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=2)]
    partly, new = str(DISPOSITION[Disposition.PARTLY_ACCEPTED]), str(DISPOSITION[Disposition.NEW])
    quoted = str(_l("“%(quote)s”", quote="de tekst"))
    assert values[0] == [
        "Regio Noord", None, "1", "Inleiding", "te", f"{quoted}\n\nEen reactie.",
        "nieuwe tekst", f"{partly}: Deels.",
    ]  # fmt: skip
    assert values[1] == ["Gemeente Assen", None, "1", "Inleiding", "ge", "Een reactie.", None, new]
    assert values[2][4:6] == ["ge", "=1+1"] and sheet["F4"].data_type == "s"


@pytest.mark.parametrize("kind", [CommentKind.QUESTION, CommentKind.CONCERN,
                                  CommentKind.GENERAL, CommentKind.SUPPORT])  # fmt: skip
def test_only_suggestions_are_technical(kind: CommentKind):
    sheet = iso(row(kind=kind), row(kind=CommentKind.SUGGESTION)).worksheets[0]
    assert (sheet["E2"].value, sheet["E3"].value) == ("ge", "te")
