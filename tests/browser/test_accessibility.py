"""Accessibility audit: axe-core on every page built so far, as the user who sees it, fails on
any WCAG 2.0/2.1 level A or AA violation; plus the keyboard checks axe cannot make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from reviewhub.models import Role
from tests.browser.helpers import (
    ask_questions,
    assert_accessible,
    contrast_ratio,
    seed_reactions,
)
from tests.factories import SAMPLE_SLUG

pytestmark = pytest.mark.browser

SAMPLE = f"/documents/{SAMPLE_SLUG}"
SMALL = "/documents/werkwijze-proeftuinen"


def submit_with_errors(page: Page) -> None:
    """Send the page's form as it is (empty), so it answers with its error summary."""
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    page.locator(".error-summary").wait_for()


def submit_wrong_password(page: Page) -> None:
    page.get_by_label("E-mailadres").fill("lezer@example.org")
    page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    submit_with_errors(page)


# A section with more threads than one page holds, answered: its pages and threads are audited.
THREADED = "beroepsgeheim"
ASKED = "waarom-proeftuinen"  # a section of the small document's open version with a question


def open_threads(page: Page) -> None:
    """Open a section's reactions on the version page, wait for its threads, then bring the
    page's one form there too."""
    page.locator(f"#f-{THREADED} summary").click()
    page.locator(f"#f-{THREADED} .threads article.comment").first.wait_for()
    page.locator(f"#f-{THREADED} a.react-link").click()
    page.locator(f'form.comment-form[data-section-key="{THREADED}"]').wait_for()


def next_page_of_threads(page: Page) -> None:
    page.locator(f"#f-{THREADED} summary").click()
    page.locator(f"#f-{THREADED} .pagination a[rel=next]").click()
    page.locator(f"#f-{THREADED} .pagination a[aria-current=page]", has_text="2").wait_for()


def ask_to_delete(page: Page) -> None:
    """From a section's threads to the question asked before one's reaction is deleted."""
    with page.expect_navigation():
        page.locator(".comment__actions a[href$='/delete']").first.click()
    page.locator("main form[action$='/delete'] button[type=submit]").wait_for()


def edit_an_answered_reaction(page: Page) -> None:
    """The edit page of one's own reaction that was answered: it says why it cannot change."""
    delete_link = page.locator("a[href$='/delete']")
    own = page.locator("article.comment:not(.comment--reply)", has=delete_link)
    comment_id = (own.first.get_attribute("id") or "").removeprefix("c-")
    response = page.goto(f"/comments/{comment_id}/edit")
    assert response is not None and response.status == 409, response


