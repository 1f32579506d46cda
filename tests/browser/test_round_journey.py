"""An author's round from start to finish in the browser: preview, publish, extend, close;
the timeline tells each step, older versions point to the current one, and a version prints
without the site around it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from reviewhub.clock import local_today
from reviewhub.models import Role
from tests.factories import SAMPLE_SLUG

pytestmark = pytest.mark.browser

SLUG = "ronde-in-de-browser"
V1 = "# Doel\n\nWaarom dit kader er is.\n\n# Werkwijze\n\nHoe we werken.\n"
V2 = "# Doel\n\nWaarom dit kader er is, en voor wie.\n\n# Evaluatie\n\nNa een jaar.\n"


def click(page: Page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()  # type: ignore[arg-type]


def publish(page: Page, source: str, label: str, closes: str, *, new: bool) -> None:
    page.goto(f"/documents/publish?document={SLUG}" if not new else "/documents/publish")
    if new:
        page.get_by_label("Document", exact=True).select_option("__new__")
        page.get_by_label("Korte naam voor het webadres").fill(SLUG)
        page.get_by_label("Titel van het nieuwe document").fill("Ronde in de browser")
    page.get_by_label("Of plak de Markdown-tekst").fill(source)
    page.get_by_label("Label").fill(label)
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Reageren kan tot en met").fill(closes)
    click(page, "Controleren voor publicatie")
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren voor publicatie")
    click(page, f"{label} publiceren")


def test_an_author_previews_publishes_extends_and_closes_a_round(
    page_as: Callable[[Role | None], Page],
) -> None:
    author = page_as(Role.AUTHOR)
    soon = local_today() + timedelta(days=20)
    publish(author, V1, "Dialoogversie 1", soon.isoformat(), new=True)
    expect(author).to_have_url(re.compile(rf"/documents/{SLUG}/v/1$"))

    # The next version: its preview names what changed and warns of the removed section.
    author.goto(f"/documents/publish?document={SLUG}")
    author.get_by_label("Of plak de Markdown-tekst").fill(V2)
    author.get_by_label("Label").fill("Dialoogversie 2")
    click(author, "Controleren voor publicatie")
    expect(author.locator(".notice--warning")).to_contain_text(
        "1 sectie van Dialoogversie 1 vervalt"
    )
    expect(author.locator(".preview-sections")).to_contain_text("Evaluatie")
    click(author, "Terug naar het formulier om iets te wijzigen")
    expect(author.get_by_label("Of plak de Markdown-tekst")).to_have_value(V2)

    # Round of version 1: extended, then closed early; the timeline says both.
    author.goto(f"/documents/{SLUG}/v/1")
    click(author, "Reactieronde beheren", role="link")
    later = local_today() + timedelta(days=45)
    author.get_by_label("Sluitingsdatum").fill(later.isoformat())
    click(author, "Sluitingsdatum opslaan")
    expect(author.locator(".alert--success")).to_contain_text("nu welkom tot en met")
    expect(author.locator("#v1 .timeline__events")).to_contain_text("reactietermijn verlengd")
    author.goto(f"/documents/{SLUG}/v/1/round")
    click(author, "De ronde nu sluiten")
    expect(author.locator("#v1 .timeline__events")).to_contain_text("ronde vervroegd gesloten")
    expect(author.locator("#v1")).to_contain_text("Gesloten")


def test_an_older_version_points_to_the_current_one(page_as: Callable[[Role | None], Page]) -> None:
    page = page_as(None)
    page.goto(f"/documents/{SAMPLE_SLUG}/v/1")
    notice = page.locator(".notice--newer")
    expect(notice).to_contain_text("Dit is niet de huidige versie.")
    click(page, "Bekijk wat er sinds deze versie veranderde", role="link")
    # The current version: 3, or a later one another test published.
    expect(page).to_have_url(re.compile(rf"/documents/{SAMPLE_SLUG}/compare/1\.\.\.\d+$"))


def test_a_version_prints_without_the_site_around_it(
    page_as: Callable[[Role | None], Page],
) -> None:
    page = page_as(Role.PARTNER)
    page.goto(f"/documents/{SAMPLE_SLUG}/v/3")
    expect(page.locator(".site-nav")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".version-actions", ".doc-section__tools", ".breadcrumbs"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".doc-section__body").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
