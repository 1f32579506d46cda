"""The comment-resolution register: deciding on reactions (one or many at once), assigning
them, the review group's notes, the commenter's answer, and marking a version's feedback
handled. Every function checks everything before it changes anything: a refusal stores
nothing. Decisions are locked optimistically: a decision names the revision of the reaction
it was made on, and a reaction decided by someone else meanwhile is a conflict, never
silently overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext
from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.orm import aliased

from .. import audit
from ..dbtypes import DbSession
from ..models import (
    AnswerVerdict,
    Comment,
    CommentState,
    DecisionAnswer,
    Disposition,
    DispositionChange,
    ReviewNote,
    Section,
    User,
    Version,
)
from ..permissions import Action, can
from . import revisions
from .display import render_body
from .errors import FeedbackError

MAX_MOTIVATION = 4000
MAX_NOTE = 4000
MAX_ANSWER = 1000
OPEN = frozenset({Disposition.NEW, Disposition.IN_PROGRESS})
# Whose decision takes the reaction into a next version (taken_in_version).
TAKEN_IN = frozenset({Disposition.ACCEPTED, Disposition.PARTLY_ACCEPTED})


class DecisionError(FeedbackError):
    """A decision (or an assignment, a note, an answer) refused; nothing was stored."""


class DecisionConflict(DecisionError):
    """Someone else decided on the reaction after the form was opened."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(
            lazy_gettext(
                "%(reference)s was decided by someone else meanwhile. Their decision is shown; "
                "yours is not saved. Check it and decide again if needed.",
                reference=comment.reference or "",
            )
        )
        self.comment = comment


@dataclass(frozen=True)
class Decision:
    disposition: Disposition
    motivation: str = ""
    duplicate_of: str | None = None  # the other reaction's reference, for a duplicate


# Deciding ----------------------------------------------------------------------------------


def decide(
    session: DbSession,
    reviewer: User,
    comment: Comment,
    decision: Decision,
    expected_revision: int | None = None,
) -> DispositionChange:
    """Record ``decision`` on ``comment``. ``expected_revision``: the reaction's
    ``disposition_revision`` when the form was shown (None: as loaded now)."""
    duplicate_of = _checked(session, reviewer, comment, decision)
    return _apply(session, reviewer, comment, decision, duplicate_of, expected_revision)


def decide_many(
    session: DbSession, reviewer: User, comments: Sequence[Comment], decision: Decision
) -> list[DispositionChange]:
    """One decision with one motivation for a selection: all of them, or none (the message
    names every reaction that cannot take it)."""
    if not comments:
        raise DecisionError(lazy_gettext("Select at least one reaction."))
    problems: list[str] = []
    targets = []
    for comment in comments:
        try:
            targets.append(_checked(session, reviewer, comment, decision))
        except DecisionError as error:
            problems.append(f"{comment.reference or comment.id}: {error}")
    if problems:
        raise DecisionError(
            lazy_gettext(
                "Nothing was changed. Not possible for: %(problems)s",
                problems="; ".join(problems),
            )
        )
    return [
        _apply(session, reviewer, comment, decision, target, None)
        for comment, target in zip(comments, targets, strict=True)
    ]


def _checked(
    session: DbSession, reviewer: User, comment: Comment, decision: Decision
) -> Comment | None:
    """Why ``decision`` cannot be made on ``comment`` (raised), else the duplicate's target."""
    document = comment.section.version.document
    if not can(reviewer, Action.DECIDE, document):
        raise DecisionError(lazy_gettext("Only the review group decides on reactions."))
    if comment.parent_id is not None:
        raise DecisionError(lazy_gettext("Replies get no decision; their thread does."))
    if comment.is_deleted:
        raise DecisionError(lazy_gettext("Its author deleted this reaction."))
    if comment.is_hidden:
        raise DecisionError(lazy_gettext("A moderator hid this reaction; restore it first."))
    if decision.disposition is Disposition.NEW:
        raise DecisionError(lazy_gettext("A decision cannot be set back to new."))
    motivation = (decision.motivation or "").strip()
    if decision.disposition is not Disposition.IN_PROGRESS and not motivation:
        raise DecisionError(lazy_gettext("Give a motivation: partners read it."))
    if len(motivation) > MAX_MOTIVATION:
        raise DecisionError(
            lazy_gettext(
                "The motivation is %(length)d characters long; at most %(most)d fit.",
                length=len(motivation),
                most=MAX_MOTIVATION,
            )
        )
    if decision.disposition is Disposition.DUPLICATE:
        return _duplicate_target(session, comment, decision.duplicate_of)
    return None


