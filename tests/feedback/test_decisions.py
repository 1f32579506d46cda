"""The register through reviewhub.feedback.decisions directly: references, decisions and
their history, bulk decisions that apply to all or none, conflicts, duplicates, the
commenter's answer, "feedback handled" and what the next version takes in."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback import decisions
from reviewhub.feedback.decisions import Decision, DecisionConflict, DecisionError
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.feedback.references import document_code
from reviewhub.models import (
    AnswerVerdict,
    AuditEvent,
    Comment,
    Disposition,
    Role,
    Section,
    User,
    VersionStatus,
)
from tests.factories import (
    SAMPLE_SLUG,
    group_named,
    make_document,
    publish,
    reaction,
    sample_section,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture(autouse=True)
def english(app_context):
    """The messages are matched in English, the source language."""
    with force_locale("en"):
        yield


ACCEPT = Decision(Disposition.ACCEPTED, "Overgenomen in paragraaf 3.")


@pytest.fixture
def reviewer(people: dict[Role, User]) -> User:
    return people[Role.REVIEWER]


@pytest.fixture
def partner(people: dict[Role, User]) -> User:
    return people[Role.PARTNER]


def react(session: Session, partner: User, body: str = "Wat bedoelt u?", **where) -> Comment:
    section = sample_section(session, **where)
    return post_comment(session, partner, section, reaction(body, group=group_named(session)))


# References ---------------------------------------------------------------------------------


def test_reactions_get_references_numbered_per_version(session, partner):
    first, second = react(session, partner), react(session, partner, "Nog een")
    code = first.section.version.document.code
    assert first.reference == f"{code}-3-001" and second.reference == f"{code}-3-002"
    delete_comment(session, partner, second)
    assert react(session, partner, "Derde").reference == f"{code}-3-003"  # never reused
    reply = post_comment(session, partner, first.section, reaction("Aanvulling", kind=None), first)
    assert reply.reference is None


def test_document_codes_are_initials_made_unique():
    assert document_code("Handelingskader voor de Veiligheidsteams", set()) == "HV"
    assert document_code("Handelingskader Veiligheid", {"HV"}) == "HV2"
    assert document_code("Werkwijze", set()) == "WER"
    assert document_code("Veiligheid Ééngezinsplan", set()) == "VE"  # accents dropped


def test_a_new_document_gets_a_code(session):
    document = make_document(session, "nieuw-kader", "Nieuw Kader Jeugd")
    assert document.code == "NKJ"


# Deciding -----------------------------------------------------------------------------------


def test_a_decision_is_stored_with_its_history_and_in_the_audit_log(session, partner, reviewer):
    comment = react(session, partner)
    decisions.decide(session, reviewer, comment, Decision(Disposition.IN_PROGRESS))
    decisions.decide(session, reviewer, comment, ACCEPT)
    session.refresh(comment)
    assert comment.disposition is Disposition.ACCEPTED
    assert comment.motivation_html == "<p>Overgenomen in paragraaf 3.</p>\n"
    assert comment.decided_by_id == reviewer.id and comment.decided_at is not None
    assert [c.disposition for c in comment.changes] == [
        Disposition.IN_PROGRESS,
        Disposition.ACCEPTED,
    ]
    logged = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "comment.decided")
    )
    assert len(logged.all()) == 2


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (Decision(Disposition.NOTED, "  "), "motivation"),
        (Decision(Disposition.NOTED, "x" * 4001), "4001"),
        (Decision(Disposition.NEW, "terug"), "new"),
        (Decision(Disposition.DUPLICATE, "Zelfde punt"), "reference"),
        (Decision(Disposition.DUPLICATE, "Zelfde punt", "XX-9-999"), "XX-9-999"),
    ],
)
def test_bad_decisions_are_refused_with_a_reason(session, partner, reviewer, decision, message):
    comment = react(session, partner)
    with pytest.raises(DecisionError, match=message):
        decisions.decide(session, reviewer, comment, decision)
    session.refresh(comment)
    assert comment.disposition is Disposition.NEW and not comment.changes


def test_only_the_review_group_decides(session, partner):
    comment = react(session, partner)
    with pytest.raises(DecisionError, match="review group"):
        decisions.decide(session, partner, comment, ACCEPT)


def test_hidden_deleted_and_replies_are_not_decided(session, partner, reviewer):
    hidden, deleted = react(session, partner), react(session, partner, "Weg")
    hide_comment(session, reviewer, hidden, "Persoonsgegevens")
    delete_comment(session, partner, deleted)
    reply = post_comment(session, reviewer, hidden.section, reaction("Dank", kind=None), hidden)
    for comment, why in [(hidden, "hid"), (deleted, "deleted"), (reply, "Replies")]:
        with pytest.raises(DecisionError, match=why):
            decisions.decide(session, reviewer, comment, ACCEPT)


def test_a_second_decision_on_an_old_revision_is_a_conflict(session, partner, reviewer, people):
    comment = react(session, partner)
    seen = comment.disposition_revision  # both reviewers opened the form at this revision
    decisions.decide(session, reviewer, comment, ACCEPT, expected_revision=seen)
    with pytest.raises(DecisionConflict) as conflict:
        decisions.decide(
            session, people[Role.ADMIN], comment, Decision(Disposition.NOT_ACCEPTED, "Nee"), seen
        )
    assert conflict.value.comment.disposition is Disposition.ACCEPTED  # the first one stands
    assert len(comment.changes) == 1


def test_duplicates_point_at_another_reaction_of_the_document_without_loops(
    session, partner, reviewer
):
    first, second, third = (react(session, partner, f"Punt {n}") for n in range(3))
    with pytest.raises(DecisionError, match="itself"):
        decisions.decide(
            session, reviewer, first, Decision(Disposition.DUPLICATE, "x", first.reference)
        )
    decisions.decide(
        session, reviewer, second, Decision(Disposition.DUPLICATE, "x", first.reference)
    )
    decisions.decide(
        session, reviewer, third, Decision(Disposition.DUPLICATE, "x", second.reference.lower())
    )
    with pytest.raises(DecisionError, match="loop"):
        decisions.decide(
            session, reviewer, first, Decision(Disposition.DUPLICATE, "x", third.reference)
        )
    other = publish(session, make_document(session, "ander", "Ander Kader"), "# Kop\n\nTekst.",
                    status=VersionStatus.OPEN, closes_on=date(2099, 12, 31))  # fmt: skip
    elsewhere = post_comment(
        session, partner, other.sections[0], reaction(group=group_named(session))
    )
    with pytest.raises(DecisionError, match="another document"):
        decisions.decide(
            session, reviewer, first, Decision(Disposition.DUPLICATE, "x", elsewhere.reference)
        )


def test_a_bulk_decision_applies_to_all_or_none(session, partner, reviewer):
    good, gone = react(session, partner, "Een"), react(session, partner, "Twee")
    delete_comment(session, partner, gone)
    with pytest.raises(DecisionError, match=gone.reference):
        decisions.decide_many(
            session, reviewer, [good, gone], Decision(Disposition.NOTED, "Gezien")
        )
    session.refresh(good)
    assert good.disposition is Disposition.NEW
    another = react(session, partner, "Drie")
    changes = decisions.decide_many(
        session, reviewer, [good, another], Decision(Disposition.NOTED, "Gezien")
    )
    assert len(changes) == 2
    assert {c.disposition for c in (good, another)} == {Disposition.NOTED}


def test_assigning_only_to_the_review_group(session, partner, reviewer):
    comment = react(session, partner)
    with pytest.raises(DecisionError, match="not in the review group"):
        decisions.assign(session, reviewer, [comment], partner)
    decisions.assign(session, reviewer, [comment], reviewer)
    assert comment.assignee_id == reviewer.id
    decisions.assign(session, reviewer, [comment], None)
    assert comment.assignee_id is None


def test_notes_are_for_the_review_group(session, partner, reviewer):
    comment = react(session, partner)
    with pytest.raises(DecisionError):
        decisions.add_note(session, partner, comment, "Mag ik?")
    with pytest.raises(DecisionError):
        decisions.add_note(session, reviewer, comment, "   ")
    note = decisions.add_note(session, reviewer, comment, "Bespreken in *overleg*")
    assert "<em>overleg</em>" in note.body_html


# The commenter's answer ---------------------------------------------------------------------


def test_the_author_answers_a_decision_once(session, partner, reviewer):
    comment = react(session, partner)
    with pytest.raises(DecisionError, match="no decision"):
        decisions.answer_decision(session, partner, comment, AnswerVerdict.AGREE, "")
    decisions.decide(session, reviewer, comment, Decision(Disposition.NOT_ACCEPTED, "Past niet."))
    with pytest.raises(DecisionError, match="object to"):
        decisions.answer_decision(session, partner, comment, AnswerVerdict.OBJECT, " ")
    decisions.answer_decision(
        session, partner, comment, AnswerVerdict.OBJECT, "Wij zien dat anders."
    )
    with pytest.raises(DecisionError, match="already"):
        decisions.answer_decision(session, partner, comment, AnswerVerdict.AGREE, "")
    version = comment.section.version
    assert session.scalars(decisions.open_objections_query(version)).all() == [comment]
    decisions.decide(
        session, reviewer, comment, Decision(Disposition.PARTLY_ACCEPTED, "Toch deels.")
    )
    assert decisions.answer_of(comment) is None  # a new decision, a new answer
    assert session.scalars(decisions.open_objections_query(version)).all() == []


def test_others_do_not_answer_for_the_author(session, partner, reviewer, people):
    comment = react(session, partner)
    decisions.decide(session, reviewer, comment, ACCEPT)
    with pytest.raises(DecisionError, match="Only the author"):
        decisions.answer_decision(session, people[Role.AUTHOR], comment, AnswerVerdict.AGREE, "")


# Feedback handled, taken in -----------------------------------------------------------------


def test_feedback_is_handled_only_when_every_reaction_has_a_decision(session, partner, reviewer):
    first, second = react(session, partner), react(session, partner, "Twee")
    version = first.section.version
    decisions.decide(session, reviewer, first, ACCEPT)
    with pytest.raises(DecisionError, match="1 reactions"):
        decisions.mark_feedback_handled(session, reviewer, version)
    decisions.decide(session, reviewer, second, Decision(Disposition.ANSWERED, "Zie 2.1."))
    decisions.mark_feedback_handled(session, reviewer, version)
    assert version.feedback_handled_at is not None and version.feedback_handled_by_id == reviewer.id


def test_the_next_version_takes_in_accepted_reactions(session, partner, reviewer):
    accepted, rejected = react(session, partner), react(session, partner, "Niet doen")
    decisions.decide(session, reviewer, accepted, ACCEPT)
    decisions.decide(session, reviewer, rejected, Decision(Disposition.NOT_ACCEPTED, "Nee."))
    version = accepted.section.version
    document = version.document
    source = version.source + "\n\nEen nieuwe alinea.\n"
    new = publish(
        session, document, source, status=VersionStatus.OPEN, closes_on=date(2099, 12, 31)
    )
    session.refresh(accepted)
    session.refresh(rejected)
    successor = session.scalar(
        select(Section).where(
            Section.version_id == new.id, Section.predecessor_id == accepted.section_id
        )
    )
    assert accepted.taken_in_version_id == new.id and accepted.taken_in_section_key == successor.key
    assert rejected.taken_in_version_id is None
    assert document.slug == SAMPLE_SLUG
