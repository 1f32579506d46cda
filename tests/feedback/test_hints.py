"""Incorporation hints (reviewhub.feedback.hints): a suggestion whose wording a new version
takes up, or a reaction whose passage the authors rewrote, is flagged for the review group,
who confirm it in one step; what is not suggested stays unflagged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import Decision, DecisionError, decide
from reviewhub.feedback.hints import confirm_hint, hints_for, incorporation_hint
from reviewhub.feedback.posting import Passage, post_comment
from reviewhub.feedback.register import WorkspaceFilter, workspace_query
from reviewhub.models import (
    CarriedReaction,
    CarryState,
    CommentKind,
    Disposition,
    HintReason,
    Role,
    Section,
    User,
    Version,
    VersionStatus,
)
from tests.factories import make_document, publish, reaction

pytestmark = pytest.mark.usefixtures("app_context")

OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}
V1 = """# Regie

De regie ligt bij het lokale team. Het team maakt een plan en bespreekt dat regelmatig met
het gezin.

# Verwijzing

Een verwijzing gaat via de huisarts of de wijkcoach.

# Samenwerking

Partners delen informatie alleen met toestemming van het gezin.
"""
# Regie takes up the proposed wording; Verwijzing is rewritten; Samenwerking is edited
# elsewhere than the passage reacted to.
V2 = """# Regie

De regie ligt bij het lokale team. Het team maakt samen met het gezin een veiligheidsplan en
bespreekt dat elke zes weken met alle betrokkenen.

# Verwijzing

Een verwijzing gaat via het lokale team, dat de huisarts informeert.

# Samenwerking