def switch_to_english(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


WORKSPACE = f"{SAMPLE}/v/3/feedback"


def open_first_reaction(page: Page) -> None:
    """From the workspace's list to its first reaction's page."""
    with page.expect_navigation():
        page.locator("a.triage-row").first.click()
    page.locator("#decide-title").wait_for()


def bulk_without_selection(page: Page) -> None:
    """Send the bulk form with nothing selected: the list again, with its error summary."""
    with page.expect_navigation():
        page.locator("button[name=action][value=decide]").click()
    page.locator(".error-summary").wait_for()


def show_progress_tables(page: Page) -> None:
    """Open every chart's "Show as table" on the progress page."""
    for summary in page.locator("details.progress-table summary").all():
        summary.click()


def mark_handled(page: Page) -> None:
    """Mark the feedback handled while reactions wait: the page again, with its message."""
    with page.expect_navigation():
        page.locator(".progress-state button[type=submit]").click()
    page.locator(".error-summary").wait_for()


def preview_a_version(page: Page) -> None:
    """Paste a next version of the sample and send the form: its preview."""
    page.get_by_label("Of plak de Markdown-tekst").fill(
        "# Inleiding\n\nEen nieuwe inleiding.\n\n# Evaluatie\n\nNieuw.\n"
    )
    page.get_by_label("Label").fill("Dialoogversie 4")
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren voor publicatie").click()
    page.locator(".preview-sections").wait_for()


def make_final_without_ticking(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Dialoogversie 3 definitief maken").click()
    page.locator(".error-summary").wait_for()


PEOPLE_CSV = (
    "E-mailadres;Naam;Rol;Groepen;Coördinator\n"
    "nieuw@example.org;Nina Nieuw;partner;Regio Twente;ja\n"
    "lezer@example.org;;;Regio Twente;nee\n"
    "geen-adres;Fout;beheerder;Regio Atlantis;misschien\n"
).encode()


def preview_people_csv(page: Page) -> None:
    """Upload a file of people with a good, an existing and a bad row: its preview."""
    page.locator("#upload").set_input_files(
        files=[{"name": "deelnemers.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV}]
    )
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    page.locator("input[name=token]").wait_for(state="attached")


def add_an_unknown_member(page: Page) -> None:
    page.locator("#email").fill("niemand@example.org")
    with page.expect_navigation():
        page.locator("form[action$='/members'] button[type=submit]").click()
    page.locator(".error-summary").wait_for()


def make_a_token(page: Page) -> None:
    """Make an API token on the profile page: the page that shows it once."""
    page.get_by_label("Naam van de sleutel").fill("Dashboard")
    with page.expect_navigation():
        page.get_by_role("button", name="Een sleutel maken").click()
    page.locator(".token-secret").wait_for()


def add_an_empty_question(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Vraag toevoegen").click()
    page.locator(".error-summary").wait_for()


class Audit(NamedTuple):
    name: str
    who: Role | None  # None: a visitor who is not logged in
    path: str  # may name {reader}, {group} or {invitation} (see the url_values fixture)
    then: Callable[[Page], None] | None = None  # brings the page into the state to audit
    status: int = 200


# Later pages join the audit as they are built: one line each.
AUDITS = [
    Audit("documents", None, "/documents/"),
    Audit("document", None, SAMPLE),
    Audit("version 1", None, f"{SAMPLE}/v/1"),
    Audit("version 2", None, f"{SAMPLE}/v/2"),
    Audit("version 3", None, f"{SAMPLE}/v/3"),
    Audit("compare 1 with 3", None, f"{SAMPLE}/compare/1...3"),
    Audit("compare side by side", None, f"{SAMPLE}/compare/1...3?view=side"),
    Audit("compare Markdown source", None, f"{SAMPLE}/compare/1...3?view=source"),
    Audit("section history", None, f"{SAMPLE}/sections/regie/history"),
    Audit("small document version 1", None, f"{SMALL}/v/1"),
    Audit("small document version 2", None, f"{SMALL}/v/2"),
    Audit("version as partner", Role.PARTNER, f"{SAMPLE}/v/3"),
    Audit("section thread page", Role.PARTNER, f"{SAMPLE}/v/3/s/veiligheid"),
    Audit("section thread page, closed version", None, f"{SAMPLE}/v/2/s/veiligheid"),
    Audit(
        "version with threads opened and the form moved",
        Role.PARTNER,
        f"{SAMPLE}/v/3",
        open_threads,
    ),
    Audit("version, threads paged in place", None, f"{SAMPLE}/v/3", next_page_of_threads),
    Audit(
        "version, threads of a filter",
        Role.REVIEWER,
        f"{SAMPLE}/v/3?kind=question#f-{THREADED}",
        lambda page: page.locator(".threads article").first.wait_for(),
    ),
    Audit(
        "section page of many threads, page 2", Role.PARTNER, f"{SAMPLE}/v/3/s/{THREADED}?page=2"
    ),
    Audit("section page, filtered", Role.REVIEWER, f"{SAMPLE}/v/3/s/{THREADED}?unanswered=1"),
    Audit(
        "delete a reaction: asked first", Role.PARTNER, f"{SAMPLE}/v/3/s/{THREADED}", ask_to_delete
    ),
    Audit(
        "edit of an answered reaction, refused",
        Role.PARTNER,
        f"{SAMPLE}/v/3/s/{THREADED}",
        edit_an_answered_reaction,
    ),
    Audit("section page as a reader", Role.READER, f"{SAMPLE}/v/3/s/veiligheid"),
    Audit("my reactions", Role.PARTNER, "/me/feedback"),
    Audit("my reactions, filtered", Role.PARTNER, "/me/feedback?status=new"),
    Audit("group reactions", Role.PARTNER, "/groups/{group}/feedback"),
    Audit("group positions", Role.PARTNER, "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3"),
    Audit(
        "compose a position",
        Role.PARTNER,
        "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3/s/veiligheid",
    ),
    Audit("open objections", Role.REVIEWER, f"{SAMPLE}/v/3/objections"),
    Audit("import feedback", Role.REVIEWER, f"{SAMPLE}/v/3/import"),
    Audit("reactions on removed sections", None, f"{SAMPLE}/v/3/removed-sections"),
    Audit("moderation", Role.REVIEWER, f"{SAMPLE}/moderation"),
    Audit("review workspace", Role.REVIEWER, WORKSPACE),
    Audit("review workspace, read-only", Role.AUTHOR, f"{WORKSPACE}?sort=created&order=desc"),
    Audit("review workspace, bulk error", Role.REVIEWER, WORKSPACE, bulk_without_selection),
    Audit("review workspace, one reaction", Role.REVIEWER, WORKSPACE, open_first_reaction),
    Audit("progress", Role.REVIEWER, f"{SAMPLE}/v/3/progress"),
    Audit("progress, tables shown", Role.REVIEWER, f"{SAMPLE}/v/3/progress", show_progress_tables),
    Audit("progress, handled refused", Role.REVIEWER, f"{SAMPLE}/v/3/progress", mark_handled),
    Audit("progress, read-only", Role.AUTHOR, f"{SAMPLE}/v/3/progress"),
    Audit("version as reviewer", Role.REVIEWER, f"{SAMPLE}/v/3?unanswered=1"),
    Audit("publish form", Role.AUTHOR, "/documents/publish"),
    Audit("publish form with errors", Role.AUTHOR, "/documents/publish", submit_with_errors),
    Audit(
        "publish preview",
        Role.AUTHOR,
        f"/documents/publish?document={SAMPLE_SLUG}",
        preview_a_version,
    ),
    Audit("feedback round", Role.AUTHOR, f"{SAMPLE}/v/3/round"),
    Audit("feedback round, closed", Role.AUTHOR, f"{SAMPLE}/v/2/round"),
    Audit(
        "feedback round with an error",
        Role.AUTHOR,
        f"{SAMPLE}/v/3/round",
        make_final_without_ticking,
    ),
    Audit("consultation questions", Role.AUTHOR, f"{SMALL}/v/2/questions"),
    Audit(
        "consultation questions, one refused",
        Role.AUTHOR,
        f"{SMALL}/v/2/questions",
        add_an_empty_question,
    ),
    Audit("version with questions, as a partner", Role.PARTNER, f"{SMALL}/v/2"),
    Audit("section with questions, as a partner", Role.PARTNER, f"{SMALL}/v/2/s/{ASKED}"),
    Audit("document as its author", Role.AUTHOR, SAMPLE),
    Audit("documents as an author", Role.AUTHOR, "/documents/"),
    Audit("log-in", None, "/login"),
    Audit("log-in with an error", None, "/login", submit_wrong_password),
    Audit("forgotten password", None, "/password/forgot"),
    Audit("invitation with a bad token", None, "/invitation/onzin", status=400),
    Audit("reset with a bad token", None, "/password/reset/onzin", status=400),
    Audit("invitation", None, "/invitation/{invitation}"),
    Audit("profile", Role.PARTNER, "/me/profile"),
    Audit("profile, a new API token", Role.REVIEWER, "/me/profile", make_a_token),
    Audit("API reference", None, "/api/v1/reference"),
    Audit("document settings", Role.AUTHOR, f"{SAMPLE}/settings"),
    Audit("people", Role.ADMIN, "/admin/people"),
    Audit("new person", Role.ADMIN, "/admin/people/new"),
    Audit("new person with errors", Role.ADMIN, "/admin/people/new", submit_with_errors),
    Audit("person", Role.ADMIN, "/admin/people/{reader}"),
    Audit("groups", Role.ADMIN, "/admin/groups"),
    Audit("new group", Role.ADMIN, "/admin/groups/new"),
    Audit("group", Role.ADMIN, "/admin/groups/{group}"),
    Audit("group, a member refused", Role.ADMIN, "/admin/groups/{group}", add_an_unknown_member),
    Audit("audit log", Role.ADMIN, "/admin/audit"),
    Audit("failed jobs", Role.ADMIN, "/admin/jobs"),
    Audit("messages and their settings", Role.PARTNER, "/me/notifications"),
    Audit("exports made in the background", Role.REVIEWER, "/me/exports"),
    Audit("search", None, "/search"),
    Audit("search results", Role.PARTNER, f"/search?q=veiligheid&document={SAMPLE_SLUG}&page=2"),
    Audit("an unsubscribe link that does not hold", None, "/unsubscribe/vervalst", status=404),
    Audit("audit log, filter refused", Role.ADMIN, "/admin/audit?since=2026-02-30&actor=x@y.nl"),
    Audit("invite from a CSV file", Role.ADMIN, "/admin/people/bulk"),
    Audit("invite from a CSV file, preview", Role.ADMIN, "/admin/people/bulk", preview_people_csv),
    Audit("403", Role.READER, "/admin/people", status=403),
    Audit("404", None, "/documents/bestaat-niet", status=404),
    Audit("privacy statement", None, "/privacy"),
    Audit("accessibility statement", None, "/toegankelijkheid"),
    Audit("contact and help", Role.PARTNER, "/contact"),
    Audit("privacy statement in English", Role.PARTNER, "/privacy", switch_to_english),
    Audit("accessibility statement in English", None, "/toegankelijkheid", switch_to_english),
    Audit("contact and help in English", Role.READER, "/contact", switch_to_english),
    Audit("documents in English", None, "/documents/", switch_to_english),
    Audit("version in English", Role.AUTHOR, f"{SAMPLE}/v/3", switch_to_english),
]


@pytest.fixture(scope="session")
def threads_to_audit(live_app: Flask) -> None:
    """25 answered reactions on one section: more than a page of threads."""
    seed_reactions(live_app, THREADED, 25, replies=True)


@pytest.fixture(scope="session")
def questions_to_audit(live_app: Flask) -> None:
    """Consultation questions on the small document's open version: one about it as a
    whole, one about a section."""
    ask_questions(live_app, f"{SMALL}/v/2", [None, ASKED])


@pytest.mark.parametrize("audit", AUDITS, ids=lambda audit: audit.name)
def test_page_meets_wcag_a_and_aa(
    page_as: Callable[[Role | None], Page],
    url_values: dict[str, Any],
    threads_to_audit: None,
    questions_to_audit: None,
    audit: Audit,
) -> None:
    page = page_as(audit.who)
    path = audit.path.format(**url_values)
    response = page.goto(path)
    assert response is not None and response.status == audit.status, response
    assert urlsplit(page.url).path == urlsplit(path).path, "sent elsewhere: log-in or rights?"
    if audit.then:
        audit.then(page)
    assert_accessible(page)


def test_too_many_log_in_attempts_page(
    page: Page, live_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit string of its own starts with fresh counters (the limiter keys on it).
    monkeypatch.setitem(live_app.config, "LOGIN_RATE_LIMIT", "2 per hour")
    page.goto("/login")
    statuses = []
    while len(statuses) < 3 and 429 not in statuses:
        page.get_by_label("E-mailadres").fill("te-vaak@example.org")
        page.get_by_label("Wachtwoord").fill("geraden")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Inloggen").click()
        statuses.append(navigation.value.status)
    assert statuses == [400, 400, 429]
    assert_accessible(page)


# Keyboard use: axe cannot press keys.

FOCUSED_ELEMENT = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  window.tabbed = window.tabbed || new WeakSet();
  const again = window.tabbed.has(element);
  window.tabbed.add(element);
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    again,
    element: element.outerHTML.slice(0, 120),
    outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadowed: style.boxShadow !== 'none',
    shown: box.width > 1 && box.height > 1,
  };
}"""


def tab_through(page: Page, limit: int = 1000) -> list[dict[str, Any]]:
    """Press Tab until focus leaves the page or comes round again; what each stop looked like."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_ELEMENT)
        if stop is None or stop["again"]:
            return stops
        stops.append(stop)
    raise AssertionError(f"still tabbing after {limit} stops")


@pytest.mark.parametrize(
    ("who", "path"), [(None, "/documents/"), (Role.PARTNER, f"{SAMPLE}/v/3")], ids=str
)
def test_skip_link_comes_first_and_moves_focus_to_the_content(
    page_as: Callable[[Role | None], Page], who: Role | None, path: str
) -> None:
    page = page_as(who)
    page.goto(path)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Direct naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


KEYBOARD_PAGES = [
    (Role.AUTHOR, "/documents/"),  # the header: menu, log-out button, language switch
    (Role.PARTNER, f"{SAMPLE}/v/3"),
    (Role.AUTHOR, "/documents/publish"),
    (Role.AUTHOR, f"{SAMPLE}/settings"),
    (Role.ADMIN, "/admin/people"),
    (Role.ADMIN, "/admin/people/{reader}"),
    (None, "/login"),
]


@pytest.mark.parametrize(("who", "path"), KEYBOARD_PAGES, ids=str)
def test_every_tab_stop_shows_where_the_focus_is(
    page_as: Callable[[Role | None], Page], url_values: dict[str, Any], who: Role | None, path: str
) -> None:
    page = page_as(who)
    page.goto(path.format(**url_values))
    stops = tab_through(page)
    assert len(stops) > 3
    unseen = [s["element"] for s in stops if not (s["shown"] and (s["outlined"] or s["shadowed"]))]
    assert not unseen, "no visible focus:\n" + "\n".join(unseen)


# Colour: every badge and marker the stylesheets define, on the version page that uses them.

BADGE_COLOURS = """() => {
  const classes = new Set();
  for (const sheet of document.styleSheets)
    for (const rule of sheet.cssRules)
      for (const name of (rule.selectorText || '').matchAll(/\\.((badge|marker)--[\\w-]+)/g))
        classes.add(name[1]);
  const main = document.querySelector('main');
  return [...classes].map(name => {
    const span = document.createElement('span');
    span.className = name.split('--')[0] + ' ' + name;
    span.textContent = name;
    main.append(span);
    let back = span;
    while (back && getComputedStyle(back).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/))
      back = back.parentElement;
    const colours = [name, getComputedStyle(span).color, getComputedStyle(back).backgroundColor];
    span.remove();
    return colours;
  });
}"""


def test_badges_and_markers_reach_contrast_4_5(page: Page) -> None:
    page.goto(f"{SAMPLE}/v/3")
    pairs = page.evaluate(BADGE_COLOURS)
    assert len(pairs) >= 8, pairs  # four statuses and the change markers at least
    failing = [(n, f, b, contrast_ratio(f, b)) for n, f, b in pairs if contrast_ratio(f, b) < 4.5]
    assert not failing, failing


# Reflow (WCAG 1.4.10): at 320 CSS pixels wide nothing makes the whole page scroll sideways.

REFLOW_PAGES = [
    (None, f"{SAMPLE}/v/3"),  # tables, a code block, the contents
    (Role.AUTHOR, "/documents/publish"),
    (Role.ADMIN, "/admin/people"),
    (Role.ADMIN, "/admin/audit"),
]


@pytest.mark.parametrize(("who", "path"), REFLOW_PAGES, ids=str)
def test_pages_reflow_at_320_pixels(
    new_context: Callable[..., BrowserContext], who: Role | None, path: str
) -> None:
    page = new_context(who, viewport={"width": 320, "height": 640}).new_page()
    page.goto(path)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} is {widths[0]}px wide at {widths[1]}px"
