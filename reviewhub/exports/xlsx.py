"""The reactions as Excel workbooks, in two layouts: the review group's comment register
(every field, status shaded, with a summary sheet) and the ISO/IEC commenting template that
standards bodies take as is.

Both are written in openpyxl's write-only mode, a row at a time, so 20,000 reactions never
sit in memory as cells; only the summary's counts are kept (and openpyxl's list of the
links, which it writes after the rows). Every text goes in as a plain string, never a
formula: a reaction starting with "=" must not run when the file is opened (formula
injection), and characters XML cannot hold are dropped rather than failing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import Cell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from ..clock import TIMEZONE
from ..labels import ANSWER_VERDICT, COMMENT_KIND, DISPOSITION
from ..models import AnswerVerdict, CommentKind, Disposition
from .flat import FORMULA_STARTS
from .rows import ExportRow, Links

CREATOR = "ReviewHub"
MAX_CELL = 32767  # the most characters Excel keeps in a cell; a longer one spoils the file


@dataclass(frozen=True)
class Style:
    """How a cell looks, in plain values: cheap to hash, so a sheet turns each style into
    openpyxl's objects once. Set cell by cell, openpyxl hashes every font, fill and
    alignment again, which took most of the time of 20,000 rows."""

    wrap: bool = False
    bold: bool = False
    size: float | None = None
    color: str | None = None  # of the text
    underline: bool = False
    fill: str | None = None
    number_format: str | None = None
    quote: bool = False  # Excel's quote prefix: the text stays text when someone edits it


TEXT = Style()
WRAPPED = Style(wrap=True)
TITLE = Style(bold=True, size=14)
CAPTION = Style(bold=True)
HEADER = Style(wrap=True, bold=True, fill="D9D9D9")  # light grey: black text reads 15:1
DATE = Style(number_format="dd-mm-yyyy hh:mm")
LINK = Style(color="0563C1", underline=True)  # Excel's own link blue, 6:1 on white
# The ISO convention's colours, light enough that the dark status text keeps a contrast
# above 12:1 (WCAG AA asks 4.5:1); the status is always written too, so colour only helps.
STATUS_STYLE = {
    Disposition.ACCEPTED: Style(fill="C6EFCE"),  # green
    Disposition.PARTLY_ACCEPTED: Style(fill="E4E8B8"),  # olive
    Disposition.NOTED: Style(fill="DDEBF7"),  # blue
    Disposition.NOT_ACCEPTED: Style(fill="F8D7E3"),  # pink
}


@dataclass(frozen=True)
class Styled:
    """A cell value with a style of its own (the status on its colour)."""

    text: str
    style: Style


@dataclass(frozen=True)
class Link:
    """A cell value that is an address: written as a hyperlink showing the address."""

    url: str


@dataclass(frozen=True)
class Texts:
    """The labels every row needs, translated once per workbook: 20,000 rows would
    otherwise look up the same few strings 20,000 times."""

    links: Links
    status: dict[Disposition, str]
    kind: dict[CommentKind, str]
    answer: dict[AnswerVerdict, str]
    hidden: str
    withdrawn: str

    @classmethod
    def of(cls, links: Links) -> Texts:
        return cls(
            links=links,
            status={key: str(label) for key, label in DISPOSITION.items()},
            kind={key: str(label) for key, label in COMMENT_KIND.items()},
            answer={key: str(label) for key, label in ANSWER_VERDICT.items()},
            hidden=str(_l("Hidden by the moderator")),
            withdrawn=str(_l("Withdrawn by the author")),
        )


@dataclass(frozen=True)
class Column:
    """A column of a layout: its header (a lazy string), width in characters, how a row's
    value is read, and whether its text wraps."""

    header: object
    width: float
    value: Callable[[ExportRow, Texts], object]
    wrap: bool = False


# The cells ----------------------------------------------------------------------------------


def _safe_text(value: str) -> str:
    """``value`` as a cell can hold it: without XML's illegal characters, at most MAX_CELL
    long."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]


