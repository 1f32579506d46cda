"""The organisation's logo in a real browser: the Content Security Policy lets the image load,
its alt text names the organisation, and the header still passes axe and fits 320 pixels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser

LOGO = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48" viewBox="0 0 160 48">'
    '<rect width="160" height="48" fill="#154273"/><circle cx="24" cy="24" r="16" fill="#ffb612"/>'
    "</svg>"
)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_logo_shows_in_the_header_beside_the_name(
    live_app: Flask,
    new_context: Callable[..., BrowserContext],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    width: int,
) -> None:
    logo = tmp_path / "logo.bin"  # the content decides the type, not the name
    logo.write_text(LOGO, encoding="utf-8")
    monkeypatch.setitem(live_app.config, "ORG_LOGO", str(logo))
    monkeypatch.setitem(live_app.config, "ORG_NAME", "Gemeente Voorbeeldstad")
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto("/contact")  # a page the page cache does not keep: no other test sees the logo
    image = page.locator(".site-header img")
    assert image.get_attribute("alt") == "Gemeente Voorbeeldstad"
    assert image.evaluate("img => img.complete && img.naturalWidth") == 160
    assert page.locator(".site-header__name").inner_text().strip() == "ReviewHub"
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    assert_accessible(page)
