"""The spreadsheet template for importing feedback: the columns the import reads, an example
row, and the version's sections on a second sheet to pick numbers from."""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from ..models import Version
from .sheet import TEMPLATE


def write_template(version: Version, out: BinaryIO) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Feedback"))
    sheet.append([str(label) for label in TEMPLATE.values()])
    example = next((s for s in version.sections if s.number), None)
    if example is not None:
        note = str(_l("An example: replace or delete this row."))
        sheet.append([example.number, "", str(_l("Question")), note, "", "", "", ""])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (12, 24, 14, 60, 40, 40, 20, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sections = book.create_sheet(str(_l("Sections")))
    sections.append([str(_l("Number")), str(_l("Heading")), str(_l("Key"))])
    for section in version.sections:
        sections.append([section.number, section.heading, section.key])
    book.save(out)