def _local_time(moment: datetime) -> datetime:
    """``moment`` on the Dutch clock, without a zone: Excel has no time zones, and the
    review group reads its own time (a naive value is taken as UTC, as stored)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(TIMEZONE).replace(tzinfo=None)


class _Sheet:
    """A write-only worksheet and the cells for it, each style registered once."""

    def __init__(self, book: Any, name: object) -> None:
        self.sheet = book.create_sheet(str(name))
        self._styles: dict[Style, Any] = {}

    def widths(self, widths: Iterable[float]) -> None:
        """Column widths in characters: write-only mode takes them before the first row."""
        for number, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(number)].width = width

    def append(self, values: Iterable[object], wrap: Iterable[bool] = ()) -> None:
        flags = iter(wrap)
        self.sheet.append([self.cell(value, next(flags, False)) for value in values])

    def header(self, headers: Iterable[object]) -> None:
        self.sheet.append([self.text(str(header), HEADER) for header in headers])

    def cell(self, value: object, wrap: bool = False) -> Any:
        """The cell for ``value``: a styled text, a local date, a link, a number or a text;
        None for nothing (write-only mode then writes no cell at all)."""
        if value is None or value == "":
            return None
        if isinstance(value, Styled):
            return self.text(value.text, value.style)
        if isinstance(value, datetime):
            return self._new(_local_time(value), DATE)
        if isinstance(value, Link):
            link = self.text(value.url, LINK)
            link.hyperlink = value.url
            return link
        if isinstance(value, int):
            return self._new(value, TEXT)
        return self.text(str(value), WRAPPED if wrap else TEXT)

    def text(self, value: str, style: Style) -> Any:
        """A string cell that stays a string: write-only mode would make "=..." a formula
        (and "#N/A" an error). What a spreadsheet would read as a formula also gets the
        quote prefix, so editing the cell keeps it text."""
        text = _safe_text(value)
        if text.startswith(FORMULA_STARTS):
            style = replace(style, quote=True)
        cell = self._new(text, style)
        cell.data_type = "s"
        return cell

    def _new(self, value: object, style: Style) -> Any:
        array = self._styles.get(style)
        if array is None:
            array = self._styles[style] = self._register(style)
        return Cell(self.sheet, row=1, column=1, value=value, style_array=array)

    def _register(self, style: Style) -> Any:
        """openpyxl's style array for ``style``, read off a cell that was given it (the one
        private attribute used: Cell takes the array back as ``style_array``)."""
        cell = Cell(self.sheet, row=1, column=1)
        cell.alignment = Alignment(wrap_text=style.wrap or None, vertical="top")
        if style.bold or style.size or style.color or style.underline:
            cell.font = Font(bold=style.bold or None, sz=style.size, color=style.color,
                             underline="single" if style.underline else None)  # fmt: skip
        if style.fill:
            cell.fill = PatternFill("solid", fgColor=style.fill)
        if style.number_format:
            cell.number_format = style.number_format
        cell.quotePrefix = style.quote
        return cell._style


# The sheets ---------------------------------------------------------------------------------


def _new_book(title: str) -> Any:
    """A write-only workbook with the document properties every export carries."""
    book = Workbook(write_only=True)
    book.properties.title = _safe_text(title)
    book.properties.creator = CREATOR
    return book


def _table_sheet(book: Any, name: object, columns: Sequence[Column]) -> _Sheet:
    """A sheet with its widths, a frozen header row and the header: what write-only mode
    needs before the first row."""
    sheet = _Sheet(book, name)
    sheet.widths(column.width for column in columns)
    sheet.sheet.freeze_panes = "A2"
    sheet.header(column.header for column in columns)
    return sheet


def _write_table(
    sheet: _Sheet, columns: Sequence[Column], rows: Iterable[ExportRow], texts: Texts
) -> Iterator[ExportRow]:
    """Writes a row per reaction and yields each once written (so a caller can count along
    without holding them), then sets the autofilter over everything written."""
    wrap = [column.wrap for column in columns]
    count = 0
    for row in rows:
        sheet.append((column.value(row, texts) for column in columns), wrap)
        count += 1
        yield row
    sheet.sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


# The register -------------------------------------------------------------------------------


def _answer(row: ExportRow, texts: Texts) -> str:
    """The commenter's verdict on the decision, with what they wrote after a colon."""
    if row.answer is None:
        return ""
    verdict = texts.answer[row.answer]
    return f"{verdict}: {row.answer_text}" if row.answer_text else verdict


