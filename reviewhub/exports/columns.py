"""The columns of the comment register, shared by the flat exports (CSV; the Excel register
reads the same names): each a translated header and how a row fills it, as text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..labels import ANSWER_VERDICT, COMMENT_KIND, DISPOSITION
from .rows import ExportRow, Links, aware

# Dates as the participants read them (the service is Dutch): the register's date column.
LOCAL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Column:
    header: LazyString
    text: Callable[[ExportRow], str]


def kind_label(row: ExportRow) -> str:
    return str(COMMENT_KIND[row.kind]) if row.kind else ""


def answer_label(row: ExportRow) -> str:
    """The commenter's answer to the decision as it stands: verdict, and why."""
    if row.answer is None:
        return ""
    verdict = str(ANSWER_VERDICT[row.answer])
    return f"{verdict}: {row.answer_text}" if row.answer_text else verdict


def note(row: ExportRow) -> str:
    """What the register says beside the status: hidden, withdrawn, a group's position."""
    if row.withdrawn:
        return str(_l("Withdrawn by the author"))
    if row.hidden:
        return str(_l("Hidden by the moderator"))
    if row.position_edition:
        return str(_l("Position of the group, edition %(number)d", number=row.position_edition))
    return ""


def local_time(row: ExportRow) -> str:
    return aware(row.created_at).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def register_columns(links: Links) -> list[Column]:
    return [
        Column(_l("Reference"), lambda r: r.reference),
        Column(_l("Version"), lambda r: r.version_label),
        Column(_l("Section number"), lambda r: r.section_number),
        Column(_l("Section heading"), lambda r: r.section_heading),
        Column(_l("Quote"), lambda r: r.quote),
        Column(_l("Kind"), kind_label),
        Column(_l("Consultation question"), lambda r: r.question),
        Column(_l("Group"), lambda r: r.group),
        Column(_l("Author"), lambda r: r.author),
        Column(_l("Organisation"), lambda r: r.organisation),
        Column(_l("Date"), local_time),
        Column(_l("Text"), lambda r: r.body),
        Column(_l("Proposed wording"), lambda r: r.proposed_text),
        Column(_l("Status"), lambda r: str(DISPOSITION[r.status])),
        Column(_l("Motivation"), lambda r: r.motivation),
        Column(_l("Decided by"), lambda r: r.decided_by),
        Column(_l("Taken in by version"), lambda r: r.taken_in_label),
        Column(_l("Answer of the commenter"), answer_label),
        Column(_l("Note"), note),
        Column(_l("Link"), links.reaction),
        Column(_l("Attachments"), links.attachments),
    ]
