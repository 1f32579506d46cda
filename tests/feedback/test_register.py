"""The workspace's register, by calling reviewhub.feedback.register directly: filters, sorting,
totals per status, the neighbours of a reaction, and the people a reaction may be given to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import Decision, assign, decide
from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.feedback.register import (
    UNASSIGNED,
    WorkspaceFilter,
    by_reference,
    in_version,
    known_total,
    neighbours,
    review_group,
    workspace_composition,
    workspace_query,
    workspace_totals,
)
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentVisibility,
    Disposition,
    Role,
    User,
    Version,
)
from tests.factories import group_named, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def version(session: Session) -> Version:
    return sample_section(session).version


def says(session: Session, people: dict[Role, User], body: str, **fields) -> Comment:
    """A reaction of the demo partner for Regio Twente on Dialoogversie 3."""
    section = sample_section(session, 3, fields.pop("key", "veiligheid"))
    group = group_named(session, fields.pop("group", "Regio Twente"))
    return post_comment(
        session, people[Role.PARTNER], section, reaction(body, group=group, **fields)
    )


def listed(session: Session, version: Version, **criteria) -> list[str]:
    """The bodies the workspace lists, in its order."""
    query = workspace_query(version, WorkspaceFilter(**criteria))
    return [comment.body for comment in session.scalars(query)]


@pytest.fixture
def three(session, people, version) -> list[Comment]:
    first = says(session, people, "Eerste vraag over veiligheid")
    second = says(session, people, "Tweede: een zorg", kind=CommentKind.CONCERN,
                  group="Proeftuin Utrecht", key="regie")  # fmt: skip
    third = says(session, people, "Derde suggestie, VEILIGHEID", kind=CommentKind.SUGGESTION)
    return [first, second, third]


def test_the_register_lists_top_level_reactions_of_the_version_only(
    session, people, version, three
):
    reply = reaction("Antwoord", kind=None)
    post_comment(session, people[Role.REVIEWER], three[0].section, reply, three[0])
    assert listed(session, version) == [c.body for c in three]


def test_filters_narrow_the_list(session, people, version, three):
    reviewer = people[Role.REVIEWER]
    decide(session, reviewer, three[1], Decision(Disposition.NOTED, "Gezien."))
    assign(session, reviewer, [three[2]], reviewer)
    assert listed(session, version, section_key="regie") == [three[1].body]
    assert listed(session, version, group_id=group_named(session, "Proeftuin Utrecht").id) == [
        three[1].body
    ]
    assert listed(session, version, kind=CommentKind.SUGGESTION) == [three[2].body]
    assert listed(session, version, disposition=Disposition.NOTED) == [three[1].body]
    assert listed(session, version, disposition=Disposition.NEW) == [three[0].body, three[2].body]
    assert listed(session, version, assignee_id=reviewer.id) == [three[2].body]
    assert listed(session, version, assignee_id=UNASSIGNED) == [three[0].body, three[1].body]
    assert listed(session, version, has_motivation=True) == [three[1].body]
    assert listed(session, version, has_motivation=False) == [three[0].body, three[2].body]
    assert listed(session, version, comment_ids=frozenset({three[0].id})) == [three[0].body]


def test_the_text_filter_searches_body_and_reference_whatever_the_case(
    session, people, version, three
):
    assert listed(session, version, text="veiligheid") == [three[0].body, three[2].body]
    assert listed(session, version, text=three[1].reference.lower()) == [three[1].body]
    assert listed(session, version, text="100%") == []  # % is a character, not a wildcard
    assert listed(session, version, text="_") == []


def test_hidden_and_deleted_reactions_stay_in_the_register(session, people, version, three):
    delete_comment(session, people[Role.PARTNER], three[0])
    assert listed(session, version) == [c.body for c in three]


def test_sorting(session, people, version, three):
    decide(session, people[Role.REVIEWER], three[0], Decision(Disposition.ACCEPTED, "Ja."))
    session.flush()
    first, second, third = (c.body for c in three)
    assert listed(session, version) == [first, second, third]
    assert listed(session, version, descending=True) == [third, second, first]
    # By date: the order they were stored in, which their references follow too.
    assert [c.created_at for c in three] == sorted(c.created_at for c in three)
    assert listed(session, version, sort="created") == [first, second, third]
    assert listed(session, version, sort="status") == [second, third, first]  # new before accepted
    assert listed(session, version, sort="group") == [second, first, third]  # Proeftuin < Regio
    veiligheid, regie = sample_section(session), sample_section(session, 3, "regie")
    by_section = [second, first, third] if regie.position < veiligheid.position else [
        first, third, second]  # fmt: skip
    assert listed(session, version, sort="section") == by_section
    assert listed(session, version, sort="nonsense") == [first, second, third]


def test_the_reference_order_is_the_order_posted(session, people, version, three):
    """References are numbered as reactions are posted, so their order is the ids' (and
    VT-3-999 comes before VT-3-1000, which sorting the text would not give)."""
    numbers = [int(c.reference.rsplit("-", 1)[1]) for c in three]
    assert numbers == sorted(numbers) and [c.id for c in three] == sorted(c.id for c in three)
    assert listed(session, version) == [c.body for c in three]


def test_totals_count_every_status_in_one_query(session, people, version, three):
    decide(session, people[Role.REVIEWER], three[0], Decision(Disposition.NOTED, "Gezien."))
    totals = workspace_totals(session, version)
    assert set(totals) == set(Disposition)
    assert totals[Disposition.NEW] == 2 and totals[Disposition.NOTED] == 1
    assert totals[Disposition.ACCEPTED] == 0


def test_a_viewer_reads_only_what_they_may(session, people, version, three):
    says(session, people, "Alleen voor de regio", visibility=CommentVisibility.GROUP)
    author, reviewer = people[Role.AUTHOR], people[Role.REVIEWER]
    assert len(session.scalars(workspace_query(version, WorkspaceFilter(), reviewer)).all()) == 4
    assert len(session.scalars(workspace_query(version, WorkspaceFilter(), author)).all()) == 3
    assert sum(workspace_totals(session, version, author).values()) == 3


def test_neighbours_follow_the_filter_and_the_order(session, people, version, three):
    middle = neighbours(session, version, WorkspaceFilter(), three[1])
    assert (middle.previous, middle.next) == (three[0].reference, three[2].reference)
    assert (middle.position, middle.total) == (2, 3)
    backwards = neighbours(session, version, WorkspaceFilter(descending=True), three[0])
    assert (backwards.previous, backwards.next) == (three[1].reference, None)
    filtered = neighbours(session, version, WorkspaceFilter(section_key="veiligheid"), three[0])
    assert (filtered.previous, filtered.next) == (None, three[2].reference)
    outside = neighbours(session, version, WorkspaceFilter(section_key="regie"), three[0])
    assert outside.position is None


def test_finding_by_reference_and_ids_keeps_to_the_version(session, people, version, three):
    assert by_reference(session, version, three[1].reference.lower()) is three[1]
    closed = sample_section(session, 2).version
    assert by_reference(session, closed, three[1].reference) is None
    assert in_version(session, version, [three[2].id, three[0].id]) == [three[2], three[0]]
    assert in_version(session, closed, [three[0].id]) == []


def test_the_review_group_is_who_may_decide(session, people, version):
    names = {person.email for person in review_group(session, version.document)}
    assert people[Role.REVIEWER].email in names and people[Role.ADMIN].email in names
    assert people[Role.PARTNER].email not in names and people[Role.AUTHOR].email not in names


@pytest.mark.parametrize("sort", ["created", "group", "status", "section"])
@pytest.mark.parametrize("descending", [False, True])
def test_neighbours_agree_with_the_list_in_every_order(
    session, people, version, three, sort, descending
):
    base = datetime(2026, 12, 1, tzinfo=UTC)
    for minutes, comment in zip((30, 10, 20), three, strict=True):
        comment.created_at = base + timedelta(minutes=minutes)
    session.flush()
    criteria = WorkspaceFilter(sort=sort, descending=descending)
    order = [c.reference for c in session.scalars(workspace_query(version, criteria))]
    for position, reference in enumerate(order):
        found = neighbours(session, version, criteria, by_reference(session, version, reference))
        assert found.previous == (order[position - 1] if position else None)
        assert found.next == (order[position + 1] if position + 1 < len(order) else None)
        assert (found.position, found.total) == (position + 1, 3)


def test_kept_counts_give_the_rows_of_a_list_filtered_on_one_thing(session, people, version, three):
    """The workspace pages through a list without counting it when the totals per status
    and the composition (by group, section, kind) tell its length: they must agree with a
    count of the list, and say nothing for a list they cannot know."""
    reviewer = people[Role.REVIEWER]
    decide(session, reviewer, three[1], Decision(Disposition.NOTED, "Gezien."))
    totals = workspace_totals(session, version, reviewer)
    composition = workspace_composition(session, version, reviewer)
    utrecht = group_named(session, "Proeftuin Utrecht").id
    regie = three[1].section
    for criteria, section_id in [
        (WorkspaceFilter(), None),
        (WorkspaceFilter(sort="status", descending=True), None),
        (WorkspaceFilter(disposition=Disposition.NOTED), None),
        (WorkspaceFilter(disposition=Disposition.ACCEPTED), None),
        (WorkspaceFilter(group_id=utrecht), None),
        (WorkspaceFilter(group_id=999), None),
        (WorkspaceFilter(kind=CommentKind.SUGGESTION), None),
        (WorkspaceFilter(section_key=regie.key), regie.id),
        (WorkspaceFilter(section_key="no-such-section"), None),
    ]:
        counted = len(session.scalars(workspace_query(version, criteria, reviewer)).all())
        assert known_total(criteria, totals, composition, section_id) == counted, criteria
    for criteria in [
        WorkspaceFilter(disposition=Disposition.NOTED, group_id=utrecht),
        WorkspaceFilter(text="veiligheid"),
        WorkspaceFilter(assignee_id=UNASSIGNED),
        WorkspaceFilter(has_motivation=True),
        WorkspaceFilter(comment_ids=frozenset({three[0].id})),
    ]:
        assert known_total(criteria, totals, composition) is None, criteria
