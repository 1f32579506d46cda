"""Consultation questions in the browser: the version page's one form, moved to a section,
offers the questions of the version and of that section only; "Answer this question" opens
the section's form with the question chosen, and the thread says what the reaction answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from reviewhub.models import Role
from tests.browser.helpers import ask_questions

pytestmark = pytest.mark.browser

VERSION = "/documents/werkwijze-proeftuinen/v/2"
HERE, THERE = "deelnemende-regio-s", "opzet"


@pytest.fixture(scope="module")
def asked(live_app: Flask) -> None:
    ask_questions(live_app, VERSION, [HERE, THERE])


def offered(page: Page, key: str) -> list[str]:
    """The questions the form offers once moved to section ``key``."""
    page.locator(f'[data-feedback-for="{key}"] a.react-link').click()
    select = page.locator(f'[data-feedback-for="{key}"] select[data-role="question"]')
    return select.evaluate("s => [...s.options].filter(o => !o.hidden).map(o => o.text)")


def test_the_moved_form_offers_its_sections_questions(
    page_as: Callable[[Role], Page], asked: None
) -> None:
    page = page_as(Role.PARTNER)
    page.goto(VERSION)
    here = offered(page, HERE)
    assert any("Deelnemende regio" in text for text in here)
    assert not any("Opzet" in text for text in here)
    there = offered(page, THERE)
    assert any("Opzet" in text for text in there) and not any("Deelnemende" in t for t in there)


def test_answer_this_question_opens_the_form_with_it_chosen(
    page_as: Callable[[Role], Page], asked: None
) -> None:
    page = page_as(Role.PARTNER)
    page.goto(VERSION)
    with page.expect_navigation():
        page.locator(f'[data-feedback-for="{HERE}"] a.questions__answer').click()
    form = page.locator("form.comment-form")
    chosen = form.locator('select[data-role="question"] option:checked')
    expect(chosen).to_contain_text("Deelnemende regio")
    form.get_by_label("Algemeen").check()
    form.get_by_label("Uw reactie").fill("Een vijfde regio zou helpen.")
    with page.expect_navigation():
        form.get_by_role("button", name="Reactie versturen").click()
    reaction = page.locator("article.comment", has_text="Een vijfde regio")
    expect(reaction.locator(".comment__question")).to_contain_text("Antwoord op vraag")
