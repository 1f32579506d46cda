"""A version's progress at a glance: its reactions counted by status, by section and by group,
each count one grouped query whatever the number of reactions, and the geometry of the bar
charts that show them (the template only draws what this module measured).

What is counted is what needs a decision or has one: top-level reactions that are neither
deleted nor hidden, as ``decisions.needs_decision`` counts them, so that the open statuses
here add up to the number that keeps the version from being marked handled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, func, select

from ..dbtypes import DbSession
from ..labels import DISPOSITION
from ..models import Comment, Disposition, Group, Section, Version
from .decisions import OPEN

TOP = 20  # the sections and groups a chart names; the rest are one bar "others"
LABEL_LENGTH = 70  # characters of a label in a chart (the table beside it has them whole)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    key: str = ""  # what the bar stands for (a status value, a section key, a group id)


@dataclass(frozen=True)
class Progress:
    by_status: list[Bar]
    by_section: list[Bar]
    by_group: list[Bar]
    total: int
    undecided: int


def _counted(version: Version) -> list[ColumnElement[bool]]:
    return [
        Comment.version_id == version.id,
        Comment.parent_id.is_(None),
        Comment.deleted_at.is_(None),
        Comment.hidden_at.is_(None),
    ]


def status_counts(session: DbSession, version: Version) -> dict[Disposition, int]:
    rows = session.execute(
        select(Comment.disposition, func.count(Comment.id))
        .where(*_counted(version))
        .group_by(Comment.disposition)
    )
    return {disposition: count for disposition, count in rows}


def section_counts(session: DbSession, version: Version, top: int = TOP) -> list[Bar]:
    """The ``top`` sections with the most reactions, most first (then in reading order)."""
    count = func.count(Comment.id)
    rows = session.execute(
        select(Section.key, Section.number, Section.heading, count)
        .join(Comment, Comment.section_id == Section.id)
        .where(*_counted(version))
        .group_by(Section.id, Section.key, Section.number, Section.heading, Section.position)
        .order_by(count.desc(), Section.position)
        .limit(top)
    )
    return [
        Bar(_section_label(number, heading), total, key) for key, number, heading, total in rows
    ]


def _section_label(number: str | None, heading: str | None) -> str:
    return " ".join(part for part in (number, heading or str(lazy_gettext("Opening text"))) if part)


def group_counts(session: DbSession, version: Version, top: int = TOP) -> list[Bar]:
    """The ``top`` groups the most reactions were sent for, most first; reactions sent for
    no group make a bar of their own."""
    count = func.count(Comment.id)
    rows = session.execute(
        select(Group.id, Group.name, count)
        .select_from(Comment)
        .outerjoin(Group, Comment.group_id == Group.id)
        .where(*_counted(version))
        .group_by(Group.id, Group.name)
        .order_by(count.desc(), Group.name)
        .limit(top)
    )
    return [
        Bar(name if name is not None else str(lazy_gettext("No group")), total, str(id_ or ""))
        for id_, name, total in rows
    ]


def with_others(bars: list[Bar], total: int) -> list[Bar]:
    """``bars`` and, when they do not add up to ``total``, one more bar for the rest."""
    rest = total - sum(bar.count for bar in bars)
    return [*bars, Bar(str(lazy_gettext("All others")), rest)] if rest > 0 else bars


def progress(session: DbSession, version: Version) -> Progress:
    """Everything the progress page shows, in three grouped queries."""
    by_status = status_counts(session, version)
    total = sum(by_status.values())
    return Progress(
        by_status=[
            Bar(str(label), by_status.get(disposition, 0), disposition.value)
            for disposition, label in DISPOSITION.items()
        ],
        by_section=with_others(section_counts(session, version), total),
        by_group=with_others(group_counts(session, version), total),
        total=total,
        undecided=sum(by_status.get(disposition, 0) for disposition in OPEN),
    )


# The charts' geometry -----------------------------------------------------------------------

ROW_HEIGHT = 40  # a label line above a bar
BAR_HEIGHT = 16
BAR_TOP = 20  # the bar's offset in its row, below the label
CHART_WIDTH = 600
BAR_SPACE = 520  # the longest bar; the rest of the width holds its number


@dataclass(frozen=True)
class ChartRow:
    label: str
    count: int
    y: int  # the row's top
    width: float  # the bar's length


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    width: int
    height: int
    bar_top: int = BAR_TOP
    bar_height: int = BAR_HEIGHT


def chart(bars: list[Bar]) -> Chart:
    """Where each bar goes: one row per bar, lengths relative to the largest count (a bar of
    at least one reaction stays visible). The number is written after the bar, so nothing is
    said by length or colour alone."""
    largest = max((bar.count for bar in bars), default=0)
    rows = [
        ChartRow(
            label=_shortened(bar.label),
            count=bar.count,
            y=position * ROW_HEIGHT,
            width=max(BAR_SPACE * bar.count / largest, 2.0) if bar.count else 0.0,
        )
        for position, bar in enumerate(bars)
    ]
    return Chart(rows=rows, width=CHART_WIDTH, height=max(len(rows), 1) * ROW_HEIGHT)


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


def charts(report: Progress) -> dict[str, Any]:
    return {
        "status": chart(report.by_status),
        "section": chart(report.by_section),
        "group": chart(report.by_group),
    }