Partners delen informatie alleen met toestemming van het gezin. Zie ook de privacyregels.
"""

PROPOSED = "Het team maakt samen met het gezin een veiligheidsplan en bespreekt dat elke zes weken."


def section(session: Session, version: Version, key: str) -> Section:
    return session.scalars(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    ).one()


def react(session: Session, person: User, target: Section, exact: str, **fields):
    passage = Passage(exact, start=target.text.index(exact))
    return post_comment(session, person, target, reaction(passage=passage, **fields))


@pytest.fixture
def reviewer(people: dict[Role, User]) -> User:
    return people[Role.REVIEWER]


@pytest.fixture
def published(session, reviewer):
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    regie = section(session, v1, "regie")
    suggestion = react(
        session, reviewer, regie, "Het team maakt een plan en bespreekt dat regelmatig",
        body="Concreter graag.", kind=CommentKind.SUGGESTION, proposed_text=PROPOSED,
    )  # fmt: skip
    ignored = react(
        session, reviewer, section(session, v1, "samenwerking"), "alleen met toestemming",
        body="Altijd schriftelijk?", kind=CommentKind.SUGGESTION,
        proposed_text="alleen met schriftelijke toestemming",
    )  # fmt: skip
    concern = react(session, reviewer, section(session, v1, "verwijzing"),
                    "via de huisarts of de wijkcoach", body="Te smal.",
                    kind=CommentKind.CONCERN)  # fmt: skip
    untouched = react(session, reviewer, section(session, v1, "samenwerking"),
                      "Partners delen informatie", body="Welke partners?")  # fmt: skip
    whole = post_comment(session, reviewer, regie, reaction("Over de regie."))
    v2 = publish(session, document, V2, label="V2", **OPEN)
    return v1, v2, {"suggestion": suggestion, "ignored": ignored, "concern": concern,
                    "untouched": untouched, "whole": whole}  # fmt: skip


def test_the_new_version_flags_what_it_may_have_taken_in(session, published):
    v1, v2, made = published
    hints = hints_for(session, [c.id for c in made.values()])
    assert {name for name, c in made.items() if c.id in hints} == {"suggestion", "concern"}
    assert hints[made["suggestion"].id].reason is HintReason.WORDING
    assert hints[made["concern"].id].reason is HintReason.PASSAGE
    assert hints[made["suggestion"].id].version_number == v2.number
    # The workspace's filter lists the same two.
    hinted = session.scalars(workspace_query(v1, WorkspaceFilter(hinted=True))).all()
    assert {c.id for c in hinted} == {made["suggestion"].id, made["concern"].id}


def test_confirming_a_hint_accepts_the_reaction_and_names_the_version(session, published, reviewer):
    v1, v2, made = published
    suggestion = made["suggestion"]
    confirm_hint(session, reviewer, suggestion)
    session.refresh(suggestion)
    assert suggestion.disposition is Disposition.ACCEPTED
    assert suggestion.taken_in_version_id == v2.id
    assert suggestion.taken_in_section_key == "regie"
    assert "V2" in (suggestion.motivation or "")
    # Decided, it leaves the hinted list.
    hinted = session.scalars(workspace_query(v1, WorkspaceFilter(hinted=True))).all()
    assert [c.id for c in hinted] == [made["concern"].id]


def test_a_hint_is_not_confirmed_twice_nor_without_one(session, published, reviewer):
    _v1, _v2, made = published
    decide(session, reviewer, made["concern"], Decision(Disposition.NOTED, "Gezien."))
    with pytest.raises(DecisionError):
        confirm_hint(session, reviewer, made["concern"])
    with pytest.raises(DecisionError):
        confirm_hint(session, reviewer, made["untouched"])
    with pytest.raises(DecisionError):
        confirm_hint(session, reviewer, made["suggestion"], Disposition.NOT_ACCEPTED)
    assert made["untouched"].disposition is Disposition.NEW


def test_a_partner_cannot_confirm_a_hint(session, published, people):
    _v1, _v2, made = published
    with pytest.raises(DecisionError):
        confirm_hint(session, people[Role.PARTNER], made["suggestion"])
    session.refresh(made["suggestion"])
    assert made["suggestion"].disposition is Disposition.NEW


def test_hints_are_stored_with_the_carried_reaction(session, published):
    _v1, v2, made = published
    rows = session.scalars(select(CarriedReaction).where(CarriedReaction.version_id == v2.id))
    by_comment = {row.comment_id: row.hint for row in rows}
    assert by_comment[made["whole"].id] is None  # a whole-section reaction: no sign either way
    assert by_comment[made["untouched"].id] is None


OLD = "Het team maakt een plan. Het plan wordt besproken met het gezin. Zie ook de bijlage."
PASSAGE = "Het plan wordt besproken met het gezin."


def carried(new: str, passage: str | None = PASSAGE) -> tuple[CarryState, tuple[int, int] | None]:
    """The state and new place of PASSAGE in ``new`` (``passage``: as it now reads)."""
    if passage is None:
        return CarryState.ORPHANED, None
    at = new.index(passage)
    state = CarryState.UNCHANGED if passage == PASSAGE else CarryState.CHANGED
    return state, (at, at + len(passage))


@pytest.mark.parametrize(
    ("new", "now", "proposed", "expected"),
    [
        # Taken in word for word.
        (OLD.replace(PASSAGE, "Het plan wordt elke zes weken besproken met het gezin."),
         "Het plan wordt elke zes weken besproken met het gezin.",
         "Het plan wordt elke zes weken besproken met het gezin.", HintReason.WORDING),
        # Taken in with a word of its own: most of what it adds is there.
        (OLD.replace(PASSAGE, "Het plan wordt elke vier weken besproken met het gezin."),
         "Het plan wordt elke vier weken besproken met het gezin.",
         "Het plan wordt elke zes weken besproken met het gezin.", HintReason.WORDING),
        # A clause added after the passage, which itself stays as it was.
        (OLD.replace(PASSAGE, PASSAGE + " Het gezin krijgt een kopie."), PASSAGE,
         PASSAGE + " Het gezin krijgt een kopie.", HintReason.WORDING),
        # A proposal that only strikes words, struck.
        (OLD.replace(PASSAGE, "Het plan wordt besproken."), "Het plan wordt besproken.",
         "Het plan wordt besproken.", HintReason.WORDING),
        # The passage changed, but otherwise than proposed.
        (OLD.replace(PASSAGE, "Het plan wordt vastgesteld door het team."),
         "Het plan wordt vastgesteld door het team.",
         "Het plan wordt elke zes weken besproken met het gezin.", None),
        # The section changed elsewhere; the passage and the proposal's words are not there.
        (OLD.replace("de bijlage", "hoofdstuk 3"), PASSAGE,
         "Het plan wordt elke zes weken besproken met het gezin.", None),
        # Without proposed wording: a changed or vanished passage is the sign.
        (OLD.replace(PASSAGE, "Het plan wordt vastgesteld."), "Het plan wordt vastgesteld.",
         None, HintReason.PASSAGE),
        (OLD.replace(PASSAGE, ""), None, None, HintReason.PASSAGE),
        (OLD.replace("de bijlage", "hoofdstuk 3"), PASSAGE, None, None),
    ],
)  # fmt: skip
def test_incorporation_hint(new, now, proposed, expected):
    state, span = carried(new, now)
    assert incorporation_hint(OLD, new, proposed, state, PASSAGE, span) is expected


def test_no_hint_without_a_change_or_a_passage():
    state, span = carried(OLD)
    assert incorporation_hint(OLD, OLD, "Iets anders.", state, PASSAGE, span) is None
    changed = OLD.replace(PASSAGE, "Het plan wordt vastgesteld.")
    # On the whole section: its text changing says nothing of the reaction.
    assert incorporation_hint(OLD, changed, None, CarryState.CHANGED, None, None) is None
    removed = CarryState.SECTION_REMOVED
    assert incorporation_hint(OLD, "", None, removed, PASSAGE, None) is None
