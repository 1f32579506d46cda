"""Reacting in the browser: passages selected with the mouse, chosen by keyboard only, or by
touch; the form without JavaScript; the 2,000-character limit. Each test uses its own
section of the open Dialoogversie 3, because the live server's database is shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reviewhub.models import Role
from tests.browser.helpers import assert_accessible
from tests.factories import SAMPLE_SLUG
from tests.feedback.test_leaks import LENGTH_CASES

pytestmark = pytest.mark.browser

OPEN = f"/documents/{SAMPLE_SLUG}/v/3"
CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "anchoring_cases.json").read_text()
)["cases"]


def section_body(page: Page, key: str):
    return page.locator(f'.doc-section__body[data-section-key="{key}"]')


def section_form(page: Page, key: str):
    return page.locator(f'form.comment-form[data-section-key="{key}"]')


def select_words(page: Page, key: str) -> None:
    """Drag the mouse across the start of the section's first paragraph."""
    paragraph = section_body(page, key).locator("p").first
    paragraph.scroll_into_view_if_needed()
    box = paragraph.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 2, box["y"] + 6)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 6, steps=8)
    page.mouse.up()


def test_javascript_anchors_agree_with_the_server(page: Page, live_server: str):
    """annotate.js gives the same anchors as anchoring.py for the shared cases."""
    page.goto(f"{live_server}/documents/")
    results = page.evaluate(
        """async (cases) => {
            const m = await import("/static/js/annotate.js");
            return cases.map((c) => {
                const div = document.createElement("div");
                div.innerHTML = c.html;
                const chars = m.textIndex(div);
                const a = m.anchorAt(chars, c.start, c.end);
                return { text: m.plainText(chars), exact: a.exact, prefix: a.prefix,
                         suffix: a.suffix };
            });
        }""",
        CASES,
    )
    for case, got in zip(CASES, results, strict=True):
        assert got["text"] == case["text"], case["name"]
        assert {k: got[k] for k in ("exact", "prefix", "suffix")} == case["expected"], case["name"]


def test_mouse_selection_becomes_a_highlighted_annotation(page_as, live_server: str):
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}")
    select_words(page, "veiligheid")
    page.get_by_role("button", name="Reageer op deze passage").click()
    form = section_form(page, "veiligheid")
    quote = form.get_by_label("Passage waarop u reageert").input_value()
    assert quote.startswith("De veiligheid") and not quote.endswith(" ")
    form.get_by_label("Zorg").check()
    form.get_by_label("Uw reactie").fill("Is dit haalbaar in crisissituaties?")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")

    page.reload()
    mark = section_body(page, "veiligheid").locator("mark.annotation").first
    expect(mark).to_have_text(quote)
    mark.click()  # the highlight leads to its reaction …
    comment = page.locator(".comment", has_text="Is dit haalbaar")
    expect(comment).to_be_focused()
    link = comment.locator(".comment__quote-link")  # … and the reaction to its highlight
    assert link.get_attribute("href") == f"#{mark.get_attribute('id')}"
    assert_accessible(page)


def test_keyboard_only_annotation(page_as, live_server: str):
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}#s-samenwerking-gezin")
    summary = page.locator("#f-samenwerking-gezin > summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the section's reactions
    form = section_form(page, "samenwerking-gezin")
    form.get_by_label("Suggestie").focus()
    page.keyboard.press("Space")
    form.get_by_label("Passage waarop u reageert").focus()
    page.keyboard.type("Het netwerk van het gezin")
    form.get_by_label("Uw reactie").focus()
    page.keyboard.type("Noem ook de school.")
    form.get_by_label("Voorgestelde nieuwe formulering").focus()
    page.keyboard.type("het netwerk en de school van het gezin")
    form.get_by_role("button", name="Reactie versturen").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert--success")).to_be_visible()
    mark = section_body(page, "samenwerking-gezin").locator("mark.annotation").first
    expect(mark).to_have_text("Het netwerk van het gezin")
    suggestion = page.locator(".comment", has_text="Noem ook de school").locator(".diff-inline")
    expect(suggestion.locator("ins")).to_contain_text("de school")


def test_touch_selection_is_annotated_with_a_tap(new_context, live_server: str):
    context = new_context(Role.PARTNER, has_touch=True, is_mobile=True,
                          viewport={"width": 390, "height": 844})  # fmt: skip
    page = context.new_page()
    page.goto(f"{live_server}{OPEN}#s-regie")
    # Playwright cannot drag selection handles; a touch selection ends as a DOM selection.
    page.evaluate(
        """() => {
            const p = document.querySelector('[data-section-key="regie"] p');
            const text = p.firstChild;
            const range = document.createRange();
            range.setStart(text, 0);
            range.setEnd(text, 12);
            document.getSelection().removeAllRanges();
            document.getSelection().addRange(range);
        }"""
    )
    button = page.get_by_role("button", name="Reageer op deze passage")
    button.tap()
    form = section_form(page, "regie")
    assert form.get_by_label("Passage waarop u reageert").input_value()
    form.get_by_label("Vraag").tap()
    form.get_by_label("Uw reactie").fill("Wie bedoelt u precies?")
    form.get_by_role("button", name="Reactie versturen").tap()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(section_body(page, "regie").locator("mark.annotation")).not_to_have_count(0)


def test_section_form_without_javascript(new_context, live_server: str):
    page = new_context(Role.PARTNER, java_script_enabled=False).new_page()
    page.goto(f"{live_server}{OPEN}")
    page.locator("#f-de-stem-van-het-kind > summary").click()
    form = section_form(page, "de-stem-van-het-kind")
    form.get_by_label("Instemming").check()
    form.get_by_label("Uw reactie").fill("Goed dat het kind een eigen stem krijgt.")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")
    expect(page.locator(".comment", has_text="eigen stem krijgt")).to_be_visible()


def test_2001_characters_are_refused_with_the_text_kept(page_as, live_server: str):
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}")
    page.locator("#f-lokaal-team > summary").click()
    form = section_form(page, "lokaal-team")
    form.get_by_label("Vraag").check()
    text = "a" * 2001
    form.get_by_label("Uw reactie").fill(text)
    expect(form.locator(".counter")).to_contain_text("1 tekens te veel")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".error-summary")).to_contain_text("Uw reactie heeft 2001 tekens")
    assert page.get_by_label("Uw reactie").input_value() == text
    assert_accessible(page)
    # A line break is one character in the counter; the browser sends it as two (CRLF), and
    # the server must count it as one too.
    lines = "\n".join(["a" * 9] * 200) + "a"
    form = section_form(page, "lokaal-team")
    form.get_by_label("Uw reactie").fill(lines)
    expect(form.locator(".counter")).to_contain_text("2000 van 2000 tekens")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")


def test_the_counter_counts_as_the_server_does(page: Page, live_server: str):
    """annotate.js's serverLength gives the lengths feedback.normalised_text gives."""
    page.goto(f"{live_server}/documents/")
    lengths = page.evaluate(
        """async (texts) => {
            const m = await import("/static/js/annotate.js");
            return texts.map((text) => m.serverLength(text));
        }""",
        [text for text, _ in LENGTH_CASES],
    )
    assert lengths == [length for _, length in LENGTH_CASES]
