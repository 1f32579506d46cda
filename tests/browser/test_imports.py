"""A meeting's spreadsheet taken in through the browser: the reviewer uploads it, reads the
preview (axe-checked), confirms, and finds the reactions in the workspace; a file with a row
that cannot be placed offers no confirmation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reviewhub.models import Role
from tests.browser.helpers import assert_accessible
from tests.factories import SAMPLE_SLUG

pytestmark = pytest.mark.browser

IMPORT = f"/documents/{SAMPLE_SLUG}/v/3/import"


def press(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_meetings_spreadsheet_is_previewed_and_imported(
    page_as: Callable[[Role | None], Page], tmp_path: Path
) -> None:
    bad = tmp_path / "fout.csv"
    bad.write_text("Paragraaf;Groep;Soort;Reactie\n2.1;Regio Twente;Vraag;Goed.\n"
                   "9.9;Regio Twente;Vraag;Waar?\n", "utf-8")  # fmt: skip
    good = tmp_path / "vergadering.csv"
    good.write_text("Paragraaf;Groep;Soort;Reactie\n"
                    "2.1;Regio Twente;Vraag;Uit de regiobijeenkomst: wie is regisseur?\n",
                    "utf-8")  # fmt: skip
    page = page_as(Role.REVIEWER)
    page.goto(IMPORT)
    page.get_by_label("Het bestand").set_input_files(bad)
    press(page, "Laat zien wat er geïmporteerd zou worden")
    expect(page.locator(".error-summary")).to_contain_text("Geen paragraaf 9.9 in deze versie.")
    expect(page.get_by_role("button", name="Reactie importeren")).to_have_count(0)

    page.goto(IMPORT)
    page.get_by_label("Het bestand").set_input_files(good)
    press(page, "Laat zien wat er geïmporteerd zou worden")
    expect(page.get_by_role("heading", name="1 reactie aanmaken")).to_be_visible()
    assert_accessible(page)
    press(page, "1 reactie importeren")
    expect(page.locator(".alert--success")).to_contain_text(
        "1 reactie geïmporteerd uit vergadering.csv"
    )
    # Other browser tests add reactions to this version too: find it with the word filter.
    page.goto(f"/documents/{SAMPLE_SLUG}/v/3/feedback?q=regiobijeenkomst")
    expect(page.locator("table")).to_contain_text("Uit de regiobijeenkomst")