def _note(row: ExportRow, texts: Texts) -> str:
    """What the status does not say: hidden, withdrawn, or a group's position."""
    notes = []
    if row.hidden:
        notes.append(texts.hidden)
    if row.withdrawn:
        notes.append(texts.withdrawn)
    if row.position_edition is not None:
        notes.append(
            str(_l("Position of %(group)s, edition %(number)d",
                   group=row.group, number=row.position_edition))
        )  # fmt: skip
    return "; ".join(notes)


def _status(row: ExportRow, texts: Texts) -> Styled:
    return Styled(texts.status[row.status], STATUS_STYLE.get(row.status, TEXT))


def _taken_in(row: ExportRow, texts: Texts) -> str:
    if row.taken_in_label:
        return row.taken_in_label
    return str(row.taken_in_version) if row.taken_in_version is not None else ""


REGISTER: tuple[Column, ...] = (
    Column(_l("Reference"), 12, lambda row, _: row.reference),
    Column(_l("Section number"), 10, lambda row, _: row.section_number),
    Column(_l("Section heading"), 28, lambda row, _: row.section_heading, wrap=True),
    Column(_l("Quote"), 40, lambda row, _: row.quote, wrap=True),
    Column(_l("Kind"), 13, lambda row, t: t.kind[row.kind] if row.kind else ""),
    Column(_l("Consultation question"), 30, lambda row, _: row.question, wrap=True),
    Column(_l("Group"), 20, lambda row, _: row.group, wrap=True),
    Column(_l("Author"), 20, lambda row, _: row.author),
    Column(_l("Organisation"), 22, lambda row, _: row.organisation, wrap=True),
    Column(_l("Date"), 17, lambda row, _: row.created_at),
    Column(_l("Text"), 60, lambda row, _: row.body, wrap=True),
    Column(_l("Proposed wording"), 50, lambda row, _: row.proposed_text, wrap=True),
    Column(_l("Status"), 16, _status),
    Column(_l("Motivation"), 50, lambda row, _: row.motivation, wrap=True),
    Column(_l("Decided by"), 20, lambda row, _: row.decided_by),
    Column(_l("Taken in by version"), 16, _taken_in),
    Column(_l("Answer of the commenter"), 30, _answer, wrap=True),
    Column(_l("Link"), 40, lambda row, t: Link(t.links.reaction(row))),
    Column(_l("Note"), 28, _note, wrap=True),
    Column(_l("Attachments"), 40, lambda row, t: t.links.attachments(row), wrap=True),
)
STATUS_HEADERS = (_l("Status"), _l("Reactions"))
SECTION_HEADERS = (_l("Section number"), _l("Section heading"), _l("Reactions"))
GROUP_HEADERS = (_l("Group"), _l("Reactions"))


class _Tally:
    """The summary's counts, kept while the rows stream past."""

    def __init__(self) -> None:
        self.status: Counter[Disposition] = Counter()
        self.sections: dict[tuple[str, str], int] = {}  # in order of first appearance
        self.groups: Counter[str] = Counter()

    def add(self, row: ExportRow) -> None:
        self.status[row.status] += 1
        section = (row.section_number, row.section_heading)
        self.sections[section] = self.sections.get(section, 0) + 1
        self.groups[row.group] += 1

    def group_rows(self) -> list[tuple[str, int]]:
        """By name, case aside; reactions without a group last."""
        named = sorted((g for g in self.groups if g), key=lambda g: (g.casefold(), g))
        rows = [(group, self.groups[group]) for group in named]
        if self.groups[""]:
            rows.append((str(_l("(no group)")), self.groups[""]))
        return rows


