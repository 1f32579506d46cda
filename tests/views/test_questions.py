"""Consultation questions through the pages, as a browser without JavaScript uses them: the
author asks, rewords, moves and removes them; a partner sees them above the reaction forms,
follows "Answer this question" to a form with it chosen, and answers it; a question that does
not fit is refused with a reason and the text kept; threads say what a reaction answers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback import questions
from reviewhub.models import Comment, Question, Role, Section
from tests.factories import SAMPLE_SLUG, group_named, sample_section, user_with_role
from tests.views.test_page_cache import counting_queries

OPEN = f"/documents/{SAMPLE_SLUG}/v/3"
MANAGE = f"{OPEN}/questions"
KEY = "veiligheid"


def ask(session: Session, text: str, section: Section | None = None) -> Question:
    author = user_with_role(session, Role.AUTHOR)
    question = questions.add_question(session, author, sample_section(session).version, text,
                                      section)  # fmt: skip
    session.commit()
    return question


def react(client, session: Session, key: str = KEY, **fields: str):
    target = sample_section(session, key=key)
    data = {"kind": "general", "body": "Wij missen de school.", "visibility": "public",
            "group": str(group_named(session).id), "client_token": fields.pop("token", "q1"),
            **fields}  # fmt: skip
    return client.post(f"{OPEN}/s/{key}", data={f"s{target.id}-{k}": v for k, v in data.items()})


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# The author's page ----------------------------------------------------------------------------


def test_the_author_asks_rewords_moves_and_removes_questions(client, auth, session):
    auth.login(Role.AUTHOR)
    assert "Consultatievragen" in text_of(client, OPEN)  # the link from the version page
    answer = client.post(MANAGE, data={"text": "Wat mist u in deze versie?", "section": ""})
    assert answer.status_code == 302
    client.post(MANAGE, data={"text": "Is veiligheid voorop helder?", "section": KEY})
    first, second = session.scalars(select(Question).order_by(Question.position)).all()
    assert (first.section_id, second.section.key) == (None, KEY)
    page = text_of(client, MANAGE)
    assert "Wat mist u in deze versie?" in page and "0 antwoorden" in page
    assert client.post(f"{MANAGE}/{second.id}/up").status_code == 302
    assert client.post(f"{MANAGE}/{first.id}/reword", data={f"q{first.id}-text": "Wat mist u?"})
    session.expire_all()
    assert [q.text for q in questions.questions_of(session, first.version)] == [
        "Is veiligheid voorop helder?", "Wat mist u?"]  # fmt: skip
    assert client.post(f"{MANAGE}/{first.id}/remove").status_code == 302
    assert session.scalars(select(Question.text)).all() == ["Is veiligheid voorop helder?"]


def test_a_refused_question_is_said_and_its_text_kept(client, auth, session):
    auth.login(Role.AUTHOR)
    answer = client.post(MANAGE, data={"text": "x" * 501 + " lang", "section": ""})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "ten hoogste 500" in page and "x" * 501 in page
    answer = client.post(MANAGE, data={"text": "Waar?", "section": "geen-sectie"})
    assert answer.status_code == 400 and "Waar?" in answer.get_data(as_text=True)


def test_a_question_with_answers_stays(client, auth, session):
    question = ask(session, "Wat mist u?")
    auth.login(Role.PARTNER)
    assert react(client, session, question=str(question.id)).status_code == 302
    auth.login(Role.AUTHOR)
    answer = client.post(f"{MANAGE}/{question.id}/remove")
    assert answer.status_code == 400 and "1 antwoord," in answer.get_data(as_text=True)
    assert session.get(Question, question.id) is not None
    assert f"question={question.id}" in text_of(client, MANAGE)  # linked to its answers


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REVIEWER])
def test_only_authors_manage_questions(client, auth, role):
    auth.login(role)
    assert client.get(MANAGE).status_code == 403
    assert client.post(MANAGE, data={"text": "Wat?"}).status_code == 403


def test_another_versions_question_is_not_found_here(client, auth, session):
    question = ask(session, "Wat mist u?")
    auth.login(Role.AUTHOR)
    url = f"/documents/{SAMPLE_SLUG}/v/2/questions/{question.id}/remove"
    assert client.post(url).status_code == 404


# Reading and answering ------------------------------------------------------------------------


def test_partners_see_the_questions_above_the_forms_and_answer_one(client, auth, session):
    whole = ask(session, "Wat mist u in deze versie?")
    here = ask(session, "Is veiligheid voorop helder?", sample_section(session))
    elsewhere = ask(session, "Klopt de regie?", sample_section(session, key="regie"))
    auth.login(Role.PARTNER)
    version_page = text_of(client, OPEN)
    assert "Vragen bij deze versie" in version_page and whole.text in version_page
    assert here.text in version_page  # under its section, above the form's place
    section_page = text_of(client, f"{OPEN}/s/{KEY}?question={here.id}")
    assert section_page.index(here.text) < section_page.index('class="form comment-form"')
    assert elsewhere.text not in section_page  # another section's question is not offered
    assert re.search(rf'<option selected value="{here.id}">', section_page)
    assert react(client, session, question=str(here.id)).status_code == 302
    comment = session.scalars(select(Comment)).one()
    assert comment.question_id == here.id
    assert "Antwoord op vraag: Is veiligheid voorop helder?" in text_of(client, f"{OPEN}/s/{KEY}")


@pytest.mark.parametrize("chosen", ["elsewhere", "987654", "abc"])
def test_a_question_that_does_not_fit_is_refused_and_the_text_kept(client, auth, session,
                                                                   chosen):  # fmt: skip
    elsewhere = ask(session, "Klopt de regie?", sample_section(session, key="regie"))
    auth.login(Role.PARTNER)
    value = str(elsewhere.id) if chosen == "elsewhere" else chosen
    answer = react(client, session, question=value, body="Mijn tekst blijft staan.")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Mijn tekst blijft staan." in page
    assert ("andere sectie" if chosen == "elsewhere" else "niet gesteld") in page
    assert session.scalars(select(Comment)).all() == []


def test_the_version_page_costs_the_same_with_more_questions(app, client, auth, session):
    auth.login(Role.PARTNER)
    client.get(OPEN)  # the text is kept after its first request

    def statements() -> tuple[int, int]:
        """Right after a change of the questions (nothing kept of them), and once more."""
        counts = []
        for _ in range(2):
            with counting_queries(app) as sent:
                assert client.get(OPEN).status_code == 200
            counts.append(len(sent))
        return counts[0], counts[1]

    ask(session, "Wat mist u?")
    one = statements()
    for key in ("regie", "lokaal-team", KEY):
        ask(session, f"Vraag over {key}?", sample_section(session, key=key))
    ask(session, "Nog een vraag over alles?")
    assert statements() == one
    assert one[1] < one[0]  # the questions are kept with the rest
    assert "Vraag over regie?" in text_of(client, OPEN)


# The workspace --------------------------------------------------------------------------------


def test_the_workspace_counts_the_answers_per_question_and_filters_on_one(client, auth,
                                                                          session):  # fmt: skip
    whole, unanswered = ask(session, "Wat mist u?"), ask(session, "Nog iets?")
    auth.login(Role.PARTNER)
    for n in range(2):
        react(client, session, question=str(whole.id), token=f"a{n}", body=f"Antwoord {n}.")
    react(client, session, token="los", body="Zonder vraag.")
    auth.login(Role.REVIEWER)
    page = text_of(client, f"{OPEN}/feedback")
    assert "Antwoorden per vraag" in page
    assert f'question={whole.id}">Wat mist u?</a>: 2 antwoorden' in page
    assert f"{unanswered.text}: 0 antwoorden" in page
    filtered = text_of(client, f"{OPEN}/feedback?question={whole.id}")
    assert "Antwoord 0." in filtered and "Antwoord 1." in filtered
    assert "Zonder vraag." not in filtered
    reference = session.scalars(select(Comment.reference).where(
        Comment.question_id == whole.id)).first()  # fmt: skip
    assert "Beantwoordt de vraag" in text_of(client, f"{OPEN}/feedback/{reference}")


def test_its_author_chooses_the_question_when_editing(client, auth, session):
    question = ask(session, "Wat mist u?")
    auth.login(Role.PARTNER)
    react(client, session)
    comment = session.scalars(select(Comment)).one()
    page = text_of(client, f"/comments/{comment.id}/edit")
    assert '<option selected value="">Geen</option>' in page and "Wat mist u?" in page
    data = {"body": "Wij missen de school.", "question": str(question.id)}
    assert client.post(f"/comments/{comment.id}/edit", data=data).status_code == 302
    session.expire_all()
    assert session.get(Comment, comment.id).question_id == question.id
    refused = client.post(f"/comments/{comment.id}/edit", data={**data, "question": "x"})
    assert refused.status_code == 400 and "niet gesteld" in refused.get_data(as_text=True)
