"""Posting, editing and deleting reactions by calling reviewhub.feedback.posting directly: what
is stored and what is refused. tests/feedback/test_reacting_pages.py does the same through the
pages."""

from __future__ import annotations

from datetime import date

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback.errors import FeedbackError
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import Passage, delete_comment, edit_comment, post_comment
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    Role,
    Section,
    User,
    VersionStatus,
)
from reviewhub.permissions import Action, can
from tests.factories import group_named, make_user, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")

QUOTE = "altijd voor"  # words in the section reacted to
PAST = date(2026, 1, 1)  # a closing date that has passed


@pytest.fixture
def section(session: Session) -> Section:
    """Section "veiligheid" of the sample's version 3, open for feedback."""
    return sample_section(session)


@pytest.fixture
def partner(people: dict[Role, User]) -> User:
    return people[Role.PARTNER]


def stored(session: Session) -> list[Comment]:
    return list(session.scalars(select(Comment).order_by(Comment.id)))


def question(session: Session, partner: User, section: Section, **fields) -> Comment:
    """The partner's reaction on behalf of Regio Twente."""
    fields.setdefault("group", group_named(session))
    return post_comment(session, partner, section, reaction(**fields))


def answer(session: Session, replier: User, parent: Comment, body: str = "Dank.") -> Comment:
    return post_comment(session, replier, parent.section, reaction(body, kind=None), parent)


# Where and who ----------------------------------------------------------------------------------


def test_a_partner_reacts_on_behalf_of_one_of_their_groups(session, partner, section):
    twente = group_named(session)
    comment = post_comment(session, partner, section, reaction("Kan dit concreter?", group=twente))
    assert stored(session) == [comment]
    assert (comment.section, comment.author, comment.group) == (section, partner, twente)
    assert (comment.kind, comment.body) == (CommentKind.QUESTION, "Kan dit concreter?")
    assert comment.visibility is CommentVisibility.PUBLIC
    assert comment.state is CommentState.PUBLISHED
    assert comment.parent is None and not comment.official


@pytest.mark.parametrize("status", [VersionStatus.CLOSED, VersionStatus.FINAL, VersionStatus.DRAFT])
def test_only_a_version_open_for_feedback_takes_reactions(session, partner, section, status):
    section.version.status = status
    with pytest.raises(FeedbackError):
        question(session, partner, section)
    assert stored(session) == []


def test_a_closed_version_of_the_sample_refuses_reactions(session, partner):
    closed = sample_section(session, number=2)
    assert closed.version.status is VersionStatus.CLOSED
    with pytest.raises(FeedbackError):
        question(session, partner, closed)
    assert stored(session) == []


def test_an_open_version_past_its_closing_date_refuses_reactions(session, partner, section):
    section.version.closes_on = PAST
    with pytest.raises(FeedbackError):
        question(session, partner, section)
    assert stored(session) == []


def test_readers_cannot_react(session, people, section):
    with pytest.raises(FeedbackError):
        post_comment(session, people[Role.READER], section, reaction())
    assert stored(session) == []


# The text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\r\n\t\n"])
def test_an_empty_reaction_is_refused(session, partner, section, body):
    with pytest.raises(FeedbackError):
        question(session, partner, section, body=body)
    assert stored(session) == []


def test_at_most_2000_characters_fit(session, partner, section):
    longest = question(session, partner, section, body="x" * 2000)
    with pytest.raises(FeedbackError, match="2001"):
        question(session, partner, section, body="x" * 2001)
    assert stored(session) == [longest] and len(longest.body) == 2000


def test_a_line_break_counts_as_one_character_and_is_stored_as_one(session, partner, section):
    lines = "\r\n".join(["a" * 9] * 200) + "a"  # 2,000 characters as the counter counts them
    comment = question(session, partner, section, body=f"  {lines}\r\n")
    assert comment.body == lines.replace("\r\n", "\n") and len(comment.body) == 2000
    with pytest.raises(FeedbackError):
        question(session, partner, section, body=lines + "\ra")
    assert stored(session) == [comment]


# On whose behalf --------------------------------------------------------------------------------


def test_a_partner_must_choose_one_of_their_own_groups(session, partner, section):
    for group in (None, group_named(session, "Regio Noord-Holland Noord")):
        with pytest.raises(FeedbackError):
            question(session, partner, section, group=group)
    assert stored(session) == []


def test_a_partner_in_no_group_cannot_react(session, section):
    loner = make_user(session, "alleen@example.org", Role.PARTNER)
    with pytest.raises(FeedbackError):
        post_comment(session, loner, section, reaction())
    assert stored(session) == []


