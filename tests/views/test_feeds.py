"""Atom feeds: a document's versions with their change summaries and comparison links, and the
latest decisions on a version's reactions; valid Atom (RFC 4287's required elements), only what
the visitor may read, linked from the pages, and as cheap with 60 decisions as with 3."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentVisibility, Disposition, Document, Role, Visibility
from tests.factories import SAMPLE_SLUG, group_named, reaction, sample_section, user_with_role
from tests.views.test_page_cache import counting_queries

ATOM = "{http://www.w3.org/2005/Atom}"
VERSIONS = f"/documents/{SAMPLE_SLUG}/versions.atom"
DECISIONS = f"/documents/{SAMPLE_SLUG}/v/3/decisions.atom"


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    for element in [root, *root.findall(f"{ATOM}entry")]:  # what RFC 4287 requires
        assert element.findtext(f"{ATOM}id") and element.findtext(f"{ATOM}title") is not None
        assert element.findtext(f"{ATOM}updated")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    return root


def decided(app, session, count, *, visibility=CommentVisibility.PUBLIC, body="Graag scherper."):
    partner, reviewer = (
        user_with_role(session, Role.PARTNER),
        user_with_role(session, Role.REVIEWER),
    )
    section = sample_section(session)
    with app.app_context():
        for n in range(count):
            made = post_comment(
                session,
                partner,
                section,
                reaction(f"{body} {n}", group=group_named(session), visibility=visibility),
            )
            decide(session, reviewer, made, Decision(Disposition.ACCEPTED, f"Overgenomen {n}."))
    session.commit()


def test_the_versions_feed_holds_each_published_version_with_what_changed(client):
    root = feed(client, VERSIONS)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Dialoogversie 3",
        "Dialoogversie 2",
        "Dialoogversie 1",
    ]
    related = entries[0].find(f"{ATOM}link[@rel='related']")
    assert related is not None and related.get("href", "").endswith("/compare/2...3")
    assert entries[0].findtext(f"{ATOM}summary")
    assert entries[-1].find(f"{ATOM}link[@rel='related']") is None  # nothing before the first


def test_the_decisions_feed_holds_the_latest_decisions_readable_by_the_visitor(
    app, client, session
):
    decided(app, session, 2)
    decided(app, session, 1, visibility=CommentVisibility.GROUP, body="Alleen voor de groep.")
    entries = feed(client, DECISIONS).findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert len(titles) == 2 and all(t.endswith(": Overgenomen") for t in titles)
    content = entries[0].findtext(f"{ATOM}content") or ""
    assert "Overgenomen 1." in content and "Graag scherper. 1" in content
    assert "Alleen voor de groep" not in client.get(DECISIONS).get_data(as_text=True)


def test_a_restricted_documents_feeds_are_not_for_outsiders(client, session):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.visibility, document.groups = Visibility.RESTRICTED, [group_named(session)]
    session.commit()
    assert client.get(VERSIONS).status_code in (302, 403, 404)
    assert client.get(DECISIONS).status_code in (302, 403, 404)


def test_the_pages_link_their_feeds(client):
    version_page = client.get(f"/documents/{SAMPLE_SLUG}/v/3").get_data(as_text=True)
    assert 'type="application/atom+xml"' in version_page and "decisions.atom" in version_page
    document_page = client.get(f"/documents/{SAMPLE_SLUG}").get_data(as_text=True)
    assert "versions.atom" in document_page


@pytest.mark.parametrize("more", [60])
def test_the_decisions_feed_costs_the_same_however_many_decisions(app, client, session, more):
    def statements() -> int:
        with counting_queries(app) as sent:
            assert client.get(DECISIONS).status_code == 200
        return len(sent)

    decided(app, session, 3)
    few = statements()
    decided(app, session, more)
    assert statements() == few
    assert len(feed(client, DECISIONS).findall(f"{ATOM}entry")) == 50  # the latest only
