"""A comparison in words: summary lines, change labels and section titles, shared by the
compare page, the Word document and the command line."""

from __future__ import annotations

from flask_babel import gettext, ngettext

from ..labels import CHANGE_KIND
from ..models import ChangeKind
from .versions import SectionChange, Summary


def summary_lines(summary: Summary) -> list[str]:
    """The summary as short sentences; a section moved, renamed and edited counts in each."""
    counts = [
        (summary.added, ngettext("%(num)d section added", "%(num)d sections added", summary.added)),
        (
            summary.removed,
            ngettext("%(num)d section removed", "%(num)d sections removed", summary.removed),
        ),
        (summary.moved, ngettext("%(num)d section moved", "%(num)d sections moved", summary.moved)),
        (
            summary.renamed,
            ngettext("%(num)d heading changed", "%(num)d headings changed", summary.renamed),
        ),
        (
            summary.edited,
            ngettext(
                "%(num)d section with edited text",
                "%(num)d sections with edited text",
                summary.edited,
            ),
        ),
    ]
    lines = [line for count, line in counts if count]
    lines.append(
        ngettext("%(num)d section unchanged", "%(num)d sections unchanged", summary.unchanged)
    )
    lines.append(
        ngettext("%(num)d word added", "%(num)d words added", summary.words_added)
        + ", "
        + ngettext("%(num)d word removed", "%(num)d words removed", summary.words_removed)
    )
    return lines


def change_labels(change: SectionChange) -> list[tuple[str, str]]:
    """(style, label) for each way the section changed: new, removed, moved, renamed, edited."""
    if change.added:
        return [("new", str(CHANGE_KIND[ChangeKind.NEW]))]
    if change.removed:
        return [("removed", gettext("Removed"))]
    labels = []
    if change.moved:
        assert change.old is not None and change.new is not None
        moved = (
            gettext("Moved from %(old)s to %(new)s", old=change.old.number, new=change.new.number)
            if change.renumbered and change.old.number and change.new.number
            else str(CHANGE_KIND[ChangeKind.MOVED])
        )
        labels.append(("moved", moved))
    if change.renamed:
        labels.append(("renamed", str(CHANGE_KIND[ChangeKind.RENAMED])))
    if change.edited:
        labels.append(("edited", gettext("Text edited")))
    return labels


def section_title(change: SectionChange) -> str:
    section = change.section
    heading = section.heading or gettext("Opening text")
    return f"{section.number} {heading}" if section.number else heading
