"""The commenter closes the loop in the browser: from their list of reactions to the review
group's decision, and an objection to it that everyone then reads with the reaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from reviewhub.extensions import db
from reviewhub.feedback import decisions
from reviewhub.feedback.decisions import Decision
from reviewhub.feedback.posting import post_comment
from reviewhub.models import AnswerVerdict, Comment, Disposition, Role
from tests.browser.helpers import assert_accessible
from tests.factories import group_named, reaction, sample_section, user_with_role

pytestmark = pytest.mark.browser

MOTIVATION = "Het veiligheidsplan blijft bij het lokale team."
OBJECTION = "Dan mist de regio het overzicht over de gezinnen."


@dataclass(frozen=True)
class Decided:
    id: int
    reference: str


@pytest.fixture
def decided(live_app: Flask) -> Decided:
    """A reaction of the demo partner on the open version, not accepted by the reviewer:
    put in the live server's database through the register, as the workspace would."""
    with live_app.app_context():
        session = db.session
        partner = user_with_role(session, Role.PARTNER)  # type: ignore[arg-type]
        reviewer = user_with_role(session, Role.REVIEWER)  # type: ignore[arg-type]
        twente = group_named(session)  # type: ignore[arg-type]
        target = sample_section(session, 3, "regie")  # type: ignore[arg-type]
        comment = post_comment(
            session, partner, target, reaction("Kan de regio het plan maken?", group=twente)
        )
        decision = Decision(Disposition.NOT_ACCEPTED, MOTIVATION)
        decisions.decide(session, reviewer, comment, decision)  # type: ignore[arg-type]
        session.commit()
        found = Decided(comment.id, comment.reference or "")
        session.remove()
    return found


def test_the_partner_objects_to_a_decision(
    page_as: Callable[[Role | None], Page], decided: Decided
) -> None:
    page = page_as(Role.PARTNER)
    page.goto("/me/feedback")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    row = page.locator("tr", has_text=decided.reference)
    expect(row).to_contain_text("Not accepted")
    expect(row).to_contain_text(MOTIVATION)
    expect(row.get_by_role("link", name=f"Answer the decision {decided.reference}")).to_be_visible()
    assert_accessible(page)

    with page.expect_navigation():
        row.get_by_role("link", name=decided.reference, exact=True).click()
    reaction_shown = page.locator(f"#c-{decided.id}")
    expect(reaction_shown.locator(".decision")).to_contain_text(MOTIVATION)
    reaction_shown.get_by_text("Answer the decision").click()
    reaction_shown.get_by_label("Object").check()
    reaction_shown.get_by_label("Explanation").fill(OBJECTION)
    assert_accessible(page)
    with page.expect_navigation():
        reaction_shown.get_by_role("button", name="Send answer").click()

    expect(page.get_by_role("status")).to_contain_text("Your answer to the decision is saved")
    answer = page.locator(f"#c-{decided.id} .answer")
    expect(answer).to_contain_text("Object")
    expect(answer).to_contain_text(OBJECTION)
    expect(page.locator(f"#c-{decided.id} form.answer-form")).to_have_count(0)
    assert_accessible(page)


def test_the_reviewer_finds_the_objection(
    page_as: Callable[[Role | None], Page], live_app: Flask, decided: Decided
) -> None:
    with live_app.app_context():
        session = db.session
        comment = session.get(Comment, decided.id)
        partner = user_with_role(session, Role.PARTNER)  # type: ignore[arg-type]
        decisions.answer_decision(
            session,  # type: ignore[arg-type]
            partner,
            comment,  # type: ignore[arg-type]
            AnswerVerdict.OBJECT,
            OBJECTION,
        )
        session.commit()
        session.remove()
    page = page_as(Role.REVIEWER)
    page.goto("/documents/handelingskader-veiligheidsteams/v/3/objections")
    row = page.locator("tr", has_text=decided.reference)
    expect(row).to_contain_text(OBJECTION)
    assert_accessible(page)


def test_an_objection_without_a_reason_comes_back_with_its_error(
    page_as: Callable[[Role | None], Page], decided: Decided
) -> None:
    """The answer page shown after a bad answer (no JavaScript needed): the error is said and
    linked, the choice made is kept, and the page passes the audit."""
    page = page_as(Role.PARTNER)
    page.goto("/me/feedback")
    with page.expect_navigation():
        page.locator("tr", has_text=decided.reference).get_by_role(
            "link", name=decided.reference, exact=True
        ).click()
    reaction_shown = page.locator(f"#c-{decided.id}")
    reaction_shown.get_by_text("Reageer op het besluit", exact=True).click()
    reaction_shown.get_by_label("Bezwaar").check()
    with page.expect_navigation() as navigation:
        reaction_shown.get_by_role("button", name="Antwoord versturen").click()
    assert navigation.value.status == 400
    expect(page.locator("h1")).to_contain_text(decided.reference)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Bezwaar")).to_be_checked()
    assert_accessible(page)
