"""What people do in the browser, end to end, through the real (Dutch) pages and forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from reviewhub.models import Role
from tests.browser.helpers import PROJECT_ROOT, login
from tests.factories import SAMPLE_SLUG

pytestmark = pytest.mark.browser

SAMPLE_V3 = PROJECT_ROOT / "documents" / SAMPLE_SLUG / "v3.md"


def click_and_wait(page: Page, name: str, role: Literal["button", "link"] = "button") -> None:
    """Click a button or link that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def test_log_in_and_out_through_the_form(page: Page) -> None:
    login(page, Role.PARTNER)
    expect(page.get_by_role("link", name="Mijn profiel")).to_be_visible()
    click_and_wait(page, "Uitloggen")
    expect(page.get_by_role("status")).to_have_text("U bent uitgelogd.")
    expect(page.get_by_role("link", name="Inloggen", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mijn profiel")).to_have_count(0)


def test_admin_invites_a_person_who_sets_a_password_and_is_logged_in(
    page_as: Callable[[Role | None], Page], page: Page
) -> None:
    admin = page_as(Role.ADMIN)
    admin.goto("/documents/")
    click_and_wait(admin, "Beheer", role="link")
    click_and_wait(admin, "Persoon toevoegen", role="link")
    admin.get_by_label("Naam").fill("Floor Nieuw")
    admin.get_by_label("E-mailadres").fill("floor.nieuw@example.org")
    admin.get_by_label("Rol").select_option("partner")
    admin.get_by_label("Organisatie").fill("Veilig Thuis Twente")
    click_and_wait(admin, "Opslaan en uitnodigen")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Uitnodiging verstuurd")
    link = admin.get_by_label("Uitnodigingslink").input_value()

    page.goto(link)  # the invited person, in a browser of their own
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij ReviewHub")
    page.get_by_label("Nieuw wachtwoord").fill("een zin van een paar woorden")
    page.get_by_label("Herhaal het wachtwoord").fill("een zin van een paar woorden")
    click_and_wait(page, "Wachtwoord opslaan")
    expect(page.get_by_role("status")).to_contain_text("Welkom, Floor Nieuw")
    click_and_wait(page, "Mijn profiel (Floor Nieuw, Partner)", role="link")
    expect(page.get_by_text("floor.nieuw@example.org")).to_be_visible()


def revised_sample() -> str:
    """Version 3 of the sample with one paragraph edited and one section added."""
    source = SAMPLE_V3.read_text(encoding="utf-8")
    edited = source.replace(
        "Het handelingskader heeft drie doelen.", "Het kader heeft vier doelen."
    )
    assert edited != source, "the sample changed: pick another sentence to edit"
    return edited + "\n# Evaluatie\n\nNa een jaar evalueren de regio's dit kader samen.\n"


def test_author_publishes_a_version_that_shows_its_changes(
    page_as: Callable[[Role | None], Page],
) -> None:
    page = page_as(Role.AUTHOR)
    page.goto(f"/documents/{SAMPLE_SLUG}")
    click_and_wait(page, "Nieuwe versie publiceren", role="link")
    page.get_by_label("Of plak de Markdown-tekst").fill(revised_sample())
    page.get_by_label("Label").fill("Dialoogversie 4")
    click_and_wait(page, "Controleren voor publicatie")
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren voor publicatie")
    expect(page.locator(".preview-sections")).to_contain_text("Evaluatie")
    click_and_wait(page, "Dialoogversie 4 publiceren")
    expect(page).to_have_url(re.compile(rf"/documents/{SAMPLE_SLUG}/v/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dialoogversie 4")
    evaluation = page.locator("section.doc-section", has_text="Evaluatie")
    expect(evaluation.get_by_text("Nieuw in deze versie")).to_be_visible()
    aim = page.locator("section.doc-section", has_text="Doel van dit handelingskader")
    expect(aim.locator(".doc-section__tools").get_by_text("Gewijzigd")).to_be_visible()


def test_the_publish_form_works_without_javascript(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = new_context(Role.AUTHOR, java_script_enabled=False).new_page()
    page.goto("/documents/publish")
    click_and_wait(page, "Controleren voor publicatie")  # nothing filled in: the server explains
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Kies een Markdown-bestand of plak de tekst.")

    page.get_by_label("Document", exact=True).select_option("__new__")
    page.get_by_label("Korte naam voor het webadres").fill("kader-zonder-javascript")
    page.get_by_label("Titel van het nieuwe document").fill("Kader zonder JavaScript")
    upload = tmp_path / "kader.md"
    upload.write_text("# Doel\n\nWerkt ook zonder scripts.\n", encoding="utf-8")
    page.get_by_label("Markdown-bestand").set_input_files(upload)
    page.get_by_label("Label").fill("Dialoogversie 1")
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Reageren kan tot en met").fill("2031-03-01")
    click_and_wait(page, "Controleren voor publicatie")
    click_and_wait(page, "Dialoogversie 1 publiceren")
    expect(page).to_have_url(re.compile(r"/documents/kader-zonder-javascript/v/1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dialoogversie 1")
    expect(page.get_by_role("heading", name="Doel")).to_be_visible()
