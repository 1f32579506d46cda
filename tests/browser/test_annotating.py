"""Reacting in the browser: passages selected with the mouse, chosen by keyboard only, or by
touch; the version page's one form, moved to a section; its threads, loaded when opened and
paged through; the form without JavaScript; the 2,000-character limit. Each test uses its
own section of the open Dialoogversie 3, because the live server's database is shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reviewhub.models import Role
from tests.browser.helpers import assert_accessible, seed_reactions
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


def react_link(page: Page, key: str):
    """The link under a section on the version page: "React to this section"."""
    return page.locator(f"#f-{key} a.react-link")


def open_reactions(page: Page, key: str):
    """Open a section's reactions on the version page and wait for its threads."""
    page.locator(f"#f-{key} summary").click()
    threads = page.locator(f'#f-{key} .threads[data-threads-for="{key}"]')
    threads.wait_for()
    return threads


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
    form.get_by_label("Zorgpunt").check()
    form.get_by_label("Uw reactie").fill("Is dit haalbaar in crisissituaties?")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")
    assert "/s/veiligheid" in page.url  # the section's page shows the new reaction

    for url in (page.url.partition("#")[0], f"{live_server}{OPEN}"):
        page.goto(url)
        if url.endswith(OPEN):  # the version page: highlights come with the threads
            expect(section_body(page, "veiligheid").locator("mark.annotation")).to_have_count(0)
            open_reactions(page, "veiligheid")
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
    react_link(page, "samenwerking-gezin").focus()
    page.keyboard.press("Enter")  # brings the page's form here, focus on its first field
    form = section_form(page, "samenwerking-gezin")
    expect(form.get_by_label("Vraag")).to_be_focused()
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
    expect(page.locator("form.comment-form")).to_have_count(0)  # the one form is a template
    react_link(page, "de-stem-van-het-kind").click()  # leads to the section's page
    expect(page).to_have_url(f"{live_server}{OPEN}/s/de-stem-van-het-kind#react")
    form = section_form(page, "de-stem-van-het-kind")
    form.get_by_label("Instemming").check()
    form.get_by_label("Uw reactie").fill("Goed dat het kind een eigen stem krijgt.")
    form.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")
    expect(page.locator(".comment", has_text="eigen stem krijgt")).to_be_visible()
    page.goto(f"{live_server}{OPEN}")  # the version page counts it; its link leads back
    page.locator("#f-de-stem-van-het-kind summary").click()
    page.locator("#f-de-stem-van-het-kind a.threads-link").click()
    expect(page.locator(".comment", has_text="eigen stem krijgt")).to_be_visible()


def test_2001_characters_are_refused_with_the_text_kept(page_as, live_server: str):
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}")
    react_link(page, "lokaal-team").click()
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


def test_the_one_form_moves_and_takes_the_sections_names(page_as, live_server: str):
    """Moved to another section, the form sends to that section, its fields named as that
    section's route reads them, and forgets a passage chosen in the first."""
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}")
    react_link(page, "veilig-thuis").click()
    form = section_form(page, "veilig-thuis")
    form.get_by_label("Passage waarop u reageert").fill("iets")
    names = form.locator("[name]").evaluate_all("(els) => els.map((e) => e.name)")
    prefix = {name.partition("-")[0] for name in names}
    assert len(prefix) == 1 and prefix.pop().startswith("s")
    react_link(page, "onderwijs-en-kinderopvang").click()
    expect(form).to_have_count(0)
    moved = section_form(page, "onderwijs-en-kinderopvang")
    assert moved.get_attribute("action").endswith("/s/onderwijs-en-kinderopvang")
    assert moved.get_by_label("Passage waarop u reageert").input_value() == ""
    expect(react_link(page, "veilig-thuis")).to_be_visible()  # its link is back
    expect(react_link(page, "onderwijs-en-kinderopvang")).to_be_hidden()
    moved.get_by_label("Instemming").check()
    moved.get_by_label("Uw reactie").fill("Goed dat onderwijs genoemd wordt.")
    moved.get_by_role("button", name="Reactie versturen").click()
    expect(page.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")
    assert "/s/onderwijs-en-kinderopvang" in page.url


def test_threads_load_when_opened_and_page_in_place(page_as, live_app, live_server: str):
    """The version page holds counts only; opening a section's reactions fetches its first
    page of threads, and its page links fetch the next ones in place."""
    key = "gecertificeerde-instelling"
    seed_reactions(live_app, key, 23)
    page = page_as(Role.PARTNER)
    page.goto(f"{live_server}{OPEN}")
    expect(page.locator(f"#f-{key} summary")).to_contain_text("23 reacties")
    expect(page.locator(f"#f-{key} .comment")).to_have_count(0)
    threads = open_reactions(page, key)
    expect(threads.locator("article.comment:not(.comment--reply)")).to_have_count(20)
    threads.get_by_role("link", name="Volgende").click()
    expect(page.locator(f"#f-{key} .threads article.comment")).to_have_count(3)
    expect(page.locator(f"#f-{key} .threads-holder")).to_be_focused()
    assert page.url.endswith(OPEN)  # in place: still the version page
    assert_accessible(page)
