"""`flask demo` adds demo reactions to the sample document's open version, in several states,
once: run again, it adds nothing. (`load-samples` and the tests' sample database add none.)"""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.feedback.clusters import near_duplicates
from reviewhub.feedback.posting import post_comment
from reviewhub.models import (
    AnswerVerdict,
    CarriedReaction,
    CarryState,
    Comment,
    DecisionAnswer,
    Disposition,
    GroupPosition,
    HintReason,
    ReviewNote,
    Role,
    Section,
    Version,
)
from reviewhub.samples import DEMO_POSITION_NOTES, DEMO_REACTIONS, EARLIER_REACTIONS
from tests.factories import group_named, reaction, sample_section, user_with_role


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_sample_database_has_no_reactions(session: Session) -> None:
    assert _count(session, Comment) == 0


def test_demo_adds_reactions_once(cli, session: Session) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.output
    made = len(DEMO_REACTIONS) + len(EARLIER_REACTIONS) + len(DEMO_POSITION_NOTES) + 1
    assert _count(session, Comment) == made >= 20
    second = cli("demo")
    assert second.exit_code == 0, second.output
    assert _count(session, Comment) == made
    assert _count(session, DecisionAnswer) == 2 and _count(session, ReviewNote) == 1


def test_demo_reactions_show_the_review_at_work(cli, session: Session) -> None:
    assert cli("demo").exit_code == 0
    comments = list(
        session.scalars(select(Comment).join(Section).join(Version).where(Version.number == 3))
    )
    assert len(comments) == len(DEMO_REACTIONS) + len(DEMO_POSITION_NOTES) + 1
    assert all(c.reference for c in comments)  # posted through posting: references assigned
    states = Counter(c.disposition for c in comments)
    for state in (Disposition.NEW, Disposition.IN_PROGRESS, Disposition.ACCEPTED,
                  Disposition.NOT_ACCEPTED, Disposition.NOTED, Disposition.ANSWERED,
                  Disposition.DUPLICATE):  # fmt: skip
        assert states[state] >= 1, state
    decided = [c for c in comments if c.disposition is not Disposition.NEW]
    assert all(c.decided_by and c.decided_by.email == "reviewer@example.org" for c in decided)
    duplicate = next(c for c in comments if c.disposition is Disposition.DUPLICATE)
    assert (
        duplicate.duplicate_of is not None and duplicate.duplicate_of.section == duplicate.section
    )
    objection = session.scalars(
        select(DecisionAnswer).where(DecisionAnswer.verdict == AnswerVerdict.OBJECT)
    ).one()
    assert objection.author.email == "partner@example.org"
    assert objection.comment.disposition is Disposition.NOT_ACCEPTED
    assert {c.group.name for c in comments if c.group} >= {"Regio Twente", "Proeftuin Utrecht"}
    # Two regions and a workgroup sent one point: the workspace shows them as near-duplicates.
    clusters = near_duplicates(session, sample_section(session).version)
    assert len(set(clusters.values())) >= 1 and len(clusters) >= 3


def test_demo_adds_none_when_reactions_exist(app: Flask, cli, session: Session) -> None:
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():  # the closing date is read in the app's time zone
        post_comment(
            session, partner, sample_section(session), reaction(group=group_named(session))
        )
    session.commit()
    assert cli("demo").exit_code == 0
    assert _count(session, Comment) == 1


def test_reactions_on_dialoogversie_1_reach_versions_2_and_3(cli, session: Session) -> None:
    """The first round's reactions are on versions 2 and 3 in each state; one waits for the
    review group to confirm that version 2 took its wording in, one was confirmed."""
    assert cli("demo").exit_code == 0
    rows = session.execute(
        select(Comment.client_token, Version.number, CarriedReaction.state, CarriedReaction.hint)
        .join(Comment, Comment.id == CarriedReaction.comment_id)
        .join(Version, Version.id == CarriedReaction.version_id)
    ).all()
    carried = {(token, number): (state, hint) for token, number, state, hint in rows}
    tokens = {item.token for item in EARLIER_REACTIONS}
    assert {key for key in carried} == {(t, n) for t in tokens for n in (2, 3)}
    assert carried["demo-v1-1", 2] == (CarryState.UNCHANGED, HintReason.WORDING)
    assert carried["demo-v1-2", 2] == (CarryState.CHANGED, HintReason.PASSAGE)
    assert carried["demo-v1-3", 2][0] is CarryState.ORPHANED
    assert carried["demo-v1-4", 2] == (CarryState.UNCHANGED, None)
    assert carried["demo-v1-5", 3][0] is CarryState.SECTION_REMOVED
    confirmed = session.scalars(select(Comment).where(Comment.client_token == "demo-v1-2")).one()
    assert confirmed.disposition is Disposition.PARTLY_ACCEPTED
    assert confirmed.taken_in_version is not None and confirmed.taken_in_version.number == 2
    first = session.scalars(
        select(Version)
        .join(Comment, Comment.version_id == Version.id)
        .where(Comment.client_token == "demo-v1-1")
    )
    assert first.one().status.value == "closed"  # opened only while its reactions were posted


def test_regio_twente_has_a_position_sent_twice_and_edited_since(cli, session: Session) -> None:
    assert cli("demo").exit_code == 0
    position = session.scalars(select(GroupPosition)).one()
    assert [e.number for e in position.editions] == [1, 2]
    assert position.in_preparation and len(position.sources) == len(DEMO_POSITION_NOTES)
    assert position.comment is not None and position.comment.position_edition == 2


def test_the_open_version_asks_questions_and_two_reactions_answer_them(cli, session: Session):
    from reviewhub.models import Question
    from reviewhub.samples import DEMO_QUESTIONS

    assert cli("demo").exit_code == 0
    asked = session.scalars(select(Question).order_by(Question.position)).all()
    assert [q.text for q in asked] == [text for _key, _section, text in DEMO_QUESTIONS]
    answers = session.scalars(select(Comment).where(Comment.question_id.is_not(None))).all()
    assert {c.client_token: c.question.text for c in answers} == {
        "demo-5": asked[1].text, "demo-10": asked[0].text}  # fmt: skip
