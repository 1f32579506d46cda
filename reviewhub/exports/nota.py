"""The reactienota: the consolidated overview of a round's feedback and what was done with it,
as Dutch practice sends it to every participant. One model, written as Word (docx_nota) and
as PDF (pdf_nota): a title page with the numbers, a summary by status, then per section its
reactions with their decision, the answers per consultation question (as internetconsultatie.nl
reports them), and the groups and organisations that took part."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ..labels import DISPOSITION
from ..models import Disposition, Document, Version
from .columns import kind_label
from .rows import ExportRow, Overview, overview


@dataclass
class NotaSection:
    """A section with reactions, in one version (a whole document's nota has a run of
    sections per version)."""

    version_label: str
    number: str
    heading: str
    rows: list[ExportRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.number} {self.heading}".strip()


@dataclass
class NotaQuestion:
    """A consultation question with the reactions that answer it (in one version)."""

    version_label: str
    text: str
    about: str  # the section it is about, or the version as a whole
    rows: list[ExportRow] = field(default_factory=list)


@dataclass(frozen=True)
class Nota:
    document: Document
    version: Version | None
    overview: Overview
    sections: list[NotaSection]
    made_on: date
    questions: list[NotaQuestion] = field(default_factory=list)

    @property
    def subject(self) -> str:
        """What the nota is about: the version, or the document as a whole."""
        return self.version.label if self.version is not None else str(_l("All versions"))

    @property
    def period(self) -> str:
        """The consultation period, as the title page gives it."""
        opens, closes = self.overview.opens_on, self.overview.closes_on
        if opens is None:
            return ""
        if closes is None:
            return str(_l("From %(start)s", start=format_date(opens, "long")))
        return str(
            _l("%(start)s to %(end)s", start=format_date(opens, "long"),
               end=format_date(closes, "long"))
        )  # fmt: skip

    def status_lines(self) -> list[tuple[str, int]]:
        """The summary by status: every status with reactions, in the register's order."""
        counts = self.overview.by_status
        return [(str(DISPOSITION[d]), counts[d]) for d in Disposition if counts[d]]


def build_nota(
    document: Document, version: Version | None, rows: Iterable[ExportRow], made_on: date
) -> Nota:
    """The nota of ``rows`` (in the order of versions and sections, as export_rows gives
    them)."""
    kept = list(rows)
    sections: list[NotaSection] = []
    for row in kept:
        here = (row.version_label, row.section_number, row.section_heading)
        if not sections or (sections[-1].version_label, sections[-1].number,
                            sections[-1].heading) != here:  # fmt: skip
            sections.append(NotaSection(*here))
        sections[-1].rows.append(row)
    return Nota(document, version, overview(kept, version), sections, made_on,
                questions=_per_question(kept))  # fmt: skip


def _per_question(rows: list[ExportRow]) -> list[NotaQuestion]:
    """The answers grouped per question, the questions in their version's order (the rows
    keep theirs, the order of the sections)."""
    found: dict[tuple[int, int], NotaQuestion] = {}
    order: dict[tuple[int, int], tuple[int, int, int]] = {}
    for row in rows:
        if row.question_id is None:
            continue
        key = (row.version_number, row.question_id)
        if key not in found:
            about = row.section_title if row.question_of_section else str(_l("The whole version"))
            found[key] = NotaQuestion(row.version_label, row.question, about)
            order[key] = (row.version_number, row.question_position, row.question_id)
        found[key].rows.append(row)
    return [found[key] for key in sorted(found, key=order.__getitem__)]


def byline(row: ExportRow) -> str:
    """Reference · group (or person) · kind: the first line of a reaction in the nota."""
    parts = [row.reference, row.group or row.author or row.organisation, kind_label(row)]
    return " · ".join(part for part in parts if part)


def decision_line(row: ExportRow) -> str:
    if not row.decided:
        return str(_l("Decision: not yet decided (%(status)s).", status=DISPOSITION[row.status]))
    return str(_l("Decision: %(status)s.", status=DISPOSITION[row.status]))


def objection_line(row: ExportRow) -> str:
    """An open objection, said in words (the nota marks it, not by colour alone)."""
    if not row.open_objection:
        return ""
    return str(_l("Open objection of the commenter: %(text)s", text=row.answer_text))
