"""The whole loop in the browser: a partner reacts on a passage of version 1 with new wording,
the author publishes version 2 with the passage edited that way, version 2 shows the reaction
carried with the passage's change, and a reviewer confirms in the workspace that version 2
took it in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from reviewhub.extensions import db
from reviewhub.models import Role, VersionStatus
from tests.browser.helpers import assert_accessible
from tests.factories import make_document, publish, user_with_role

pytestmark = pytest.mark.browser

SLUG = "hintkader"
V1 = """# Regie

De regie ligt bij het lokale team. Het team maakt een plan en bespreekt dat regelmatig met
het gezin.
"""
PASSAGE = "Het team maakt een plan en bespreekt dat regelmatig met het gezin."
PROPOSED = "Het team maakt samen met het gezin een veiligheidsplan en bespreekt dat elke zes weken."
V2 = f"""# Regie

De regie ligt bij het lokale team. {PROPOSED}
"""


@pytest.fixture(scope="module")
def version_1(live_app: Flask) -> None:
    with live_app.app_context():
        session = db.session
        document = make_document(session, SLUG, "Hintkader")  # type: ignore[arg-type]
        document.owner = user_with_role(session, Role.AUTHOR)  # type: ignore[arg-type]
        publish(session, document, V1, label="Dialoogversie 1",  # type: ignore[arg-type]
                status=VersionStatus.OPEN, closes_on=date(2099, 12, 31))  # fmt: skip
        session.commit()
        session.remove()


def click_and_wait(page: Page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()  # type: ignore[arg-type]


def test_react_publish_see_it_carried_and_confirm_the_hint(
    page_as: Callable[[Role | None], Page], version_1: None
) -> None:
    partner = page_as(Role.PARTNER)
    partner.goto(f"/documents/{SLUG}/v/1#s-regie")
    partner.locator("#f-regie a.react-link").click()
    form = partner.locator('form.comment-form[data-section-key="regie"]')
    form.get_by_label("Suggestie").check()
    form.get_by_label("Passage waarop u reageert").fill(PASSAGE)
    form.get_by_label("Uw reactie").fill("Maak het plan concreet.")
    form.get_by_label("Voorgestelde nieuwe formulering").fill(PROPOSED)
    form.get_by_role("button", name="Reactie versturen").click()
    expect(partner.locator(".alert--success")).to_contain_text("Uw reactie is geplaatst")

    author = page_as(Role.AUTHOR)
    author.goto(f"/documents/{SLUG}")
    click_and_wait(author, "Nieuwe versie publiceren", role="link")
    author.get_by_label("Of plak de Markdown-tekst").fill(V2)
    author.get_by_label("Label").fill("Dialoogversie 2")
    author.get_by_label("Status").select_option("open")
    author.get_by_label("Reageren kan tot en met").fill("2099-03-01")
    click_and_wait(author, "Controleren voor publicatie")
    click_and_wait(author, "Dialoogversie 2 publiceren")
    expect(author).to_have_url(re.compile(rf"/documents/{SLUG}/v/2$"))

    # Version 2 shows the reaction as one from version 1, with its passage's change.
    author.goto(f"/documents/{SLUG}/v/2/s/regie")
    earlier = author.locator("section.earlier")
    expect(earlier).to_contain_text("Uit Dialoogversie 1")
    expect(earlier).to_contain_text("Passage gewijzigd")
    expect(earlier.locator("ins").first).to_be_visible()

    reviewer = page_as(Role.REVIEWER)
    reviewer.goto(f"/documents/{SLUG}/v/1/feedback")
    click_and_wait(reviewer, "Mogelijk verwerkt in versie 2", role="link")
    hint = reviewer.locator("#hint")
    expect(hint).to_contain_text("De voorgestelde tekst staat in de nieuwe tekst.")
    expect(hint.locator(".text-diff ins").first).to_be_visible()
    assert_accessible(reviewer)
    click_and_wait(reviewer, "Bevestig: overgenomen in Dialoogversie 2")
    expect(reviewer.locator(".alert--success")).to_contain_text("Bevestigd: Overgenomen.")
    expect(reviewer.locator("#hint")).to_have_count(0)
    expect(reviewer.get_by_text("Verwerkt door deze versie.")).to_be_visible()
    expect(reviewer.locator(".facts")).to_contain_text("Overgenomen")