def test_nobody_reacts_on_behalf_of_a_group_that_was_deactivated(session, partner, section):
    twente = group_named(session)
    twente.active = False
    with pytest.raises(FeedbackError):
        question(session, partner, section, group=twente)
    assert stored(session) == []


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.REVIEWER, Role.ADMIN])
def test_others_react_as_themselves_but_never_for_a_group_they_are_not_in(
    session, people, section, role
):
    comment = post_comment(session, people[role], section, reaction())
    assert comment.group is None and comment.author is people[role]
    with pytest.raises(FeedbackError):
        post_comment(session, people[role], section, reaction(group=group_named(session)))
    assert stored(session) == [comment]


def test_an_author_may_react_for_their_own_group(session, people, section):
    workgroup = group_named(session, "Werkgroep Veiligheidsplan")
    comment = post_comment(session, people[Role.AUTHOR], section, reaction(group=workgroup))
    assert comment.group == workgroup


# Who reads it -----------------------------------------------------------------------------------


def test_a_group_only_reaction_is_read_by_its_group_the_moderators_and_its_writer(
    session, people, partner, section
):
    twente = group_named(session)
    comment = question(session, partner, section, visibility=CommentVisibility.GROUP)
    colleague = make_user(session, "collega@example.org", Role.READER, twente)
    outsider = make_user(
        session,
        "elders@example.org",
        Role.PARTNER,
        group_named(session, "Regio Noord-Holland Noord"),
    )
    viewers = {
        "writer": partner,
        "colleague in the group": colleague,
        "reviewer": people[Role.REVIEWER],
        "admin": people[Role.ADMIN],
        "author of the document": people[Role.AUTHOR],
        "reader": people[Role.READER],
        "partner of another group": outsider,
        "anonymous": AnonymousUserMixin(),
    }
    readers = {name for name, user in viewers.items() if can(user, Action.READ_COMMENT, comment)}
    assert readers == {"writer", "colleague in the group", "reviewer", "admin"}
    public = question(session, partner, section)
    assert all(can(user, Action.READ_COMMENT, public) for user in viewers.values())


def test_a_group_only_reaction_needs_a_group(session, people, section):
    new = reaction(visibility=CommentVisibility.GROUP)
    with pytest.raises(FeedbackError):
        post_comment(session, people[Role.REVIEWER], section, new)
    assert stored(session) == []


# Passages and proposed wording --------------------------------------------------------------


def test_a_passage_is_anchored_in_the_text_of_its_section(session, partner, section):
    comment = question(session, partner, section, kind=CommentKind.CONCERN, passage=Passage(QUOTE))
    text, start = section.text, section.text.index(QUOTE)
    assert (comment.quote_exact, comment.quote_start) == (QUOTE, start)
    assert comment.quote_end == start + len(QUOTE)
    assert comment.quote_prefix and text[:start].endswith(comment.quote_prefix)
    assert comment.quote_suffix and text[start + len(QUOTE) :].startswith(comment.quote_suffix)


@pytest.mark.parametrize("quote", ["dit staat er niet", "altijd  voor het kind", "   "])
def test_a_quote_that_is_not_in_the_section_is_refused(session, partner, section, quote):
    with pytest.raises(FeedbackError):
        question(session, partner, section, passage=Passage(quote))
    assert stored(session) == []


def test_a_suggestion_on_a_passage_may_propose_new_wording(session, partner, section):
    comment = question(
        session, partner, section, kind=CommentKind.SUGGESTION, passage=Passage(QUOTE),
        proposed_text="  in de regel voor\r\n",
    )  # fmt: skip
    assert comment.proposed_text == "in de regel voor"


@pytest.mark.parametrize(
    ("kind", "passage"),
    [(CommentKind.QUESTION, Passage(QUOTE)), (CommentKind.SUGGESTION, None)],
)
def test_new_wording_needs_a_suggestion_on_a_passage(session, partner, section, kind, passage):
    with pytest.raises(FeedbackError):
        question(session, partner, section, kind=kind, passage=passage, proposed_text="Anders")
    assert stored(session) == []


def test_blank_proposed_wording_is_no_proposal(session, partner, section):
    comment = question(session, partner, section, proposed_text=" \r\n ")
    assert comment.proposed_text is None


def test_a_reaction_needs_a_kind_and_a_reply_has_none(session, people, partner, section):
    with pytest.raises(FeedbackError):
        question(session, partner, section, kind=None)
    parent = question(session, partner, section)
    new = reaction("Dank.", kind=CommentKind.SUPPORT)
    reply = post_comment(session, people[Role.REVIEWER], section, new, parent)
    assert reply.kind is None and reply.parent is parent


# Replies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "official"),
    [(Role.AUTHOR, True), (Role.REVIEWER, True), (Role.ADMIN, True), (Role.PARTNER, False)],
)
def test_replies_by_authors_reviewers_and_admins_are_official(
    session, people, partner, section, role, official
):
    parent = question(session, partner, section)
    reply = answer(session, people[role], parent)
    assert reply.official is official
    assert reply.parent is parent and parent.replies == [reply] and reply.group is None


def test_a_reaction_of_an_author_is_not_official(session, people, section):
    assert not post_comment(session, people[Role.AUTHOR], section, reaction()).official


