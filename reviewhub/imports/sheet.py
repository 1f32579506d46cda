"""Reading a spreadsheet of feedback (a meeting's list, our template, the ISO commenting
template) into rows of text keyed by what each column means. Files are checked before they
are read: the type by content, not by name; a zip bomb, a file too large, or one that is no
spreadsheet at all gives a clear ``ImportFileError`` and nothing else."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

MAX_FILE = 10 * 1024 * 1024  # an upload larger than this is refused before it is read
MAX_UNPACKED = 50 * 1024 * 1024  # what the parts of an XLSX may unpack to, together
MAX_RATIO = 100  # how much one part may grow when unpacked: more is a zip bomb
MAX_ROWS = 5000

# What each column means, by the names it may carry (lower case): our template in Dutch and
# English, the register we export, and the ISO/IEC commenting template.
FIELDS: dict[str, tuple[str, ...]] = {
    "section": ("paragraaf", "paragraafnummer", "section", "section number", "sectie",
                "clause/subclause", "clause", "hoofdstuk/paragraaf", "key"),
    "group": ("groep", "group", "mb/nc", "namens"),
    "kind": ("soort", "kind", "type of comment", "soort commentaar", "type"),
    "text": ("reactie", "reaction", "tekst", "text", "comments", "comment", "commentaar"),
    "quote": ("citaat", "quote", "passage"),
    "proposed": ("voorgestelde tekst", "voorgestelde formulering", "proposed wording",
                 "proposed change", "voorgestelde wijziging"),
    "author": ("naam", "name", "auteur", "author"),
    "organisation": ("organisatie", "organisation", "organization"),
}  # fmt: skip
REQUIRED = ("section", "text")
# The template's columns (imports.template), read in whichever language it was made in.
TEMPLATE = {
    "section": _l("Section"), "group": _l("Group"), "kind": _l("Kind"),
    "text": _l("Reaction"), "quote": _l("Quote"), "proposed": _l("Proposed wording"),
    "author": _l("Name"), "organisation": _l("Organisation"),
}  # fmt: skip


class ImportFileError(ValueError):
    """The file cannot be read as feedback; ``str()`` says why. Nothing was taken from it."""


@dataclass(frozen=True)
class SheetRow:
    """One row: its number in the file (for the report) and its cells by meaning."""

    line: int
    cells: dict[str, str]
    formula: bool = False  # a cell held a formula: never taken as text


def read_sheet(filename: str, data: bytes) -> list[SheetRow]:
    """The rows of an XLSX or CSV file, empty rows left out."""
    if len(data) > MAX_FILE:
        raise ImportFileError(_l("The file is larger than 10 MB."))
    if data[:4] == b"PK\x03\x04":
        header, rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")) or _looks_like_text(data):
        header, rows = _csv_rows(data)
    else:
        raise ImportFileError(
            _l("This is no spreadsheet: upload an Excel file (.xlsx) or a CSV file.")
        )
    fields = _fields(header)
    found: list[SheetRow] = []
    for line, values, formula in rows:
        cells = {field: _text(values[index]) for field, index in fields.items()
                 if index < len(values)}  # fmt: skip
        if not any(cells.values()):
            continue  # an empty row
        found.append(SheetRow(line, cells, formula))
        if len(found) > MAX_ROWS:
            raise ImportFileError(_l("The file has more than %(most)d rows.", most=MAX_ROWS))
    return found


def _fields(header: list[Any]) -> dict[str, int]:
    names = [_text(cell).lower() for cell in header]
    known = {field: (*aliases, str(TEMPLATE[field]).lower()) for field, aliases in FIELDS.items()}
    fields = {field: names.index(name) for field, aliases in known.items()
              for name in aliases if name in names}  # fmt: skip
    missing = [field for field in REQUIRED if field not in fields]
    if missing:
        raise ImportFileError(
            _l("The first row needs the columns %(columns)s (see the template); it has: "
               "%(found)s.", columns=", ".join(FIELDS[f][0].capitalize() for f in missing),
               found=", ".join(n for n in names if n) or "—")
        )  # fmt: skip
    return fields


Rows = list[tuple[int, list[Any], bool]]  # line, values, whether a cell is a formula


def _xlsx_rows(data: bytes) -> tuple[list[Any], Rows]:
    _check_zip(data)
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_l("The Excel file cannot be read: it may be damaged.")) from error
    sheet = book.worksheets[0]
    rows = [
        ([cell.value for cell in row], any(cell.data_type == "f" for cell in row))
        for row in sheet.iter_rows(max_row=MAX_ROWS + 2)
    ]
    book.close()
    if not rows:
        raise ImportFileError(_l("The spreadsheet is empty."))
    return rows[0][0], [(n, values, formula) for n, (values, formula) in enumerate(rows[1:], 2)]


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ImportFileError(_l("The file is damaged: it cannot be unpacked.")) from error
    total = sum(part.file_size for part in parts)
    bomb = any(part.file_size > MAX_RATIO * max(part.compress_size, 1) and
               part.file_size > 1024 * 1024 for part in parts)  # fmt: skip
    if total > MAX_UNPACKED or bomb:
        raise ImportFileError(_l("The file unpacks to far more than it holds: it is refused."))
    if "xl/workbook.xml" not in archive.namelist():
        raise ImportFileError(
            _l("This is no Excel workbook: upload an Excel file (.xlsx) or a CSV file.")
        )


def _csv_rows(data: bytes) -> tuple[list[Any], Rows]:
    text = _decoded(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if text.count(";") > text.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise ImportFileError(_l("The spreadsheet is empty."))
    # A CSV computes nothing: a cell starting with "=" is text (the exports keep it so).
    return list(rows[0]), [(n, list(row), False) for n, row in enumerate(rows[1:], 2)]


def _decoded(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252 as older Excel saves."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > len(text) // 100:
        raise ImportFileError(_l("The file is not text: upload an Excel file or a CSV file."))
    return text


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" not in sample and sum(b < 9 for b in sample) == 0


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()
