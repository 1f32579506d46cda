"""The review workspace in a browser: the reviewer filters, decides on two reactions at once,
goes to a reaction with the keyboard and decides on it alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reviewhub.extensions import db
from reviewhub.feedback.posting import post_comment
from reviewhub.models import Comment, Disposition, Role
from tests.factories import SAMPLE_SLUG, group_named, reaction, sample_section, user_with_role

pytestmark = pytest.mark.browser

WORKSPACE = f"/documents/{SAMPLE_SLUG}/v/3/feedback"
WORD = "triagetoets"  # in these reactions only: the list is theirs whatever else is seeded


def committed(live_app: Flask, key: str, bodies: list[str]) -> list[str]:
    """Reactions of the demo partner for Regio Twente on a section of Dialoogversie 3, put
    in the live server's database; their references."""
    with live_app.app_context():
        session = db.session
        partner = user_with_role(session, Role.PARTNER)  # type: ignore[arg-type]
        section = sample_section(session, 3, key)  # type: ignore[arg-type]
        twente = group_named(session)  # type: ignore[arg-type]
        made = [post_comment(session, partner, section, reaction(body, group=twente))  # type: ignore[arg-type]
                for body in bodies]  # fmt: skip
        session.commit()
        found = [comment.reference or "" for comment in made]
        session.remove()
    return found


@pytest.fixture(scope="module")
def references(live_app: Flask) -> list[str]:
    return committed(live_app, "veiligheid", [f"Vraag {n} ({WORD})" for n in range(4)])


def dispositions(live_app: Flask, refs: list[str]) -> list[Disposition]:
    with live_app.app_context():
        found = dict(
            db.session.execute(
                select(Comment.reference, Comment.disposition).where(Comment.reference.in_(refs))
            ).all()
        )
        db.session.remove()
    return [found[ref] for ref in refs]


def test_reviewer_triages_in_bulk_and_one_by_one(
    page_as: Callable[[Role], Page], live_app: Flask, references: list[str]
) -> None:
    page = page_as(Role.REVIEWER)
    page.goto(WORKSPACE)
    page.locator("#filter-status").select_option("new")
    page.locator("#filter-q").fill(WORD)
    with page.expect_navigation():
        page.locator("form.workspace-filters button[type=submit]").click()
    rows = page.locator("a.triage-row")
    expect(rows).to_have_text(references)

    # Two rows, one motivation: both are noted, and the filtered list no longer shows them.
    first, second, third, fourth = references
    for ref in (first, second):
        row = page.locator("tr", has=page.locator("a.triage-row", has_text=ref))
        row.locator("input[name=selected]").check()
    page.locator("#disposition").select_option("noted")
    page.locator("#motivation").fill("Meegenomen in de volgende versie.")
    with page.expect_navigation():
        page.locator("button[name=action][value=decide]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    assert "status=new" in page.url and WORD in page.url  # back in the same filtered list
    expect(rows).to_have_text([third, fourth])
    assert dispositions(live_app, references)[:2] == [Disposition.NOTED] * 2

    # Open the first, go to the next with the keyboard, decide on that one alone.
    with page.expect_navigation():
        rows.first.click()
    expect(page.locator("h1")).to_contain_text(third)
    expect(page.locator("a[rel=next]")).to_contain_text(fourth)
    with page.expect_navigation():
        page.keyboard.press("j")
    expect(page.locator("h1")).to_contain_text(fourth)
    expect(page.locator("a[rel=prev]")).to_contain_text(third)
    page.locator("input[name=decide-disposition][value=accepted]").check()
    page.locator("#decide-motivation").fill("Overgenomen in paragraaf 2.")
    with page.expect_navigation():
        page.locator("button[name=which][value=decide]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    history = page.locator("section[aria-labelledby=history-title]")
    expect(history.locator(".timeline__item")).to_have_count(1)
    assert dispositions(live_app, references) == [
        Disposition.NOTED, Disposition.NOTED, Disposition.NEW, Disposition.ACCEPTED]  # fmt: skip


def test_the_next_link_works_without_the_script(
    new_context: Callable[..., object], references: list[str]
) -> None:
    context = new_context(Role.REVIEWER, java_script_enabled=False)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{WORKSPACE}/{references[0]}?q={WORD}")
    with page.expect_navigation():
        page.locator("a[rel=next]").click()
    expect(page.locator("h1")).to_contain_text(references[1])
    assert f"q={WORD}" in page.url


CLUSTER_WORD = "clustertoets"
TWINS = [
    f"De regie bij onenigheid hoort bij de regio te liggen ({CLUSTER_WORD}).",
    f"De regie bij onenigheid hoort bij de regio te liggen! ({CLUSTER_WORD})",
    f"Regie bij onenigheid hoort bij de regio te liggen ({CLUSTER_WORD}).",
]


@pytest.fixture(scope="module")
def twins(live_app: Flask) -> list[str]:
    """Three near-identical reactions on one section (regions sending the same point)."""
    return committed(live_app, "regie", TWINS)


def test_reviewer_decides_a_cluster_of_near_duplicates_at_once(
    page_as: Callable[[Role], Page], live_app: Flask, twins: list[str]
) -> None:
    page = page_as(Role.REVIEWER)
    page.goto(f"{WORKSPACE}?q={CLUSTER_WORD}")
    expect(page.locator("a.triage-row")).to_have_text(twins)
    with page.expect_navigation():
        page.locator("a.cluster-link").first.click()
    assert "cluster=" in page.url
    # The cluster's rows come ticked: one status and one motivation for all three.
    expect(page.locator("input[name=selected]:checked")).to_have_count(3)
    page.locator("#disposition").select_option("partly_accepted")
    page.locator("#motivation").fill("Deels overgenomen: de regio krijgt een adviesrol.")
    with page.expect_navigation():
        page.locator("button[name=action][value=decide]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    assert dispositions(live_app, twins) == [Disposition.PARTLY_ACCEPTED] * 3
    with live_app.app_context():
        motivations = set(
            db.session.scalars(select(Comment.motivation).where(Comment.reference.in_(twins)))
        )
        db.session.remove()
    assert motivations == {"Deels overgenomen: de regio krijgt een adviesrol."}
