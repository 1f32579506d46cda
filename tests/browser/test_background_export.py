"""A reactienota too large for a page request, in the browser: the download leads to the page
that offers to make it in the background; the button asks for it, the job makes it (here in
the server's thread), and the list of one's exports offers it as a download. Both pages pass
the accessibility audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from reviewhub.models import Role
from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser

VERSION = "/documents/handelingskader-veiligheidsteams/v/3"


def test_a_large_pdf_is_made_in_the_background_and_downloaded(
    page_as: Callable[[Role | None], Page], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reviewhub.exports.formats.PDF_LIMIT", -1)  # too large, even empty
    page = page_as(Role.REVIEWER)
    page.goto(f"{VERSION}/export/pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text("De export op de achtergrond maken")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Op de achtergrond maken").click()
    expect(page.get_by_role("status").or_(page.locator(".alert"))).to_contain_text(
        "De export wordt gemaakt"
    )
    link = page.get_by_role("link", name="reactienota-handelingskader-veiligheidsteams-v3.pdf")
    expect(link).to_be_visible()
    expect(page.locator("table")).to_contain_text("Klaar")
    assert_accessible(page)
    with page.expect_download() as made:
        link.click()
    assert made.value.suggested_filename.endswith("-v3.pdf")