def _summary_table(
    sheet: _Sheet, caption: object, headers: Sequence[object], rows: Iterable[Sequence[object]]
) -> None:
    """A small table: a bold caption, a header row, the rows, an empty row after."""
    sheet.append([Styled(str(caption), CAPTION)])
    sheet.header(headers)
    for values in rows:
        sheet.append(values)
    sheet.append([])


def _write_summary(sheet: _Sheet, tally: _Tally, title: str) -> None:
    """Counts by status (every status, in their order, and the total), by section (in the
    order of the document) and by group."""
    sheet.append([Styled(title, TITLE)])
    sheet.append([])
    statuses = [(str(DISPOSITION[status]), tally.status[status]) for status in Disposition]
    statuses.append((str(_l("Total")), tally.status.total()))
    _summary_table(sheet, _l("Reactions by status"), STATUS_HEADERS, statuses)
    sections = [(number, name, count) for (number, name), count in tally.sections.items()]
    _summary_table(sheet, _l("Reactions by section"), SECTION_HEADERS, sections)
    _summary_table(sheet, _l("Reactions by group"), GROUP_HEADERS, tally.group_rows())


def register_xlsx(rows: Iterable[ExportRow], out: BinaryIO, *, links: Links, title: str) -> int:
    """The review group's comment register: a row per reaction on the first sheet, the
    counts on a second. Returns the number of reactions written."""
    book = _new_book(title)
    register = _table_sheet(book, _l("Register"), REGISTER)
    summary = _Sheet(book, _l("Summary"))  # made now, to come second; filled once counted
    summary.widths((28, 40, 12))
    tally = _Tally()
    for row in _write_table(register, REGISTER, rows, Texts.of(links)):
        tally.add(row)
    _write_summary(summary, tally, title)
    book.save(out)
    return tally.status.total()


# The ISO/IEC template -----------------------------------------------------------------------


def _comment_type(row: ExportRow) -> str:
    """ISO's type of comment: a suggestion proposes wording, so technical ("te"); the rest
    is general ("ge"). Editorial ("ed") cannot be told from the kind, so is never given."""
    return "te" if row.kind is CommentKind.SUGGESTION else "ge"


def _iso_comment(row: ExportRow) -> str:
    """The reaction, after the passage it is about in quotation marks."""
    if not row.quote:
        return row.body
    quoted = _l("“%(quote)s”", quote=row.quote)  # in the quotation marks of the language
    return f"{quoted}\n\n{row.body}"


def _observations(row: ExportRow, texts: Texts) -> str:
    """The decision: the status, and its motivation after a colon."""
    label = texts.status[row.status]
    return f"{label}: {row.motivation}" if row.motivation else label


# The template's own column names, kept in English; translatable all the same.
ISO_TEMPLATE: tuple[Column, ...] = (
    Column(_l("MB/NC"), 18, lambda row, _: row.group or row.organisation, wrap=True),
    Column(_l("Line number"), 10, lambda row, _: ""),
    Column(_l("Clause/Subclause"), 12, lambda row, _: row.section_number),
    Column(_l("Paragraph/Figure/Table/Note"), 24, lambda row, _: row.section_heading, wrap=True),
    Column(_l("Type of comment"), 10, lambda row, _: _comment_type(row)),
    Column(_l("Comments"), 60, lambda row, _: _iso_comment(row), wrap=True),
    Column(_l("Proposed change"), 50, lambda row, _: row.proposed_text, wrap=True),
    Column(_l("Observations of the secretariat"), 50, _observations, wrap=True),
)


def iso_template_xlsx(rows: Iterable[ExportRow], out: BinaryIO, *, links: Links, title: str) -> int:
    """The reactions in the ISO/IEC commenting template's columns, for standards bodies that
    take comments only in that form. Returns the number of reactions written."""
    book = _new_book(title)
    sheet = _table_sheet(book, _l("Comments"), ISO_TEMPLATE)
    count = sum(1 for _ in _write_table(sheet, ISO_TEMPLATE, rows, Texts.of(links)))
    book.save(out)
    return count
