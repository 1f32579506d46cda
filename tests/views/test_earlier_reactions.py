"""Reactions of earlier versions on the pages of a later one: counted per section on the
version page, listed with what became of their passage on the section's page and in the
threads fragment, read under the same rules as the reactions themselves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentVisibility, Disposition, Role, VersionStatus
from tests.factories import group_named, make_document, publish, reaction, user_with_role
from tests.feedback.test_carrying import V1, V2, react, section

OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}
SLUG = "testdocument"


@pytest.fixture
def carried(app, session: Session):
    """v1 with a reaction on a passage (decided) and one on the whole section; then v2."""
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        document = make_document(session)
        v1 = publish(session, document, V1, label="Dialoogversie 1", **OPEN)
        regie = section(session, v1, "regie")
        on_passage = react(session, reviewer, regie, "Wie maakt het plan?",
                           "samen met het gezin een veiligheidsplan")  # fmt: skip
        decide(session, reviewer, on_passage, Decision(Disposition.ACCEPTED, "Aangepast."))
        on_section = react(session, reviewer, regie, "Over de regie in het algemeen.")
        publish(session, document, V2, label="Dialoogversie 2", **OPEN)
    session.commit()
    return on_passage, on_section


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_section_page_lists_earlier_reactions_with_their_passage_then_and_now(client, carried):
    on_passage, _on_section = carried
    page = html(client, f"/documents/{SLUG}/v/2/s/regie")
    assert "Reacties uit eerdere versies (2)" in page
    assert "Uit Dialoogversie 1" in page
    assert "Passage gewijzigd" in page and "<ins>" in page and "actueel" in page
    assert "Wie maakt het plan?" in page and "Aangepast." in page  # with its decision
    assert on_passage.reference in page
    assert f'href="/comments/{on_passage.id}"' in page
    assert "Over de regie in het algemeen." in page and "Tekst van de paragraaf gewijzigd" in page
    fragment = html(client, f"/documents/{SLUG}/v/2/s/regie/reactions")
    assert "Reacties uit eerdere versies (2)" in fragment
    assert "Nog geen reacties." not in fragment


def test_the_version_page_counts_them_per_section(client, carried):
    page = html(client, f"/documents/{SLUG}/v/2")
    start = page.index('id="f-regie"')
    counts = page[start:].split('class="kind-counts">', 1)[1].split("</p>", 1)[0]
    assert "uit eerdere versies: 2" in counts


def test_group_only_earlier_reactions_stay_within_the_group(app, client, auth, session):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        document = make_document(session)
        v1 = publish(session, document, V1, label="Dialoogversie 1", **OPEN)
        target = section(session, v1, "samenwerking")
        post_comment(session, partner, target, reaction(
            "Intern: eerst bespreken.", group=group_named(session),
            visibility=CommentVisibility.GROUP))  # fmt: skip
        publish(session, document, V2, label="Dialoogversie 2", **OPEN)
    session.commit()
    assert "Intern: eerst bespreken." not in html(client, f"/documents/{SLUG}/v/2/s/samenwerking")
    auth.login(Role.PARTNER)
    assert "Intern: eerst bespreken." in html(client, f"/documents/{SLUG}/v/2/s/samenwerking")


def test_reactions_on_a_removed_section_are_kept_on_a_page_of_their_own(app, client, session):
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        document = make_document(session)
        v1 = publish(session, document, V1, label="Dialoogversie 1", **OPEN)
        react(session, reviewer, section(session, v1, "verwijzing"), "En de GGD?")
        publish(session, document, V2, label="Dialoogversie 2", **OPEN)  # without Verwijzing
    session.commit()
    version_page = html(client, f"/documents/{SLUG}/v/2")
    assert f'href="/documents/{SLUG}/v/2/removed-sections"' in version_page
    page = html(client, f"/documents/{SLUG}/v/2/removed-sections")
    assert "En de GGD?" in page and "Paragraaf verwijderd" in page and "Verwijzing" in page
    assert f'href="/documents/{SLUG}/v/2/removed-sections"' not in html(
        client, f"/documents/{SLUG}/v/1"
    )