def _duplicate_target(session: DbSession, comment: Comment, reference: str | None) -> Comment:
    wanted = (reference or "").strip().upper()
    if not wanted:
        raise DecisionError(lazy_gettext("Name the reaction this one repeats (its reference)."))
    target = session.scalar(select(Comment).where(func.upper(Comment.reference) == wanted))
    if target is None:
        raise DecisionError(lazy_gettext("No reaction has the reference %(ref)s.", ref=wanted))
    if target.id == comment.id:
        raise DecisionError(lazy_gettext("A reaction cannot duplicate itself."))
    if target.section.version.document_id != comment.section.version.document_id:
        raise DecisionError(lazy_gettext("%(ref)s is on another document.", ref=wanted))
    seen = {comment.id}
    step: Comment | None = target
    while step is not None:  # a duplicate of a duplicate … must not lead back here
        if step.id in seen:
            raise DecisionError(
                lazy_gettext("%(ref)s leads back to this reaction: a loop.", ref=wanted)
            )
        seen.add(step.id)
        step = step.duplicate_of if step.disposition is Disposition.DUPLICATE else None
    return target


def _apply(
    session: DbSession,
    reviewer: User,
    comment: Comment,
    decision: Decision,
    duplicate_of: Comment | None,
    expected_revision: int | None,
) -> DispositionChange:
    expected = comment.disposition_revision if expected_revision is None else expected_revision
    motivation = (decision.motivation or "").strip() or None
    html = render_body(motivation) if motivation else ""
    now = datetime.now(UTC)
    changed = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.disposition_revision == expected)
        .values(
            disposition=decision.disposition,
            motivation=motivation,
            motivation_html=html,
            decided_by_id=reviewer.id,
            decided_at=now,
            duplicate_of_id=duplicate_of.id if duplicate_of else None,
            disposition_revision=Comment.disposition_revision + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.expire(comment)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise DecisionConflict(comment)
    change = DispositionChange(
        comment_id=comment.id, disposition=decision.disposition, motivation=motivation,
        motivation_html=html, duplicate_of_id=duplicate_of.id if duplicate_of else None,
        decided_by_id=reviewer.id, decided_at=now,
    )  # fmt: skip
    session.add(change)
    revisions.bump(session, [comment.section.version_id], texts=False)
    audit.record(
        session, reviewer, "comment.decided", comment,
        f"{comment.reference}: {decision.disposition.value}",
        disposition=decision.disposition.value,
    )  # fmt: skip
    session.flush()
    return change


# Assigning, notes --------------------------------------------------------------------------


def assign(
    session: DbSession, reviewer: User, comments: Sequence[Comment], assignee: User | None
) -> None:
    """Give the selection to ``assignee`` (None: to nobody), all or none."""
    if not comments:
        raise DecisionError(lazy_gettext("Select at least one reaction."))
    for comment in comments:
        document = comment.section.version.document
        if not can(reviewer, Action.DECIDE, document):
            raise DecisionError(lazy_gettext("Only the review group assigns reactions."))
        if assignee is not None and not can(assignee, Action.DECIDE, document):
            raise DecisionError(
                lazy_gettext("%(name)s is not in the review group.", name=assignee.name)
            )
        if comment.parent_id is not None:
            raise DecisionError(lazy_gettext("Replies are not assigned; their thread is."))
    for comment in comments:
        comment.assignee = assignee
        audit.record(
            session, reviewer, "comment.assigned", comment,
            f"{comment.reference}: {assignee.name if assignee else '-'}",
        )  # fmt: skip
    session.flush()


def add_note(session: DbSession, reviewer: User, comment: Comment, body: str) -> ReviewNote:
    """A note for the review group only."""
    if not can(reviewer, Action.DECIDE, comment.section.version.document):
        raise DecisionError(lazy_gettext("Only the review group writes notes."))
    text = (body or "").strip()
    if not text:
        raise DecisionError(lazy_gettext("Write the note first."))
    if len(text) > MAX_NOTE:
        raise DecisionError(lazy_gettext("A note has at most %(most)d characters.", most=MAX_NOTE))
    note = ReviewNote(comment=comment, author=reviewer, body=text, body_html=render_body(text))
    session.add(note)
    session.flush()
    return note


# The commenter's answer --------------------------------------------------------------------


def current_change(comment: Comment) -> DispositionChange | None:
    return comment.changes[-1] if comment.changes else None


def answer_of(comment: Comment) -> DecisionAnswer | None:
    """The answer to the decision as it stands (an answer to an earlier one no longer counts)."""
    change = current_change(comment)
    if change is None:
        return None
    return next((a for a in comment.answers if a.change_id == change.id), None)


def answer_decision(
    session: DbSession, person: User, comment: Comment, verdict: AnswerVerdict, body: str
) -> DecisionAnswer:
    """The author's (or their group coordinator's) answer to the decision: once per decision."""
    if not can(person, Action.ANSWER_DECISION, comment):
        raise DecisionError(
            lazy_gettext("Only the author or their group's coordinator answers the decision.")
        )
    change = current_change(comment)
    if change is None or comment.disposition in OPEN:
        raise DecisionError(lazy_gettext("There is no decision to answer yet."))
    if answer_of(comment) is not None:
        raise DecisionError(lazy_gettext("This decision was answered already."))
    text = (body or "").strip()
    if verdict is AnswerVerdict.OBJECT and not text:
        raise DecisionError(lazy_gettext("Say briefly what you object to."))
    if len(text) > MAX_ANSWER:
        raise DecisionError(
            lazy_gettext("An answer has at most %(most)d characters.", most=MAX_ANSWER)
        )
    answer = DecisionAnswer(
        comment=comment, change_id=change.id, author=person, verdict=verdict, body=text,
        body_html=render_body(text) if text else "",
    )  # fmt: skip
    session.add(answer)
    audit.record(session, person, "comment.answered", comment,
                 f"{comment.reference}: {verdict.value}")  # fmt: skip
    session.flush()
    return answer


def open_objections_query(version: Version) -> Select[Comment]:
    """Reactions on ``version`` whose author objected to the decision as it stands."""
    later = aliased(DispositionChange)
    return (
        select(Comment)
        .join(DecisionAnswer, DecisionAnswer.comment_id == Comment.id)
        .where(
            Comment.version_id == version.id,
            DecisionAnswer.verdict == AnswerVerdict.OBJECT,
            ~exists().where(
                and_(later.comment_id == Comment.id, later.id > DecisionAnswer.change_id)
            ),
        )
        .order_by(Comment.reference)
    )


# A version's feedback handled ----------------------------------------------------------------


def needs_decision(version: Version) -> Select[Comment]:
    """The reactions on ``version`` still without a decision (deleted and hidden ones need
    none)."""
    return (
        select(Comment)
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.disposition.in_(sorted(OPEN)),
        )
        .order_by(Comment.created_at, Comment.id)
    )


