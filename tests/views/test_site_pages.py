"""The pages every footer links to (privacy statement, accessibility statement, contact and
help), the organisation's name and logo from the configuration, the organisation's own texts
from REVIEWHUB_PAGES_DIR, and settings that cannot be used falling back without breaking."""

from __future__ import annotations

import logging
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reviewhub.config import load_config
from reviewhub.models import Role
from reviewhub.views.site import image_type
from tests.factories import SAMPLE_SLUG, Auth

PAGES = ["/privacy", "/toegankelijkheid", "/contact"]
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
    b'<rect width="120" height="40" fill="#154273"/></svg>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


class _Page(HTMLParser):
    """What the tests look at: the footer's links, <h1>s, the header's image, <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.footer_nav: list[dict[str, str | None]] = []
        self.footer_nav_label: str | None = None
        self.headings = 0
        self.header_images: list[dict[str, str | None]] = []
        self._in_footer_nav = self._in_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "html":
            self.lang = found.get("lang") or ""
        elif tag == "nav" and "footer-nav" in classes:
            self._in_footer_nav, self.footer_nav_label = True, found.get("aria-label")
        elif tag == "header":
            self._in_header = True
        elif tag == "a" and self._in_footer_nav:
            self.footer_nav.append(found)
        elif tag == "img" and self._in_header:
            self.header_images.append(found)
        elif tag == "h1":
            self.headings += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_footer_nav = False
        elif tag == "header":
            self._in_header = False


def read(response, status: int = 200) -> tuple[str, _Page]:
    assert response.status_code == status, response.status_code
    html = response.get_data(as_text=True)
    page = _Page()
    page.feed(html)
    return html, page


def in_english(client) -> None:
    client.post("/language", data={"language": "en"})


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", [None, Role.READER, Role.PARTNER, Role.ADMIN], ids=str)
@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_everyone_in_both_languages(client, path, role, language):
    if role is not None:
        assert Auth(client).login(role).status_code == 302
    client.post("/language", data={"language": language})
    _, page = read(client.get(path))
    assert page.lang == language
    assert page.headings == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [("/documents/", 200), (f"/documents/{SAMPLE_SLUG}/v/3", 200), ("/login", 200),
     ("/documents/bestaat-niet", 404), ("/contact", 200)],
)  # fmt: skip
def test_the_footer_of_every_kind_of_page_links_to_the_three_pages(client, path, status):
    _, page = read(client.get(path), status)
    assert page.footer_nav_label
    assert [link["href"] for link in page.footer_nav] == PAGES
    current = [link["href"] for link in page.footer_nav if link.get("aria-current") == "page"]
    assert current == ([path] if path in PAGES else [])


def test_the_configured_organisation_and_contact_appear(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "ORG_NAME", "Gemeente Voorbeeldstad")
    monkeypatch.setitem(client.application.config, "CONTACT_EMAIL", "consultatie@voorbeeld.nl")
    monkeypatch.setitem(client.application.config, "CONTACT_PHONE", "+31 (0)70 123 45 67")
    monkeypatch.setitem(client.application.config, "PRIVACY_EMAIL", "privacy@voorbeeld.nl")
    contact, _ = read(client.get("/contact"))
    assert 'href="mailto:consultatie@voorbeeld.nl"' in contact
    assert 'href="tel:+31701234567"' in contact and "+31 (0)70 123 45 67" in contact
    footer = contact.split('<footer class="site-footer">')[1]
    assert "Gemeente Voorbeeldstad" in footer
    privacy, _ = read(client.get("/privacy"))
    assert 'href="mailto:privacy@voorbeeld.nl"' in privacy
    assert privacy.count("Gemeente Voorbeeldstad") >= 3  # the footer and the text
    accessibility, _ = read(client.get("/toegankelijkheid"))
    assert 'href="mailto:consultatie@voorbeeld.nl"' in accessibility


def test_privacy_questions_go_to_the_contact_address_unless_set_apart(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "CONTACT_EMAIL", "vragen@voorbeeld.nl")
    monkeypatch.setitem(client.application.config, "PRIVACY_EMAIL", "")
    privacy, _ = read(client.get("/privacy"))
    assert 'href="mailto:vragen@voorbeeld.nl"' in privacy


def test_without_any_contact_the_pages_say_whom_to_ask(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "CONTACT_EMAIL", "")
    monkeypatch.setitem(client.application.config, "PRIVACY_EMAIL", "")
    in_english(client)
    contact, _ = read(client.get("/contact"))
    assert "mailto:" not in contact and "who invited you" in contact


def test_the_privacy_statement_links_to_ones_data_and_profile(client):
    anonymous, _ = read(client.get("/privacy"))
    assert 'href="/me/data.json"' not in anonymous  # a download would be the log-in page
    assert 'href="/me/profile"' in anonymous
    Auth(client).login(Role.PARTNER)
    logged_in, _ = read(client.get("/privacy"))
    assert 'href="/me/data.json"' in logged_in and 'href="/me/profile"' in logged_in
    assert "autoriteitpersoonsgegevens.nl" in logged_in


def test_the_contact_page_helps_with_reacting_and_the_decisions(client):
    in_english(client)
    contact, _ = read(client.get("/contact"))
    assert 'href="/me/feedback"' in contact
    assert "“React to this section”" in contact and "partner account" in contact
    for status in ("Accepted", "Partly accepted", "Not accepted", "Out of scope", "Duplicate"):
        assert f"<strong>{status}</strong>" in contact


def test_the_accessibility_statement_shows_the_default_status_and_date(client):
    in_english(client)
    statement, _ = read(client.get("/toegankelijkheid"))
    assert 'data-status="B"' in statement and "B: partially compliant" in statement
    assert '<time datetime="2026-12-01">December 1, 2026</time>' in statement
    assert "nationaleombudsman.nl" in statement
    assert "http://localhost" in statement  # the website the statement covers


def test_the_accessibility_statement_shows_the_configured_status_and_date(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "ACCESSIBILITY_STATUS", " c ")
    monkeypatch.setitem(client.application.config, "ACCESSIBILITY_DATE", "2027-03-15")
    in_english(client)
    statement, _ = read(client.get("/toegankelijkheid"))
    assert 'data-status="C"' in statement and "C: first measures taken" in statement
    assert '<time datetime="2027-03-15">' in statement


def test_a_bad_status_or_date_falls_back_with_a_warning(client, monkeypatch, caplog):
    monkeypatch.setitem(client.application.config, "ACCESSIBILITY_STATUS", "B+")
    monkeypatch.setitem(client.application.config, "ACCESSIBILITY_DATE", "2026-02-30")
    with caplog.at_level(logging.WARNING, logger="reviewhub.views.site"):
        statement, _ = read(client.get("/toegankelijkheid"))
    assert 'data-status="B"' in statement and '<time datetime="2026-12-01">' in statement
    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "'B+'" in warnings and "'2026-02-30'" in warnings


# The organisation's own texts ------------------------------------------------------------


@pytest.fixture
def pages_dir(client, monkeypatch, tmp_path) -> Path:
    monkeypatch.setitem(client.application.config, "PAGES_DIR", str(tmp_path))
    return tmp_path


def test_an_own_text_replaces_the_built_in_one_with_raw_html_escaped(client, pages_dir):
    (pages_dir / "privacy.nl.md").write_text(
        "# Privacyverklaring van Voorbeeldstad\n\nWij bewaren **weinig**. "
        '<script>alert("x")</script> <img src=x onerror=alert(1)>\n',
        encoding="utf-8",
    )
    privacy, page = read(client.get("/privacy"))
    assert page.headings == 1 and "<h1>Privacyverklaring van Voorbeeldstad</h1>" in privacy
    assert "<strong>weinig</strong>" in privacy
    assert "&lt;script&gt;" in privacy and "<script>alert" not in privacy
    assert "<img src=x" not in privacy and "&lt;img src=x" in privacy
    assert "article 6" not in privacy  # none of the built-in text
    built_in, _ = read(client.get("/toegankelijkheid"))  # no file of its own
    assert "nationaleombudsman.nl" in built_in


def test_an_own_text_without_a_title_gets_the_pages_title(client, pages_dir):
    (pages_dir / "contact.nl.md").write_text("Bel ons op werkdagen.\n", encoding="utf-8")
    contact, page = read(client.get("/contact"))
    assert page.headings == 1 and "Bel ons op werkdagen." in contact


def test_an_own_text_in_the_visitors_language_comes_first(client, pages_dir):
    (pages_dir / "contact.nl.md").write_text("Bel ons.\n", encoding="utf-8")
    in_english(client)
    only_dutch, _ = read(client.get("/contact"))
    assert '<div class="prose" lang="nl"><p>Bel ons.</p>' in only_dutch
    (pages_dir / "contact.en.md").write_text("Call us.\n", encoding="utf-8")
    english, _ = read(client.get("/contact"))
    assert "Call us." in english and "Bel ons." not in english
    assert '<div class="prose"><p>Call us.</p>' in english


def test_an_unreadable_own_text_falls_back_to_the_built_in_one(client, pages_dir, caplog):
    (pages_dir / "accessibility.nl.md").write_bytes(b"Toegankelijk \xff\xfe niet")
    with caplog.at_level(logging.WARNING, logger="reviewhub.views.site"):
        statement, _ = read(client.get("/toegankelijkheid"))
    assert "nationaleombudsman.nl" in statement
    assert any("accessibility.nl.md" in record.getMessage() for record in caplog.records)


# The organisation's logo ----------------------------------------------------------------


def test_without_a_logo_the_route_is_404_and_the_header_shows_the_name(client):
    assert client.get("/organisation-logo").status_code == 404
    _, page = read(client.get("/contact"))
    assert page.header_images == []


@pytest.mark.parametrize(
    ("name", "content", "mimetype"),
    [("logo.png", SVG, "image/svg+xml"), ("logo.svg", PNG, "image/png"),
     ("logo", b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- ons logo -->\n' + SVG, "image/svg+xml")],
)  # fmt: skip
def test_the_logo_is_served_by_its_content_cached_long_with_an_etag(
    client, monkeypatch, tmp_path, name, content, mimetype
):
    path = tmp_path / name
    path.write_bytes(content)
    monkeypatch.setitem(client.application.config, "ORG_LOGO", str(path))
    monkeypatch.setitem(client.application.config, "ORG_NAME", "Provincie Voorbeeld")
    _, page = read(client.get("/contact"))
    [image] = page.header_images
    assert image["alt"] == "Provincie Voorbeeld"
    response = client.get(image["src"])
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.data == content
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.public
    assert "sandbox" in response.headers["Content-Security-Policy"]
    etag = response.get_etag()[0]
    assert image["src"].endswith(f"?v={etag}")
    again = client.get("/organisation-logo", headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304


def test_a_changed_logo_gets_a_new_address(client, monkeypatch, tmp_path):
    path = tmp_path / "logo.svg"
    path.write_bytes(SVG)
    monkeypatch.setitem(client.application.config, "ORG_LOGO", str(path))
    _, before = read(client.get("/contact"))
    path.write_bytes(SVG.replace(b'width="120"', b'width="140"', 1))
    _, after = read(client.get("/contact"))
    assert before.header_images[0]["src"] != after.header_images[0]["src"]


@pytest.mark.parametrize("content", [b"GIF89a...", b"<html><svg></svg></html>", None])
def test_an_unusable_logo_is_left_out_with_a_warning(
    client, monkeypatch, tmp_path, caplog, content
):
    path = tmp_path / "logo.svg"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setitem(client.application.config, "ORG_LOGO", str(path))
    with caplog.at_level(logging.WARNING, logger="reviewhub.views.site"):
        _, page = read(client.get("/contact"))
        assert client.get("/organisation-logo").status_code == 404
    assert page.header_images == []
    assert any(str(path) in record.getMessage() for record in caplog.records)


def test_only_png_and_svg_content_counts_as_an_image():
    assert image_type(PNG) == "image/png"
    assert image_type(b"  <!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN'>\n" + SVG)
    assert image_type(b"<svgx/>") is None
    assert image_type(b"<SVG></SVG>") is None  # XML names are case-sensitive
    assert image_type(b"\x89PNX") is None and image_type(b"") is None


def test_the_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    for name, value in {"ORG_NAME": " Waterschap Voorbeeld ", "ORG_LOGO": "/srv/logo.svg",
                        "CONTACT_EMAIL": "info@voorbeeld.nl", "CONTACT_PHONE": "070 123 45 67",
                        "ACCESSIBILITY_STATUS": "A", "ACCESSIBILITY_DATE": "2027-01-31",
                        "PAGES_DIR": "/srv/teksten"}.items():  # fmt: skip
        monkeypatch.setenv(f"REVIEWHUB_{name}", value)
    monkeypatch.delenv("REVIEWHUB_PRIVACY_EMAIL", raising=False)
    config = load_config(str(tmp_path))
    assert config["ORG_NAME"] == "Waterschap Voorbeeld" and config["ORG_LOGO"] == "/srv/logo.svg"
    assert config["PRIVACY_EMAIL"] == config["CONTACT_EMAIL"] == "info@voorbeeld.nl"
    assert (config["ACCESSIBILITY_STATUS"], config["ACCESSIBILITY_DATE"]) == ("A", "2027-01-31")
    assert config["PAGES_DIR"] == "/srv/teksten" and config["CONTACT_PHONE"] == "070 123 45 67"


def test_the_settings_default_to_a_bare_reviewhub(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    for name in ("ORG_NAME", "ORG_LOGO", "CONTACT_EMAIL", "CONTACT_PHONE", "PRIVACY_EMAIL",
                 "ACCESSIBILITY_STATUS", "ACCESSIBILITY_DATE", "PAGES_DIR"):  # fmt: skip
        monkeypatch.delenv(f"REVIEWHUB_{name}", raising=False)
    config = load_config(str(tmp_path))
    assert config["ORG_NAME"] == "ReviewHub" and config["ORG_LOGO"] == ""
    assert (config["ACCESSIBILITY_STATUS"], config["ACCESSIBILITY_DATE"]) == ("B", "2026-12-01")
    assert config["CONTACT_EMAIL"] == config["PRIVACY_EMAIL"] == config["PAGES_DIR"] == ""
