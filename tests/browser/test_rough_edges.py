"""Rough edges of a first visit, in the browser (issue 14, parts 5 and 7): a 2,000-character
word and a wide table keep a phone's page as wide as its screen, the "posted" message shows
where the new reaction is, deleting asks first (without JavaScript too), and a moderator
dismisses a report from the queue and lands back there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from reviewhub.extensions import db
from reviewhub.feedback.moderation import report_comment
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentKind, Role, VersionStatus
from tests.browser.helpers import assert_accessible
from tests.factories import group_named, make_document, publish, reaction, user_with_role

pytestmark = pytest.mark.browser

SLUG = "ruwe-randen"
KEY = "overzicht"
VERSION = f"/documents/{SLUG}/v/1"
SECTION = f"{VERSION}/s/{KEY}"
PHONE = {"width": 375, "height": 740}
WORD = ("veiligheidsplan" * 134)[:2000]  # 2,000 letters without a space
COLUMNS = 16  # too many for a phone even with every word broken
TABLE = "\n".join([
    "| " + " | ".join(f"Kolom {n}" for n in range(COLUMNS)) + " |",
    "|" + "---|" * COLUMNS,
    "| " + " | ".join("gezinsbespreking" for _ in range(COLUMNS)) + " |",
])  # fmt: skip
PARAGRAPHS = "\n\n".join(f"Alinea {n} over de werkwijze van het team." for n in range(30))
SOURCE = f"# Ruwe randen\n\n## Overzicht {{#{KEY}}}\n\n{PARAGRAPHS}\n\n{TABLE}\n"


@pytest.fixture(scope="module")
def reactions(live_app: Flask) -> dict[str, int]:
    """A document whose one section has a wide table, a reaction of one 2,000-letter word
    with a reply of another, a reaction its partner will delete and one the reader reported
    (a long word as the reason): their ids."""
    with live_app.app_context():
        session: Any = db.session
        partner, reviewer, reader = (
            user_with_role(session, role) for role in (Role.PARTNER, Role.REVIEWER, Role.READER)
        )
        document = make_document(session, SLUG, "Ruwe randen")
        version = publish(session, document, SOURCE, label="Dialoogversie 1",
                          status=VersionStatus.OPEN, closes_on=date(2099, 12, 31))  # fmt: skip
        section = next(s for s in version.sections if s.key == KEY)
        twente = group_named(session)

        def react(body: str, parent: Any = None, who: Any = partner) -> Any:
            kind = None if parent else CommentKind.QUESTION
            new = reaction(body, kind=kind, group=None if parent else twente)
            return post_comment(session, who, section, new, parent)

        long = react(WORD)
        react(WORD[::-1], parent=long, who=reviewer)
        doomed = react("Deze reactie trek ik in.")
        reported = react("Een scherpe maar terechte vraag.")
        report_comment(session, reader, reported, "Ongepast" + "x" * 300)
        session.commit()
        ids = {"long": long.id, "doomed": doomed.id, "reported": reported.id}
        session.remove()
    return ids


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_long_word_and_a_wide_table_keep_the_page_as_wide_as_a_phone(
    new_context: Callable[..., BrowserContext], reactions: dict[str, int]
) -> None:
    page = new_context(Role.REVIEWER, viewport=PHONE).new_page()
    page.goto(VERSION)
    page.locator(f"#f-{KEY} summary").click()
    expect(page.locator(f"#f-{KEY} #c-{reactions['long']}")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    table = page.locator(".doc-section__body table").first
    # The table scrolls in its own box, and is a tab stop so that keys scroll it too.
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    expect(table).to_have_attribute("tabindex", "0")
    for path in (SECTION, f"/documents/{SLUG}/moderation"):
        page.goto(path)
        expect(page.locator("article.comment").first).to_be_visible()
        assert page_width(page) <= PHONE["width"], path
    page.goto(SECTION)
    assert_accessible(page)


def test_the_posted_message_shows_where_the_new_reaction_is(
    page_as: Callable[[Role | None], Page], reactions: dict[str, int]
) -> None:
    page = page_as(Role.PARTNER)
    page.goto(VERSION)
    page.locator(f"#f-{KEY} a.react-link").click()  # the page's one form moves here
    form = page.locator(f'form.comment-form[data-section-key="{KEY}"]')
    form.get_by_label("Vraag").check()
    form.get_by_label("Uw reactie", exact=True).fill("Waar staat de planning?")
    with page.expect_navigation():
        form.get_by_role("button", name="Reactie versturen").click()
    assert page.url.split("#")[0].endswith(SECTION) and "#c-" in page.url
    notice = page.locator(".comment-notice")
    expect(notice).to_have_text("Dank u. Uw reactie is geplaatst.")
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_be_in_viewport()
    expect(notice).to_be_focused()  # a screen reader reads it where the page opened
    assert page.evaluate("window.scrollY") > 0  # far down the page, not at its top
    new_reaction = page.locator(f"article#{page.url.split('#')[1]}")
    expect(new_reaction.locator(".comment-notice")).to_have_count(1)
    expect(new_reaction).to_contain_text("Waar staat de planning?")


def test_deleting_asks_first_without_javascript(
    new_context: Callable[..., BrowserContext], reactions: dict[str, int]
) -> None:
    page = new_context(Role.PARTNER, java_script_enabled=False).new_page()
    page.goto(SECTION)
    doomed = page.locator(f"#c-{reactions['doomed']}")
    with page.expect_navigation():
        doomed.get_by_role("link", name="Verwijderen").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Deze reactie trek ik in.")
    expect(page.get_by_role("link", name="Terug naar de reactie")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Verwijderen").click()
    doomed = page.locator(f"#c-{reactions['doomed']}")
    expect(doomed.locator(".comment-notice")).to_have_text("Uw reactie is verwijderd.")
    expect(doomed).to_contain_text("Verwijderd door de auteur.")
    expect(doomed).not_to_contain_text("Deze reactie trek ik in.")
    # Nothing more to do with it: no reply, no edit, no report.
    expect(doomed.locator("details.reply, .comment__actions")).to_have_count(0)


def test_a_moderator_dismisses_a_report_from_the_queue_and_stays_there(
    page_as: Callable[[Role | None], Page], reactions: dict[str, int]
) -> None:
    page = page_as(Role.REVIEWER)
    queue = f"/documents/{SLUG}/moderation"
    page.goto(queue)
    dismiss = page.locator(f'form[action$="/comments/{reactions["reported"]}/dismiss"]')
    page.locator("details", has=dismiss).locator("summary").click()
    assert_accessible(page)
    dismiss.locator("input[name=reason]").fill("Kritiek op de tekst, geen belediging")
    with page.expect_navigation():
        dismiss.locator("button[type=submit]").click()
    assert page.url.endswith(queue)
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator(f"#c-{reactions['reported']}")).to_have_count(0)
    page.goto(SECTION)
    expect(page.locator(f"#c-{reactions['reported']}")).to_contain_text(
        "Een scherpe maar terechte vraag."
    )
