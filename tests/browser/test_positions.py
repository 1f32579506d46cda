"""A region's coordinator prepares, sends and re-sends the group's position in the browser,
from the members' reactions collected for the group only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from reviewhub.extensions import db
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentVisibility, Role
from tests.browser.helpers import assert_accessible
from tests.factories import group_named, make_user, reaction, sample_section

pytestmark = pytest.mark.browser

KEY = "de-stem-van-het-kind"


@pytest.fixture(scope="module")
def member_reactions(live_app: Flask) -> int:
    """Two members' group-only reactions for Regio Twente; the group's id."""
    with live_app.app_context():
        session = db.session
        twente = group_named(session)  # type: ignore[arg-type]
        member = make_user(session, "lid-stem@example.org", Role.PARTNER, twente)  # type: ignore[arg-type]
        section = sample_section(session, 3, KEY)  # type: ignore[arg-type]
        internal = CommentVisibility.GROUP
        for body in ("Vanaf acht jaar zelf uitnodigen.", "Ook een gesprek zonder ouders erbij."):
            new = reaction(body, group=twente, visibility=internal)
            post_comment(session, member, section, new)  # type: ignore[arg-type]
        session.commit()
        group_id = twente.id
        session.remove()
    return group_id


def press(page: Page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()  # type: ignore[arg-type]


def test_coordinator_prepares_sends_and_resends_a_position(
    page_as: Callable[[Role | None], Page], member_reactions: int
) -> None:
    page = page_as(Role.PARTNER)  # coordinates Regio Twente
    page.goto(f"/groups/{member_reactions}/feedback")
    press(page, "Handelingskader voor professionals in lokale en regionale veiligheidsteams: "
          "Dialoogversie 3", role="link")  # fmt: skip
    press(page, "2.5 De stem van het kind", role="link")
    page.get_by_label("Vanaf acht jaar zelf uitnodigen.", exact=False).check()
    page.get_by_label("Ook een gesprek zonder ouders erbij.", exact=False).check()
    press(page, "Neem de tekst van de geselecteerde reacties over")
    body = page.get_by_label("Het standpunt van de groep")
    expect(body).to_have_value(
        "Vanaf acht jaar zelf uitnodigen.\n\nOok een gesprek zonder ouders erbij."
    )
    page.get_by_label("Suggestie").check()
    body.fill("Nodig kinderen vanaf acht jaar zelf uit, ook zonder ouders erbij.")
    press(page, "Opslaan (in voorbereiding)")
    expect(page.locator(".lead")).to_contain_text("In voorbereiding")
    press(page, "Versturen naar de reviewgroep")
    expect(page.locator(".alert--success")).to_contain_text("editie 1")

    page.get_by_label("Het standpunt van de groep").fill(
        "Nodig kinderen vanaf acht jaar zelf uit, ook zonder ouders erbij, op school."
    )
    press(page, "Opnieuw versturen als editie 2")
    expect(page.locator(".alert--success")).to_contain_text("editie 2")
    editions = page.locator("section", has=page.get_by_role("heading", name="Verstuurde edities"))
    expect(editions.locator("ins")).to_contain_text("op school")
    assert_accessible(page)

    page.goto(f"/documents/handelingskader-veiligheidsteams/v/3/s/{KEY}")
    expect(page.get_by_text("Standpunt van Regio Twente, editie 2")).to_be_visible()
