"""A reaction follows its passage into the next version, in the browser: a reviewer reacts on
a passage of version 1, version 2 is published with that passage edited, and on version 2
the reaction shows under its section as one from version 1, with the passage's change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from reviewhub.extensions import db
from reviewhub.feedback.posting import Passage, post_comment
from reviewhub.models import Role, VersionStatus
from tests.browser.helpers import assert_accessible
from tests.factories import make_document, publish, reaction, user_with_role
from tests.feedback.test_carrying import V1, V2, section

pytestmark = pytest.mark.browser

SLUG = "meegenomen"
PASSAGE = "samen met het gezin een veiligheidsplan"
OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}


@pytest.fixture(scope="module")
def carried(live_app: Flask) -> str:
    """The reaction's reference, after version 2 is published."""
    with live_app.app_context():
        session = db.session
        reviewer = user_with_role(session, Role.REVIEWER)  # type: ignore[arg-type]
        document = make_document(session, SLUG, "Meegenomen reacties")  # type: ignore[arg-type]
        v1 = publish(session, document, V1, label="Dialoogversie 1", **OPEN)  # type: ignore[arg-type]
        regie = section(session, v1, "regie")  # type: ignore[arg-type]
        passage = Passage(PASSAGE, start=regie.text.index(PASSAGE))
        made = post_comment(session, reviewer, regie,  # type: ignore[arg-type]
                            reaction("Wie houdt het plan bij?", passage=passage))  # fmt: skip
        publish(session, document, V2, label="Dialoogversie 2", **OPEN)  # type: ignore[arg-type]
        session.commit()
        reference = made.reference or ""
        session.remove()
    return reference


def test_an_earlier_reaction_shows_on_the_next_version_with_its_passage_change(
    page_as: Callable[[Role | None], Page], carried: str
) -> None:
    page = page_as(None)
    page.goto(f"/documents/{SLUG}/v/2")
    feedback = page.locator("#f-regie")
    expect(feedback.locator(".kind-counts")).to_contain_text("uit eerdere versies: 1")
    feedback.locator("summary").click()
    earlier = feedback.locator("section.earlier")
    expect(earlier).to_contain_text("Reacties uit eerdere versies (1)")
    expect(earlier).to_contain_text("Uit Dialoogversie 1")
    expect(earlier).to_contain_text(carried)
    expect(earlier.locator("ins")).to_contain_text("actueel")
    assert_accessible(page)

    # Its link leads to the reaction where it was made.
    with page.expect_navigation():
        earlier.get_by_role("link", name="Bekijk in Dialoogversie 1").click()
    expect(page.get_by_text("Wie houdt het plan bij?").first).to_be_visible()
    assert "/v/1/" in page.url
