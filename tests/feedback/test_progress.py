"""A version's progress (reviewhub.feedback.progress): the counts by status, section and
group, and the geometry of the charts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from reviewhub.feedback import progress
from reviewhub.feedback.decisions import Decision, decide, undecided_count
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.feedback.progress import Bar
from reviewhub.models import Comment, Disposition, Group, Role, Section, User
from tests.factories import group_named, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


def _post(session: Session, author: User, section: Section, group: Group, body: str) -> Comment:
    return post_comment(session, author, section, reaction(body, group=group))


@pytest.fixture
def posted(session: Session, people: dict[Role, User]) -> dict[str, Comment]:
    """Six reactions on two sections for two groups, a reply, one hidden, one deleted."""
    partner, reviewer = people[Role.PARTNER], people[Role.REVIEWER]
    twente, utrecht = group_named(session), group_named(session, "Proeftuin Utrecht")
    safety, direction = sample_section(session), sample_section(session, key="regie")
    made = {
        "a": _post(session, partner, safety, twente, "Eerste punt."),
        "b": _post(session, partner, safety, twente, "Tweede punt."),
        "c": _post(session, partner, safety, utrecht, "Derde punt."),
        "d": _post(session, partner, direction, utrecht, "Vierde punt."),
        "hidden": _post(session, partner, direction, twente, "Verborgen."),
        "deleted": _post(session, partner, direction, twente, "Weg."),
    }
    post_comment(session, reviewer, safety, reaction("Een antwoord.", kind=None), made["a"])
    decide(session, reviewer, made["a"], Decision(Disposition.ACCEPTED, "Goed punt."))
    decide(session, reviewer, made["b"], Decision(Disposition.IN_PROGRESS))
    decide(session, reviewer, made["c"], Decision(Disposition.NOTED, "Gezien."))
    hide_comment(session, reviewer, made["hidden"], "Buiten de orde.")
    delete_comment(session, partner, made["deleted"])
    return made


def test_nothing_counted_without_reactions(session: Session) -> None:
    report = progress.progress(session, sample_section(session).version)
    assert report.total == report.undecided == 0
    assert all(bar.count == 0 for bar in report.by_status)
    assert report.by_section == report.by_group == []


def test_counts_by_status_leave_out_replies_hidden_and_deleted(
    session: Session, posted: dict[str, Comment]
) -> None:
    version = posted["a"].section.version
    report = progress.progress(session, version)
    counts = {bar.key: bar.count for bar in report.by_status}
    assert counts == {d.value: 0 for d in Disposition} | {
        "new": 1, "in_progress": 1, "accepted": 1, "noted": 1,
    }  # fmt: skip
    assert [bar.key for bar in report.by_status] == [d.value for d in Disposition]
    assert report.total == 4
    # The open statuses are what keeps the version from being marked handled.
    assert report.undecided == undecided_count(session, version) == 2


def test_counts_by_section_most_first(session: Session, posted: dict[str, Comment]) -> None:
    report = progress.progress(session, posted["a"].section.version)
    assert [(bar.key, bar.count) for bar in report.by_section] == [("veiligheid", 3), ("regie", 1)]
    assert report.by_section[0].label.endswith("Veiligheid voorop")


def test_counts_by_group(session: Session, posted: dict[str, Comment]) -> None:
    report = progress.progress(session, posted["a"].section.version)
    assert [(bar.label, bar.count) for bar in report.by_group] == [
        ("Proeftuin Utrecht", 2), ("Regio Twente", 2),
    ]  # fmt: skip


def test_only_the_top_sections_are_named_the_rest_add_up(
    session: Session, posted: dict[str, Comment]
) -> None:
    version = posted["a"].section.version
    top = progress.section_counts(session, version, top=1)
    assert [(bar.key, bar.count) for bar in top] == [("veiligheid", 3)]
    bars = progress.with_others(top, 4)
    assert [bar.count for bar in bars] == [3, 1]
    assert progress.with_others(top, 3) == top


def test_a_chart_puts_each_bar_on_its_own_row_scaled_to_the_largest() -> None:
    chart = progress.chart([Bar("Nieuw", 10), Bar("Overgenomen", 5), Bar("Dubbel", 0)])
    assert [row.y for row in chart.rows] == [0, progress.ROW_HEIGHT, 2 * progress.ROW_HEIGHT]
    assert [row.width for row in chart.rows] == [progress.BAR_SPACE, progress.BAR_SPACE / 2, 0]
    assert chart.height == 3 * progress.ROW_HEIGHT
    tiny = progress.chart([Bar("a", 10_000), Bar("b", 1)])
    assert tiny.rows[1].width >= 2  # one reaction stays visible
    assert progress.chart([]).rows == []
    long = progress.chart([Bar("x" * 200, 1)]).rows[0].label
    assert len(long) == progress.LABEL_LENGTH and long.endswith("…")
