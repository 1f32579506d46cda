"""Finding reactions by calling reviewhub.feedback.queries directly: the threads of a version as
each viewer may see them, the filters, the groups offered by the group filter, and a person's own
reactions."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import Session

from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.feedback.queries import (
    CommentFilter,
    comments_by,
    groups_reacting,
    thread_count,
    version_threads,
)
from reviewhub.models import Comment, CommentKind, CommentVisibility, Role, Section, User, Version
from tests.factories import group_named, make_user, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def version(session: Session) -> Version:
    return sample_section(session).version


def shown(session: Session, viewer, version: Version, **criteria) -> set[str]:
    """The bodies of the top-level reactions ``viewer`` sees on ``version``."""
    threads = version_threads(session, viewer, version, CommentFilter(**criteria))
    return {thread.comment.body for section in threads.values() for thread in section}


def partner_says(
    session: Session, people: dict[Role, User], body: str, group: str = "Regio Twente", **fields
) -> Comment:
    section: Section = fields.pop("section", None) or sample_section(session)
    new = reaction(body, group=group_named(session, group), **fields)
    return post_comment(session, people[Role.PARTNER], section, new)


def test_threads_hold_each_reaction_under_its_section_with_its_replies(session, people, version):
    safety, family = sample_section(session), sample_section(session, key="samenwerking-gezin")
    question = partner_says(session, people, "Een vraag", section=safety)
    reply = post_comment(
        session, people[Role.REVIEWER], safety, reaction("Het antwoord", kind=None), question
    )
    support = partner_says(session, people, "Steun", section=family, kind=CommentKind.SUPPORT)
    threads = version_threads(session, people[Role.READER], version)
    assert [(t.comment, t.replies) for t in threads[safety.id]] == [(question, [reply])]
    assert [(t.comment, t.replies) for t in threads[family.id]] == [(support, [])]
    assert thread_count(threads[safety.id]) == 2  # the badge counts replies too
    assert version_threads(session, people[Role.READER], sample_section(session, 2).version) == {}


def test_threads_leave_out_what_the_viewer_may_not_read(session, people, version):
    partner_says(session, people, "Voor iedereen")
    partner_says(session, people, "Intern", visibility=CommentVisibility.GROUP)
    colleague = make_user(session, "collega@example.org", Role.READER, group_named(session))
    for viewer in (people[Role.READER], people[Role.AUTHOR], AnonymousUserMixin()):
        assert shown(session, viewer, version) == {"Voor iedereen"}
    for viewer in (colleague, people[Role.PARTNER], people[Role.REVIEWER]):
        assert shown(session, viewer, version) == {"Voor iedereen", "Intern"}


def test_threads_are_filtered_by_kind_group_mine_and_unanswered(session, people, version):
    reviewer = people[Role.REVIEWER]
    question = partner_says(session, people, "Een vraag")
    support = partner_says(
        session, people, "Steun", group="Proeftuin Utrecht", kind=CommentKind.SUPPORT,
        section=sample_section(session, key="samenwerking-gezin"),
    )  # fmt: skip
    post_comment(session, reviewer, question.section, reaction("Een zorg", CommentKind.CONCERN))
    answer = post_comment(session, reviewer, question.section, reaction("Ja", kind=None), question)
    reader = people[Role.READER]
    assert shown(session, reader, version, kind=CommentKind.SUPPORT) == {"Steun"}
    assert shown(session, reader, version, group_id=support.group_id) == {"Steun"}
    assert shown(session, people[Role.PARTNER], version, mine=True) == {"Een vraag", "Steun"}
    assert shown(session, AnonymousUserMixin(), version, mine=True) == set()
    assert shown(session, reader, version, unanswered=True) == {"Steun", "Een zorg"}
    delete_comment(session, reviewer, answer)  # a deleted reply answers nothing
    assert shown(session, reader, version, unanswered=True) == {"Een vraag", "Steun", "Een zorg"}


def test_the_group_filter_offers_only_groups_whose_reactions_the_viewer_may_read(
    session, people, version
):
    """Offering Regio Twente to a reader would tell that it reacted for itself only."""
    partner_says(session, people, "Voor iedereen", group="Proeftuin Utrecht")
    partner_says(session, people, "Intern", visibility=CommentVisibility.GROUP)
    post_comment(session, people[Role.REVIEWER], sample_section(session), reaction("Zonder groep"))

    def offered(viewer) -> list[str]:
        return [group.name for group in groups_reacting(session, viewer, version)]

    assert offered(people[Role.READER]) == offered(AnonymousUserMixin()) == ["Proeftuin Utrecht"]
    both = ["Proeftuin Utrecht", "Regio Twente"]  # by name
    assert offered(people[Role.PARTNER]) == offered(people[Role.REVIEWER]) == both


def test_a_persons_own_reactions_newest_first(session, people):
    first = partner_says(session, people, "Eerste")
    second = partner_says(session, people, "Tweede", visibility=CommentVisibility.GROUP)
    assert comments_by(session, people[Role.PARTNER]) == [second, first]
    assert comments_by(session, people[Role.READER]) == []
