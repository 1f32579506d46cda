"""Consultation questions by calling reviewhub.feedback.questions directly: who may ask them and
when, their order, a question with answers staying, and which question a reaction may answer.
tests/views/test_questions.py does the same through the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback import questions
from reviewhub.feedback.errors import FeedbackError
from reviewhub.feedback.posting import answer_question, post_comment
from reviewhub.models import AuditEvent, Role, Section, User, VersionStatus
from reviewhub.permissions import Action, can
from tests.factories import group_named, make_user, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture(autouse=True)
def english(app_context: None) -> Iterator[None]:
    """The messages in English, whatever locale an earlier test left behind."""
    with force_locale("en"):
        yield


@pytest.fixture
def section(session: Session) -> Section:
    """Section "veiligheid" of the sample's version 3, open for feedback."""
    return sample_section(session)


def test_authors_ask_questions_about_the_version_and_its_sections_in_order(session, section,
                                                                           people):  # fmt: skip
    author, version = people[Role.AUTHOR], section.version
    whole = questions.add_question(session, author, version, "  Wat mist u\nin deze versie? ")
    here = questions.add_question(session, author, version, "Is dit helder?", section)
    assert whole.text == "Wat mist u in deze versie?"  # one line, trimmed
    assert (whole.section, here.section) == (None, section)
    assert questions.questions_of(session, version) == [whole, here]
    questions.move_question(session, author, here, -1)
    assert questions.questions_of(session, version) == [here, whole]
    questions.move_question(session, author, here, -1)  # first already: nothing changes
    assert questions.questions_of(session, version) == [here, whole]
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.startswith("question."))
    ).all()
    assert actions == ["question.added", "question.added"]


def test_a_change_of_questions_gives_the_version_a_new_feedback_revision(session, section,
                                                                         people):  # fmt: skip
    version = section.version
    before = version.feedback_revision
    questions.add_question(session, people[Role.AUTHOR], version, "Wat mist u?")
    assert version.feedback_revision != before


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REVIEWER, Role.READER])
def test_only_the_documents_authors_ask_questions(session, section, people, role):
    with pytest.raises(FeedbackError, match="authors"):
        questions.add_question(session, people[role], section.version, "Wat mist u?")


def test_an_administrator_asks_questions_too(session, section, people):
    assert questions.add_question(session, people[Role.ADMIN], section.version, "Wat mist u?")


def test_a_closed_version_keeps_its_questions_as_they_are(session, section, people):
    author = people[Role.AUTHOR]
    question = questions.add_question(session, author, section.version, "Wat mist u?")
    section.version.status = VersionStatus.CLOSED
    for change in (
        lambda: questions.add_question(session, author, section.version, "Nog een?"),
        lambda: questions.reword_question(session, author, question, "Anders?"),
        lambda: questions.remove_question(session, author, question),
    ):
        with pytest.raises(FeedbackError, match="no longer change"):
            change()


@pytest.mark.parametrize(("text", "message"), [("   ", "Write the question"),
                                               ("x" * 501, "501 characters")])  # fmt: skip
def test_a_question_needs_words_and_fits_in_500_characters(session, section, people, text,
                                                           message):  # fmt: skip
    with pytest.raises(FeedbackError, match=message):
        questions.add_question(session, people[Role.AUTHOR], section.version, text)


def test_a_section_of_another_version_is_refused(session, section, people):
    other = sample_section(session, number=2)
    with pytest.raises(FeedbackError, match="not part of this version"):
        questions.add_question(session, people[Role.AUTHOR], section.version, "Wat?", other)


def partner_answers(session: Session, partner: User, section: Section, question_id: int | None):
    new = reaction(group=group_named(session), question_id=question_id)
    return post_comment(session, partner, section, new)


def test_a_reaction_answers_a_question_of_its_version_or_its_section(session, section, people):
    author, partner = people[Role.AUTHOR], people[Role.PARTNER]
    whole = questions.add_question(session, author, section.version, "Wat mist u?")
    here = questions.add_question(session, author, section.version, "Helder?", section)
    first = partner_answers(session, partner, section, whole.id)
    second = partner_answers(session, partner, section, here.id)
    partner_answers(session, partner, section, here.id)
    assert (first.question, second.question) == (whole, here)
    assert questions.answer_counts(session, section.version) == {whole.id: 1, here.id: 2}


def test_a_question_of_another_section_or_version_is_refused_with_a_reason(session, section,
                                                                          people):  # fmt: skip
    author, partner = people[Role.AUTHOR], people[Role.PARTNER]
    elsewhere = sample_section(session, key="regie")
    there = questions.add_question(session, author, section.version, "Daar?", elsewhere)
    with pytest.raises(FeedbackError, match="another section"):
        partner_answers(session, partner, section, there.id)
    with pytest.raises(FeedbackError, match="not asked about this version"):
        partner_answers(session, partner, section, 987654)


def test_a_question_with_answers_stays_and_its_wording_may_change(session, section, people):
    author, partner = people[Role.AUTHOR], people[Role.PARTNER]
    question = questions.add_question(session, author, section.version, "Wat mist u?")
    partner_answers(session, partner, section, question.id)
    with pytest.raises(FeedbackError, match="1 answer,"):
        questions.remove_question(session, author, question)
    questions.reword_question(session, author, question, "Wat mist u nog?")
    assert question.text == "Wat mist u nog?"
    unanswered = questions.add_question(session, author, section.version, "Weg ermee?")
    questions.remove_question(session, author, unanswered)
    assert questions.questions_of(session, section.version) == [question]


def test_its_author_changes_the_question_a_reaction_answers(session, section, people):
    author, partner = people[Role.AUTHOR], people[Role.PARTNER]
    question = questions.add_question(session, author, section.version, "Wat mist u?")
    comment = partner_answers(session, partner, section, None)
    answer_question(session, partner, comment, question.id)
    assert comment.question is question and comment.edited_at is not None
    answer_question(session, partner, comment, None)
    assert comment.question is None
    with pytest.raises(FeedbackError):
        answer_question(session, author, comment, question.id)  # not theirs


def test_an_author_of_another_document_asks_none_here(session, section):
    other = make_user(session, "andere-auteur@example.org", Role.AUTHOR)
    assert not can(other, Action.MANAGE_QUESTIONS, section.version)
    with pytest.raises(FeedbackError, match="authors"):
        questions.add_question(session, other, section.version, "Wat mist u?")