def test_a_reply_keeps_the_visibility_of_its_thread(session, people, partner, section):
    parent = question(session, partner, section, visibility=CommentVisibility.GROUP)
    new = reaction("Dank.", kind=None, visibility=CommentVisibility.PUBLIC)
    reply = post_comment(session, people[Role.REVIEWER], section, new, parent)
    assert reply.visibility is CommentVisibility.GROUP and reply.group is None
    assert not can(people[Role.READER], Action.READ_COMMENT, reply)
    assert can(partner, Action.READ_COMMENT, reply)  # the thread's group reads the answer


# A form sent twice ----------------------------------------------------------------------------


def test_a_form_sent_twice_stores_one_reaction(session, people, partner, section):
    first = question(session, partner, section, client_token="dubbel")
    again = question(session, partner, section, client_token="dubbel", body="Nog eens?")
    assert again is first and first.body == "Wat bedoelt u hiermee?"
    assert stored(session) == [first]
    # The token is the form's, per person: someone else's form may carry the same one.
    other = post_comment(session, people[Role.REVIEWER], section, reaction(client_token="dubbel"))
    assert stored(session) == [first, other]


# Editing --------------------------------------------------------------------------------------


def test_writers_edit_their_reaction_and_earlier_wordings_are_kept(session, partner, section):
    comment = question(
        session, partner, section, body="Eerste versie", kind=CommentKind.SUGGESTION,
        passage=Passage(QUOTE), proposed_text="in de regel voor",
    )  # fmt: skip
    edit_comment(session, partner, comment, "Tweede versie", "meestal voor")
    edit_comment(session, partner, comment, " Derde\r\nversie ", "meestal voor")
    session.flush()
    assert (comment.body, comment.proposed_text) == ("Derde\nversie", "meestal voor")
    assert [(r.body, r.proposed_text) for r in comment.revisions] == [
        ("Eerste versie", "in de regel voor"),
        ("Tweede versie", "meestal voor"),
    ]
    assert comment.edited_at is not None


def test_an_edit_that_changes_nothing_keeps_no_revision(session, partner, section):
    comment = question(session, partner, section, body="Ongewijzigd")
    edit_comment(session, partner, comment, "  Ongewijzigd\r\n", None)
    assert comment.revisions == [] and comment.edited_at is None


@pytest.mark.parametrize("body", ["  ", "x" * 2001])
def test_an_edited_text_is_measured_as_a_new_one(session, partner, section, body):
    comment = question(session, partner, section, body="Eerste versie")
    with pytest.raises(FeedbackError):
        edit_comment(session, partner, comment, body, None)
    assert comment.body == "Eerste versie" and comment.revisions == []


def test_a_reaction_cannot_be_edited_once_someone_replied(session, people, partner, section):
    comment = question(session, partner, section, body="Eerste versie")
    answer(session, people[Role.REVIEWER], comment)
    with pytest.raises(FeedbackError):
        edit_comment(session, partner, comment, "Tweede versie", None)
    assert comment.body == "Eerste versie" and comment.revisions == []


def test_a_reaction_cannot_be_edited_once_a_moderator_hid_it(session, people, partner, section):
    comment = question(session, partner, section, body="Eerste versie")
    hide_comment(session, people[Role.REVIEWER], comment, "Niet respectvol")
    with pytest.raises(FeedbackError):
        edit_comment(session, partner, comment, "Tweede versie", None)
    assert comment.body == "Eerste versie" and comment.revisions == []


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.REVIEWER, Role.ADMIN, Role.READER])
def test_nobody_edits_or_deletes_another_persons_reaction(session, people, partner, section, role):
    comment = question(session, partner, section, body="Van mij")
    with pytest.raises(FeedbackError):
        edit_comment(session, people[role], comment, "Van een ander", None)
    with pytest.raises(FeedbackError):
        delete_comment(session, people[role], comment)
    assert comment.body == "Van mij" and not comment.is_deleted


def test_nothing_is_edited_or_deleted_once_the_version_closed(session, partner, section):
    comment = question(session, partner, section, body="Van mij")
    section.version.closes_on = PAST
    with pytest.raises(FeedbackError):
        edit_comment(session, partner, comment, "Later", None)
    with pytest.raises(FeedbackError):
        delete_comment(session, partner, comment)
    assert comment.body == "Van mij" and not comment.is_deleted


# Deleting -------------------------------------------------------------------------------------


def test_deleting_is_soft_and_keeps_the_thread(session, people, partner, section):
    comment = question(session, partner, section)
    reply = answer(session, people[Role.REVIEWER], comment, "Antwoord blijft staan.")
    delete_comment(session, partner, comment)
    session.flush()
    session.expire_all()
    assert stored(session) == [comment, reply]
    assert comment.is_deleted and comment.deleted_at is not None
    assert reply.parent == comment and not reply.is_deleted
    with pytest.raises(FeedbackError):  # once is enough
        delete_comment(session, partner, comment)
