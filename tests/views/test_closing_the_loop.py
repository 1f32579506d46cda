"""Closing the loop with the commenter: the decision shown with each reaction, the author's
(or their coordinator's) answer, one's own reactions and a group's with their decisions, and
the open objections the review group looks at again."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.feedback import decisions
from reviewhub.feedback.decisions import Decision
from reviewhub.feedback.posting import post_comment
from reviewhub.models import (
    AnswerVerdict,
    Comment,
    CommentState,
    CommentVisibility,
    DecisionAnswer,
    Disposition,
    Group,
    Role,
    User,
)
from reviewhub.samples import DEMO_PASSWORD
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    make_user,
    reaction,
    sample_section,
    user_with_role,
)
from tests.views.test_query_counts import counted

OPEN = f"/documents/{SAMPLE_SLUG}/v/3"
SECTION = f"{OPEN}/s/veiligheid"
FRAGMENT = f"{SECTION}/reactions"
MOTIVATION = "Overgenomen in paragraaf 3, met dank."


def post(
    app: Flask,
    session: Session,
    author: User,
    body: str = "Wat bedoelt u met veiligheid?",
    group: Group | None = None,
    key: str = "veiligheid",
    **fields: object,
) -> Comment:
    """A reaction of ``author`` for ``group`` (by default their first) on the open version."""
    if group is None and author.memberships:
        group = author.memberships[0].group
    with app.app_context():  # the closing date is read in the app's time zone
        comment = post_comment(
            session, author, sample_section(session, 3, key), reaction(body, group=group, **fields)
        )
    session.commit()
    return comment


def decide(
    app: Flask,
    session: Session,
    comment: Comment,
    disposition: Disposition = Disposition.ACCEPTED,
    motivation: str = MOTIVATION,
    **fields: str,
) -> None:
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        decisions.decide(session, reviewer, comment, Decision(disposition, motivation, **fields))
    session.commit()


def english(client: FlaskClient) -> None:
    """The English source strings: the tests read the labels as written in the code."""
    client.post("/language", data={"language": "en"})


def member(session: Session, email: str, group: Group, coordinator: bool = False) -> User:
    person = make_user(session, email, Role.PARTNER, group)
    person.memberships[0].coordinator = coordinator
    person.set_password(DEMO_PASSWORD)
    session.commit()
    return person


def log_in(app: Flask, email: str) -> FlaskClient:
    visitor = app.test_client()
    response = visitor.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    english(visitor)
    return visitor


def answers(session: Session, comment: Comment) -> list[DecisionAnswer]:
    session.expire_all()
    return list(
        session.scalars(select(DecisionAnswer).where(DecisionAnswer.comment_id == comment.id))
    )


def answer_url(comment: Comment) -> str:
    return f"/comments/{comment.id}/answer"


# The decision with the reaction ---------------------------------------------------------------


def test_the_decision_is_shown_to_anonymous_readers_of_a_public_reaction(app, client, session):
    partner = user_with_role(session, Role.PARTNER)
    public = post(app, session, partner)
    hidden_from_others = post(
        app, session, partner, "Alleen voor de groep", visibility=CommentVisibility.GROUP
    )
    decide(app, session, public)
    decide(app, session, hidden_from_others, Disposition.NOT_ACCEPTED, "Geheim motief van de groep")
    english(client)
    for url in (SECTION, FRAGMENT):
        html = client.get(url).get_data(as_text=True)
        assert public.reference in html and MOTIVATION in html, url
        assert "Accepted" in html and "status--accepted" in html
        assert "Decided by" in html
        assert "Geheim motief" not in html and hidden_from_others.reference not in html, url


def test_a_group_only_decision_is_shown_to_the_group(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner, "Intern", visibility=CommentVisibility.GROUP)
    decide(app, session, comment, Disposition.NOTED, "Voor de groep gemotiveerd")
    colleague = member(session, "collega@example.org", group_named(session))
    assert "Voor de groep gemotiveerd" in log_in(app, colleague.email).get(SECTION).get_data(
        as_text=True
    )


def test_a_duplicate_links_to_the_other_reaction(app, client, session):
    partner = user_with_role(session, Role.PARTNER)
    first = post(app, session, partner)
    second = post(app, session, partner, "Bijna dezelfde vraag")
    decide(app, session, second, Disposition.DUPLICATE, "Zie de eerdere vraag.",
           duplicate_of=first.reference)  # fmt: skip
    english(client)
    html = client.get(SECTION).get_data(as_text=True)
    assert f'href="/comments/{first.id}">{first.reference}</a>' in html


def test_the_decisions_cost_no_statement_per_reaction(app, client, session):
    partner = user_with_role(session, Role.PARTNER)

    def decided_reactions(count: int) -> None:
        for n in range(count):
            comment = post(app, session, partner, f"Vraag {n}")
            decide(app, session, comment)
            with app.app_context():
                decisions.answer_decision(session, partner, comment, AnswerVerdict.OBJECT, "Nee")
            session.commit()

    decided_reactions(2)
    with counted(app) as few:
        client.get(FRAGMENT)
    decided_reactions(8)
    with counted(app) as more:
        client.get(FRAGMENT)
    assert len(more) == len(few)


# The commenter's answer -----------------------------------------------------------------------


def test_the_author_agrees(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner)
    auth.login(Role.PARTNER)
    english(client)
    assert answer_url(comment) not in client.get(SECTION).get_data(as_text=True)  # no decision
    decide(app, session, comment)
    assert f'action="{answer_url(comment)}"' in client.get(SECTION).get_data(as_text=True)
    response = client.post(answer_url(comment), data={"verdict": "agree", "body": ""})
    assert response.status_code == 302 and f"#c-{comment.id}" in response.location
    [answer] = answers(session, comment)
    assert answer.verdict is AnswerVerdict.AGREE and answer.author_id == partner.id
    html = client.get(SECTION).get_data(as_text=True)
    assert "Answer to the decision" in html and f'action="{answer_url(comment)}"' not in html
    anonymous = app.test_client()
    english(anonymous)
    assert "Answer to the decision:</strong> Agree" in anonymous.get(SECTION).get_data(as_text=True)


def test_an_objection_needs_a_text_and_keeps_what_was_typed(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner)
    decide(app, session, comment)
    auth.login(Role.PARTNER)
    english(client)
    empty = client.post(answer_url(comment), data={"verdict": "object", "body": "   "})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400 and "Say briefly what you object to." in html
    assert 'value="object" required checked' in html
    assert f'href="#answer-{comment.id}-body"' in html and f'id="answer-{comment.id}-body"' in html
    long = "Te lang. " * 120
    too_long = client.post(answer_url(comment), data={"verdict": "object", "body": long})
    assert too_long.status_code == 400 and long.strip() in too_long.get_data(as_text=True)
    no_choice = client.post(answer_url(comment), data={"body": "Hmm"})
    assert no_choice.status_code == 400 and ">Hmm</textarea>" in no_choice.get_data(as_text=True)
    assert answers(session, comment) == []


def test_a_decision_is_answered_once(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner)
    decide(app, session, comment)
    auth.login(Role.PARTNER)
    english(client)
    assert client.post(answer_url(comment), data={"verdict": "agree"}).status_code == 302
    again = client.post(answer_url(comment), data={"verdict": "object", "body": "Toch niet"})
    assert again.status_code == 400
    assert "This decision was answered already." in again.get_data(as_text=True)
    assert [a.verdict for a in answers(session, comment)] == [AnswerVerdict.AGREE]


def test_the_groups_coordinator_answers_another_member_may_not(app, session):
    twente = group_named(session)
    author = member(session, "auteur-twente@example.org", twente)
    other = member(session, "ander-twente@example.org", twente)
    coordinator = member(session, "coordinator-twente@example.org", twente, coordinator=True)
    comment = post(app, session, author, group=twente)
    decide(app, session, comment)
    other_client = log_in(app, other.email)
    assert f'action="{answer_url(comment)}"' not in other_client.get(SECTION).get_data(as_text=True)
    refused = other_client.post(answer_url(comment), data={"verdict": "object", "body": "Nee"})
    assert refused.status_code == 403 and answers(session, comment) == []
    coordinating = log_in(app, coordinator.email)
    assert f'action="{answer_url(comment)}"' in coordinating.get(SECTION).get_data(as_text=True)
    sent = coordinating.post(answer_url(comment), data={"verdict": "object", "body": "Nee"})
    assert sent.status_code == 302
    assert [a.author_id for a in answers(session, comment)] == [coordinator.id]


def test_after_a_new_decision_the_old_answer_no_longer_counts(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner)
    decide(app, session, comment, Disposition.NOT_ACCEPTED, "Past niet.")
    auth.login(Role.PARTNER)
    english(client)
    client.post(answer_url(comment), data={"verdict": "object", "body": "Het past wel."})
    decide(app, session, comment, Disposition.PARTLY_ACCEPTED, "Bij nader inzien deels.")
    html = client.get(SECTION).get_data(as_text=True)
    assert "Het past wel." not in html and f'action="{answer_url(comment)}"' in html
    assert client.post(answer_url(comment), data={"verdict": "agree"}).status_code == 302
    assert len(answers(session, comment)) == 2


# One's own reactions, a group's ---------------------------------------------------------------


def test_my_feedback_shows_the_decision_and_filters(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    twente, utrecht = group_named(session), group_named(session, "Proeftuin Utrecht")
    accepted = post(app, session, partner, "Eerste vraag", group=twente)
    waiting = post(app, session, partner, "Tweede vraag", group=utrecht, key="regie")
    decide(app, session, accepted)
    auth.login(Role.PARTNER)
    english(client)
    html = client.get("/me/feedback").get_data(as_text=True)
    assert accepted.reference in html and waiting.reference in html and MOTIVATION in html
    assert "Answer the decision" in html  # the accepted one waits for its answer

    def listed(query: str) -> set[str]:
        page = client.get(f"/me/feedback?{query}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        return {c.reference for c in (accepted, waiting) if c.reference in text}

    assert listed("status=accepted") == {accepted.reference}
    assert listed("status=new") == {waiting.reference}
    assert listed(f"group={utrecht.id}") == {waiting.reference}
    document = accepted.section.version.document_id
    assert listed(f"document={document}") == {accepted.reference, waiting.reference}
    assert listed(f"document={document + 1000}") == set()
    assert listed("status=onzin&document=x") == {accepted.reference, waiting.reference}


def test_the_group_overview_is_for_members(app, client, session, auth):
    twente = group_named(session)
    colleague = member(session, "collega@example.org", twente)
    listed = post(app, session, colleague, "Vraag van de regio", group=twente)
    waiting = post(app, session, colleague, "Wacht nog", group=twente)
    session.get(Comment, waiting.id).state = CommentState.PENDING
    session.commit()
    decide(app, session, listed)
    auth.login(Role.PARTNER)  # a member and the group's coordinator
    english(client)
    html = client.get(f"/groups/{twente.id}/feedback").get_data(as_text=True)
    assert listed.reference in html and MOTIVATION in html and colleague.name in html
    assert waiting.reference not in html  # waiting: only for its author
    assert "Answer the decision" in html  # the coordinator may answer
    assert waiting.reference in log_in(app, colleague.email).get(
        f"/groups/{twente.id}/feedback"
    ).get_data(as_text=True)
    accepted_only = client.get(f"/groups/{twente.id}/feedback?status=not_accepted")
    assert listed.reference not in accepted_only.get_data(as_text=True)
    noord = group_named(session, "Regio Noord-Holland Noord")
    assert client.get(f"/groups/{noord.id}/feedback").status_code == 403
    Auth(client).login(Role.REVIEWER)
    assert client.get(f"/groups/{twente.id}/feedback").status_code == 403


# Open objections ------------------------------------------------------------------------------


def test_the_review_group_sees_the_open_objections(app, client, session, auth):
    partner = user_with_role(session, Role.PARTNER)
    objected = post(app, session, partner)
    agreed = post(app, session, partner, "Andere vraag")
    for comment, verdict, text in ((objected, AnswerVerdict.OBJECT, "Dit klopt niet."),
                                   (agreed, AnswerVerdict.AGREE, "")):  # fmt: skip
        decide(app, session, comment)
        with app.app_context():
            decisions.answer_decision(session, partner, comment, verdict, text)
        session.commit()
    auth.login(Role.PARTNER)
    assert client.get(f"{OPEN}/objections").status_code == 403
    auth.login(Role.REVIEWER)
    html = client.get(f"{OPEN}/objections").get_data(as_text=True)
    assert objected.reference in html and "Dit klopt niet." in html and MOTIVATION in html
    assert f'href="/comments/{objected.id}"' in html and agreed.reference not in html
    decide(app, session, objected, Disposition.PARTLY_ACCEPTED, "Toch deels.")
    assert objected.reference not in client.get(f"{OPEN}/objections").get_data(as_text=True)


def test_the_header_links_to_my_reactions_for_everyone_who_can_react(client, auth):
    assert 'href="/me/feedback"' not in client.get("/documents/").get_data(as_text=True)
    auth.login(Role.READER)  # reads, never reacts
    assert 'href="/me/feedback"' not in client.get("/documents/").get_data(as_text=True)
    auth.login(Role.PARTNER)
    assert 'href="/me/feedback"' in client.get("/documents/").get_data(as_text=True)


def test_no_answers_stored_by_refusals(app, client, session, auth):
    """A reviewer may read a reaction, not answer its decision."""
    partner = user_with_role(session, Role.PARTNER)
    comment = post(app, session, partner)
    decide(app, session, comment)
    auth.login(Role.REVIEWER)
    assert client.post(answer_url(comment), data={"verdict": "agree"}).status_code == 403
    count = session.scalar(select(func.count()).select_from(DecisionAnswer))
    assert count == 0
