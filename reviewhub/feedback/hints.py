"""Incorporation hints: when a reaction is carried into a new version, whether the new text
suggests it was taken in, so that a reviewer need only confirm it ("mogelijk verwerkt in
versie N"). Two signs, one per kind of reaction:

- a suggestion with proposed wording: the authors made the proposed change. The proposal is
  compared with the passage it rewrites: at least half of the words it adds are among the
  words the authors added where the passage now lies (re-anchored, widened by what the
  proposal adds, for a clause added at its edge; where the passage is not found again, where
  the proposal itself is); a proposal that only strikes words, when
  half of those are gone there. Or, plainly, the proposal now stands in the text word for
  word and did not before;
- any other reaction on a passage: the passage's words changed (the authors touched what it
  was about), or the passage is gone from a section that still exists.

A suggestion whose passage changed in some other way than proposed gets no hint: its wording
was not taken in. A reaction on a whole section gets none either: its section's changing
says nothing of it. bench/bench_hints.py measures precision and recall on a known truth."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, and_, case, exists, func, select

from ..dbtypes import DbSession
from ..models import (
    CarriedReaction,
    CarryState,
    Comment,
    Disposition,
    DispositionChange,
    HintReason,
    Section,
    User,
    Version,
)
from ..text.anchoring import normalise_quote, reanchor
from ..text.words import DELETE, INSERT, word_diff
from .decisions import OPEN, TAKEN_IN, Decision, DecisionError, decide

# The share of a proposal's added (or, for a proposal that only strikes, struck) words that
# the authors' change must have; tuned on bench/bench_hints.py.
CHANGE_SHARE = 0.5
_WORD = re.compile(r"\w+")


def incorporation_hint(
    old_text: str,
    new_text: str,
    proposed: str | None,
    state: CarryState,
    old_passage: str | None,
    new_span: tuple[int, int] | None,
) -> HintReason | None:
    """The hint for a reaction carried from a section reading ``old_text`` into one reading
    ``new_text``, with the ``state`` it got: ``old_passage``, the passage it quotes (None: on
    the whole section), lies at ``new_span`` in the new text (None: not found). None when
    nothing suggests it was taken in."""
    if state is CarryState.SECTION_REMOVED or old_text == new_text or old_passage is None:
        return None
    wording = normalise_quote(proposed or "")
    if wording:
        taken = wording_taken_in(old_text, new_text, old_passage, wording, new_span)
        return HintReason.WORDING if taken else None
    if state in (CarryState.CHANGED, CarryState.ORPHANED):
        return HintReason.PASSAGE
    return None


def wording_taken_in(
    old_text: str, new_text: str, old_passage: str, wording: str, new_span: tuple[int, int] | None
) -> bool:
    """Whether the authors changed ``old_passage`` (now at ``new_span``) as ``wording``
    proposes."""
    if wording in new_text and wording not in old_text:
        return True
    if new_span is None:  # the passage is not found again: perhaps the proposal is
        found = reanchor(new_text, wording)
        if found.anchor is None:
            return False
        new_span = found.anchor.start, found.anchor.end
    start, end = new_span
    extra = max(0, len(wording) - len(old_passage))
    window = new_text[max(0, start - extra) : end + extra]
    added = _changed_words(old_passage, wording, INSERT)
    if added:
        return _share(added, _changed_words(old_passage, window, INSERT)) >= CHANGE_SHARE
    struck = _changed_words(old_passage, wording, DELETE)
    return bool(struck) and _share(struck, _changed_words(old_passage, new_text[start:end],
                                                          DELETE)) >= CHANGE_SHARE  # fmt: skip


def _changed_words(before: str, after: str, op: int) -> Counter[str]:
    """The words that going from ``before`` to ``after`` inserts (or deletes), in any case."""
    return Counter(
        word.lower() for kind, part in word_diff(before, after) if kind == op
        for word in _WORD.findall(part)
    )  # fmt: skip


def _share(wanted: Counter[str], found: Counter[str]) -> float:
    return sum((wanted & found).values()) / sum(wanted.values())


# The workspace's side: which undecided reactions carry a hint, and confirming one ----------


@dataclass(frozen=True)
class Hint:
    """The first later version whose text suggests a reaction was taken in."""

    carried_id: int
    version_number: int
    version_label: str
    reason: HintReason
    section_id: int | None


def hinted_condition() -> ColumnElement[bool]:
    """Reactions still undecided that a later version may have taken in."""
    return and_(
        Comment.disposition.in_(sorted(OPEN)),
        exists().where(CarriedReaction.comment_id == Comment.id,
                       CarriedReaction.hint.is_not(None)),
    )  # fmt: skip


def hinted_in_expression() -> ColumnElement[int | None]:
    """For each undecided reaction, the number of the first later version that may have
    taken it in (None: none, or decided): one indexed look-up per row of a page."""
    first = (
        select(func.min(Version.number))
        .join(CarriedReaction, CarriedReaction.version_id == Version.id)
        .where(CarriedReaction.comment_id == Comment.id, CarriedReaction.hint.is_not(None))
        .correlate(Comment)
        .scalar_subquery()
    )
    return case((Comment.disposition.in_(sorted(OPEN)), first), else_=None)


def hints_for(session: DbSession, comment_ids: Collection[int]) -> dict[int, Hint]:
    """The hint of each of ``comment_ids`` that has one (one query; the earliest version
    wins), whatever its decision: the caller shows it for the undecided ones."""
    if not comment_ids:
        return {}
    rows = session.execute(
        select(CarriedReaction.comment_id, CarriedReaction.id, Version.number, Version.label,
               CarriedReaction.hint, CarriedReaction.section_id)
        .join(Version, Version.id == CarriedReaction.version_id)
        .where(CarriedReaction.comment_id.in_(sorted(comment_ids)),
               CarriedReaction.hint.is_not(None))
        .order_by(CarriedReaction.comment_id, Version.number.desc())
    )  # fmt: skip
    # Ordered latest first, so the earliest version's row is the one left in the dict; the
    # reason is never None (the WHERE above), which the row's type cannot say.
    return {
        comment_id: Hint(carried_id, number, label, reason, section_id)  # type: ignore[arg-type]
        for comment_id, carried_id, number, label, reason, section_id in rows
    }


def confirm_hint(
    session: DbSession,
    reviewer: User,
    comment: Comment,
    disposition: Disposition = Disposition.ACCEPTED,
    expected_revision: int | None = None,
) -> DispositionChange:
    """The reviewer confirms the hint: the reaction is (partly) accepted, with a motivation
    naming the version and section that took it in, which the reaction then names as well.
    Refused (nothing stored) as ``decisions.decide`` refuses, or without a hint."""
    if disposition not in TAKEN_IN:
        raise DecisionError(lazy_gettext("A hint is confirmed as accepted or partly accepted."))
    if comment.disposition not in OPEN:
        raise DecisionError(lazy_gettext("This reaction has a decision already."))
    hint = hints_for(session, [comment.id]).get(comment.id)
    if hint is None:
        raise DecisionError(lazy_gettext("No later version suggests this reaction was taken in."))
    section = session.get(Section, hint.section_id) if hint.section_id is not None else None
    motivation = (
        lazy_gettext("Taken in by %(version)s, section %(number)s %(heading)s.",
                     version=hint.version_label, number=section.number,
                     heading=section.heading or lazy_gettext("Opening text"))
        if section is not None
        else lazy_gettext("Taken in by %(version)s.", version=hint.version_label)
    )  # fmt: skip
    change = decide(session, reviewer, comment, Decision(disposition, str(motivation)),
                    expected_revision)  # fmt: skip
    carried = session.get(CarriedReaction, hint.carried_id)
    assert carried is not None
    comment.taken_in_version_id = carried.version_id
    comment.taken_in_section_key = section.key if section is not None else None
    session.flush()
    return change
