"""Consultation questions: what the authors ask about a version as a whole or about one of its
sections ("Wat mist u in dit hoofdstuk?"), shown above the reaction forms, and answered by
reactions (as internetconsultatie.nl and GOV.UK consultations report per question). Adding,
rewording, moving and removing them, while the version is a draft or open; the questions of
a version and their answer counts, each in one query; and the check of the question a new
reaction answers. Callers commit; everything here only adds to the session.

A question with answers is never removed: its answers would lose what they answer, and the
exports group them per question. Its wording may still be made clearer."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext, lazy_ngettext
from sqlalchemy import func, select, true

from .. import audit
from ..clock import local_today
from ..dbtypes import DbSession
from ..models import Comment, Question, Section, User, Version, VersionStatus
from ..permissions import Action, can
from . import revisions
from .errors import FeedbackError
from .queries import readable_filter

MAX_TEXT_LENGTH = 500
MAX_QUESTIONS = 100  # per version: a consultation asks a handful; this bounds every page's list
CHANGEABLE = (VersionStatus.DRAFT, VersionStatus.OPEN)


def questions_of(session: DbSession, version: Version) -> list[Question]:
    """The version's questions in their order, in one query."""
    return list(
        session.scalars(
            select(Question)
            .where(Question.version_id == version.id)
            .order_by(Question.position, Question.id)
        )
    )


def answer_counts(session: DbSession, version: Version, viewer: Any = None) -> dict[int, int]:
    """How many top-level reactions answer each of the version's questions (those ``viewer``
    may read, with a viewer), in one grouped query; a question without answers is absent."""
    rows = session.execute(
        select(Comment.question_id, func.count())
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.question_id.is_not(None),
            readable_filter(viewer, version.document) if viewer is not None else true(),
        )
        .group_by(Comment.question_id)
    )
    return {question_id: count for question_id, count in rows if question_id is not None}


def add_question(
    session: DbSession, actor: User, version: Version, text: str, section: Section | None = None
) -> Question:
    """A new question, last in the version's order; about ``section``, or the version as a
    whole."""
    _check_allowed(actor, version)
    if section is not None and section.version_id != version.id:
        raise FeedbackError(lazy_gettext("That section is not part of this version."))
    count = session.scalar(select(func.count()).where(Question.version_id == version.id)) or 0
    if count >= MAX_QUESTIONS:
        raise FeedbackError(
            lazy_gettext("A version has at most %(most)d questions.", most=MAX_QUESTIONS)
        )
    last = session.scalar(
        select(func.max(Question.position)).where(Question.version_id == version.id)
    )
    question = Question(
        version=version,
        section=section,
        text=_checked_text(text),
        position=(last + 1) if last is not None else 0,
        created_by_id=actor.id,
    )
    session.add(question)
    session.flush()
    _changed(session, actor, question, "question.added")
    return question


def reword_question(session: DbSession, actor: User, question: Question, text: str) -> None:
    """New wording for a question; its answers stay with it."""
    _check_allowed(actor, question.version)
    text = _checked_text(text)
    if text == question.text:
        return
    before, question.text = question.text, text
    _changed(session, actor, question, "question.reworded", old=before)


def remove_question(session: DbSession, actor: User, question: Question) -> None:
    """Remove a question nobody answered yet (refused otherwise, saying how many did)."""
    _check_allowed(actor, question.version)
    answers = session.scalar(select(func.count()).where(Comment.question_id == question.id)) or 0
    if answers:
        raise FeedbackError(
            lazy_ngettext(
                "This question has %(num)d answer, so it stays: it would lose what it "
                "answers. You can still make its wording clearer.",
                "This question has %(num)d answers, so it stays: they would lose what they "
                "answer. You can still make its wording clearer.",
                answers,
            )
        )
    _changed(session, actor, question, "question.removed")
    session.delete(question)
    session.flush()


def move_question(session: DbSession, actor: User, question: Question, step: int) -> None:
    """Move a question one place up (``step`` -1) or down (+1) in the version's order; at
    either end nothing changes."""
    _check_allowed(actor, question.version)
    ordered = questions_of(session, question.version)
    at = ordered.index(question)
    other = at + (1 if step > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[at], ordered[other] = ordered[other], ordered[at]
    for position, each in enumerate(ordered):  # renumbered: positions stay distinct
        each.position = position
    session.flush()
    _bump(session, question.version)


def checked_question(
    session: DbSession, section: Section, question_id: int | None
) -> Question | None:
    """The question a new reaction on ``section`` answers: one of its version's, about the
    version as a whole or about this very section. None for none."""
    if question_id is None:
        return None
    question = session.get(Question, question_id)
    if question is None or question.version_id != section.version_id:
        raise FeedbackError(
            lazy_gettext("That question is not asked about this version; choose another one.")
        )
    if question.section_id is not None and question.section_id != section.id:
        raise FeedbackError(
            lazy_gettext(
                "That question is about another section; answer it there, or choose a "
                "question about this section or the whole version."
            )
        )
    return question


def _check_allowed(actor: User, version: Version) -> None:
    if not can(actor, Action.MANAGE_QUESTIONS, version):
        raise FeedbackError(lazy_gettext("Only the document's authors can change its questions."))
    if version.effective_status(local_today()) not in CHANGEABLE:
        raise FeedbackError(
            lazy_gettext(
                "The questions of %(label)s can no longer change: its round is closed.",
                label=version.label,
            )
        )


def _checked_text(text: str) -> str:
    text = " ".join((text or "").split())  # one line: a question is a sentence or two
    if not text:
        raise FeedbackError(lazy_gettext("Write the question."))
    if len(text) > MAX_TEXT_LENGTH:
        raise FeedbackError(
            lazy_gettext(
                "The question has %(count)d characters; at most %(limit)d fit.",
                count=len(text),
                limit=MAX_TEXT_LENGTH,
            )
        )
    return text


def _changed(session: DbSession, actor: User, question: Question, action: str,
             **details: Any) -> None:  # fmt: skip
    version = question.version
    section = question.section
    audit.record(session, actor, action, version, question.text,
                 document=version.document.slug, number=version.number,
                 section=section.key if section is not None else None, **details)  # fmt: skip
    _bump(session, version)


def _bump(session: DbSession, version: Version) -> None:
    """The pages keep the questions with what they keep of the reactions (the forms, the
    filled-in text): a new feedback revision shows the change everywhere at once."""
    revisions.bump(session, [version.id], texts=False)
    session.expire(version, ["feedback_revision"])