def undecided_count(session: DbSession, version: Version) -> int:
    query = needs_decision(version).with_only_columns(func.count(Comment.id)).order_by(None)
    return session.scalar(query) or 0


def mark_feedback_handled(session: DbSession, reviewer: User, version: Version) -> None:
    if not can(reviewer, Action.DECIDE, version.document):
        raise DecisionError(lazy_gettext("Only the review group marks feedback handled."))
    left = undecided_count(session, version)
    if left:
        raise DecisionError(
            lazy_gettext(
                "%(count)d reactions have no decision yet; decide on them first.", count=left
            )
        )
    version.feedback_handled_at = datetime.now(UTC)
    version.feedback_handled_by_id = reviewer.id
    audit.record(session, reviewer, "version.feedback_handled", version, version.label)
    session.flush()


# Taken in by the next version -----------------------------------------------------------------


def record_taken_in(session: DbSession, new_version: Version) -> int:
    """Accepted reactions on the sections that ``new_version``'s sections follow are taken
    in by it: they name it, and the section, from now on. Returns how many."""
    successor = aliased(Section)
    rows = session.execute(
        select(Comment, successor.key)
        .join(Section, Comment.section_id == Section.id)
        .join(successor, successor.predecessor_id == Section.id)
        .where(
            successor.version_id == new_version.id,
            Comment.parent_id.is_(None),
            Comment.disposition.in_(sorted(TAKEN_IN)),
            Comment.taken_in_version_id.is_(None),
            Comment.state == CommentState.PUBLISHED,
        )
    ).all()
    for comment, key in rows:
        comment.taken_in_version_id = new_version.id
        comment.taken_in_section_key = key
    session.flush()
    return len(rows)
