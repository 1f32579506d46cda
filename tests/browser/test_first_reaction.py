"""A newcomer's first reaction in the browser: asked how it is signed in public, sent with a
position paper attached; the thread signs it by organisation and offers the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reviewhub.extensions import db
from reviewhub.models import Group, Membership, Role, User
from reviewhub.samples import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible
from tests.factories import SAMPLE_SLUG

pytestmark = pytest.mark.browser

NEWCOMER = "nieuwkomer@example.org"


@pytest.fixture(scope="module")
def newcomer(live_app: Flask) -> str:
    """A partner of Regio Twente who has never reacted: attribution not chosen yet."""
    with live_app.app_context():
        twente = db.session.scalars(select(Group).where(Group.name == "Regio Twente")).one()
        person = User(email=NEWCOMER, name="Nina Nieuwkomer", role=Role.PARTNER,
                      function="wijkcoach", organisation="Gemeente Enschede")  # fmt: skip
        person.set_password(DEMO_PASSWORD)
        person.memberships.append(Membership(group=twente))
        db.session.add(person)
        db.session.commit()
    return NEWCOMER


def test_the_first_reaction_asks_how_it_is_signed_and_takes_a_file(
    page_as: Callable[[str], Page], newcomer: str, tmp_path: Path
) -> None:
    page = page_as(newcomer)
    page.goto(f"/documents/{SAMPLE_SLUG}/v/3/s/regie")
    form = page.locator("form.comment-form")
    question = form.get_by_role("group", name="Hoe wilt u dat uw reacties voor iedereen")
    expect(question).to_be_visible()
    assert_accessible(page)
    paper = tmp_path / "Standpunt Enschede.pdf"
    paper.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
    form.get_by_label("Zorgpunt").check()
    form.get_by_label("Uw reactie").fill("De regie bij de wijkcoach ontbreekt.")
    form.get_by_label("Bijlage (niet verplicht)").set_input_files(paper)
    form.get_by_label("Alleen mijn organisatie en de groep namens wie ik reageer").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Reactie versturen").click()
    reaction = page.locator("article.comment", has_text="regie bij de wijkcoach")
    expect(reaction.locator(".comment-notice")).to_contain_text("Uw reactie is geplaatst")
    expect(reaction.locator(".comment__meta")).to_contain_text("Gemeente Enschede")
    expect(reaction.locator(".comment__meta")).not_to_contain_text("Nina Nieuwkomer")
    expect(reaction.get_by_role("link", name="Standpunt Enschede.pdf")).to_be_visible()
    assert_accessible(page)
    # Asked once: the next form has no question.
    expect(page.locator("form.comment-form fieldset.attribution")).to_have_count(0)
