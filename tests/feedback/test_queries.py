"""Finding reactions by calling reviewhub.feedback.queries directly: the threads of a version as
each viewer may see them, the filters, the groups offered by the group filter, and a person's own
reactions."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import OPEN, Decision, decide
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.feedback.queries import (
    CommentFilter,
    comments_by,
    groups_reacting,
    readable_filter,
    section_counts,
    thread_count,
    thread_page,
    version_threads,
)
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    Disposition,
    Role,
    Section,
    User,
    Version,
    Visibility,
)
from reviewhub.permissions import Action, can
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


# Who reads what, in SQL ---------------------------------------------------------------------


def every_kind_of_reaction(session: Session, people: dict[Role, User]) -> list[Comment]:
    """Public, group-only, waiting, hidden and deleted reactions, and replies of each sort."""
    partner, reviewer, author = people[Role.PARTNER], people[Role.REVIEWER], people[Role.AUTHOR]
    public = partner_says(session, people, "Voor iedereen")
    internal = partner_says(session, people, "Intern", visibility=CommentVisibility.GROUP)
    utrecht = partner_says(session, people, "Utrecht intern", group="Proeftuin Utrecht",
                           visibility=CommentVisibility.GROUP)  # fmt: skip
    section = public.section
    answer = post_comment(session, reviewer, section, reaction("Antwoord", kind=None), internal)
    own_reply = post_comment(session, partner, section, reaction("Aanvulling", kind=None), public)
    hidden = post_comment(session, author, section, reaction("Verborgen"))
    hide_comment(session, reviewer, hidden, "Niet respectvol")
    deleted = post_comment(session, author, section, reaction("Weg"))
    delete_comment(session, author, deleted)
    section.version.document.premoderation = True
    waiting = partner_says(session, people, "Wacht")
    waiting_reply = post_comment(session, author, section, reaction("Wacht ook", kind=None), public)
    # A reply speaks for its author, yet the thread's group reads it, not the reply's group.
    other_group = post_comment(
        session, author, section, reaction("Namens de werkgroep", kind=None), internal
    )
    other_group.group = group_named(session, "Werkgroep Veiligheidsplan")
    section.version.document.premoderation = False
    session.flush()
    assert waiting.state is waiting_reply.state is CommentState.PENDING
    return [public, internal, utrecht, answer, own_reply, hidden, deleted, waiting,
            waiting_reply, other_group]  # fmt: skip


@pytest.mark.parametrize("restricted", [False, True], ids=["public", "restricted"])
def test_the_sql_filter_reads_what_the_permission_rule_reads(session, people, restricted):
    """``readable_filter`` says in SQL what ``can(viewer, READ_COMMENT, c)`` says: for every
    demo role, a visitor, a reader in a group, and a document restricted to a group."""
    reactions = every_kind_of_reaction(session, people)
    document = reactions[0].section.version.document
    if restricted:
        document.visibility = Visibility.RESTRICTED
        document.groups = [group_named(session, "Proeftuin Utrecht")]
        session.flush()
    colleague = make_user(session, "collega@example.org", Role.READER, group_named(session))
    viewers = {**people, "anonymous": AnonymousUserMixin(), "colleague": colleague}
    ids = [c.id for c in reactions]
    for name, viewer in viewers.items():
        found = set(
            session.scalars(
                select(Comment.id).where(Comment.id.in_(ids), readable_filter(viewer, document))
            )
        )
        expected = {c.id for c in reactions if can(viewer, Action.READ_COMMENT, c)}
        assert found == expected, name
    assert len({frozenset(c.id for c in reactions if can(v, Action.READ_COMMENT, c))
                for v in viewers.values()}) >= 4  # fmt: skip  # the cases tell viewers apart


@pytest.mark.parametrize(
    "criteria",
    [{}, {"kind": CommentKind.QUESTION}, {"unanswered": True}, {"mine": True}],
    ids=["all", "kind", "unanswered", "mine"],
)
def test_the_counts_per_section_are_those_of_the_threads(session, people, version, criteria):
    made = every_kind_of_reaction(session, people)
    partner_says(session, people, "Steun", kind=CommentKind.SUPPORT,
                 section=sample_section(session, key="samenwerking-gezin"))  # fmt: skip
    reviewer = people[Role.REVIEWER]
    top_level = [c for c in made if c.parent_id is None]
    decide(session, reviewer, top_level[0], Decision(Disposition.NOTED, "Gezien."))
    decide(session, reviewer, top_level[1], Decision(Disposition.IN_PROGRESS))
    for viewer in [*people.values(), AnonymousUserMixin()]:
        threads = version_threads(session, viewer, version, CommentFilter(**criteria))
        counts = section_counts(session, viewer, version, CommentFilter(**criteria))
        assert {sid: (c.threads, c.reactions) for sid, c in counts.items()} == {
            sid: (len(ts), thread_count(ts)) for sid, ts in threads.items() if ts
        }, viewer
        for sid, count in counts.items():
            kinds = [t.comment.kind for t in threads[sid]]
            assert count.kinds == {kind: kinds.count(kind) for kind in set(kinds)}, viewer
            decided = [t for t in threads[sid] if t.comment.disposition not in OPEN]
            assert count.decided == len(decided), viewer


def test_a_reaction_is_found_on_the_page_of_its_thread(session, people):
    first = partner_says(session, people, "Eerste")
    for n in range(44):
        partner_says(session, people, f"Reactie {n}")
    last = partner_says(session, people, "Laatste")
    answer = post_comment(session, people[Role.REVIEWER], last.section,
                          reaction("Antwoord", kind=None), last)  # fmt: skip
    reader = people[Role.READER]
    assert thread_page(session, reader, first) == 1
    assert thread_page(session, reader, last) == thread_page(session, reader, answer) == 3
    assert thread_page(session, reader, last, per_page=50) == 1
