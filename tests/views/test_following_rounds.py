"""Rounds that are easy to follow: lists show only what a visitor may open, each document its
open round, an older version the current one; a version prints and downloads as PDF."""

from __future__ import annotations

import re
import subprocess
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from reviewhub.models import Document, Role, Visibility
from tests.factories import SAMPLE_SLUG, Auth, make_document, publish

SAMPLE = f"/documents/{SAMPLE_SLUG}"
ROLES = [None, Role.READER, Role.PARTNER, Role.REVIEWER, Role.AUTHOR, Role.ADMIN]
# Downloads and forms are not pages to follow; the crawl stays within the documents.
NOT_FOLLOWED = re.compile(r"/export/|\.pdf$|\.md$|/word$|\.xlsx$|/round|/publish|/settings")
LINK = re.compile(r'href="(/documents/[^"]*)"')


@pytest.fixture
def drafts(session):
    """A draft after the sample's versions, and a document with nothing but a draft."""
    sample = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    publish(session, sample, "# Geheim concept\n\nNog niet openbaar.\n", label="Concept 4")
    only_draft = make_document(session, "alleen-concept", "Alleen een concept")
    only_draft.owner = sample.owner
    publish(session, only_draft, "# Klad\n\nTekst.\n", label="Klad")
    session.commit()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_no_link_of_the_documents_leads_to_a_refusal(client, drafts, role):
    """Crawls the document pages as each role: every link answers, none with 403 or 404."""
    if role:
        Auth(client).login(role)
    seen, queue, refused = {"/documents/"}, deque(["/documents/"]), []
    while queue and len(seen) < 60:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            refused.append((url, response.status_code))
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            if link not in seen and not NOT_FOLLOWED.search(urlsplit(link).path):
                seen.add(link)
                queue.append(link)
    assert refused == []
    assert len(seen) > 10  # the crawl did reach the versions


def test_a_document_with_only_a_draft_is_listed_only_for_its_publishers(client, auth, drafts):
    assert "Alleen een concept" not in client.get("/documents/").get_data(as_text=True)
    auth.login(Role.READER)
    assert "Alleen een concept" not in client.get("/documents/").get_data(as_text=True)
    auth.logout()
    auth.login(Role.AUTHOR)
    listing = client.get("/documents/").get_data(as_text=True)
    assert "Alleen een concept" in listing and "1 concept, nog niet gepubliceerd" in listing


def test_the_list_shows_each_documents_open_round_and_current_version(client, drafts):
    listing = client.get("/documents/").get_data(as_text=True)
    card = listing[listing.index("Handelingskader") :]
    assert re.search(
        r"Open voor reacties tot en met 1 maart 2027:</strong>\s*<a[^>]*>Dialoogversie 3", card
    )
    assert re.search(r"Huidige versie: <a[^>]*/v/3\">Dialoogversie 3", card)
    assert "Concept 4" not in listing


def test_an_older_version_points_to_the_current_one_and_its_changes(client):
    old = client.get(f"{SAMPLE}/v/1").get_data(as_text=True)
    assert "Dit is niet de huidige versie." in old
    assert f'href="{SAMPLE}/v/3">Dialoogversie 3 lezen' in old
    assert f'href="{SAMPLE}/compare/1...3"' in old
    assert "Dit is niet de huidige versie." not in client.get(f"{SAMPLE}/v/3").get_data(
        as_text=True
    )


def test_a_draft_does_not_count_as_the_current_version(client, auth, drafts):
    auth.login(Role.AUTHOR)
    assert "Dit is niet de huidige versie." not in client.get(f"{SAMPLE}/v/3").get_data(
        as_text=True
    )
    page = client.get(SAMPLE).get_data(as_text=True)
    assert page.count("badge--current") == 1
    assert re.search(r'id="v3".*?badge--current', page, re.S)


def test_a_version_downloads_as_pdf_with_its_sections(client, tmp_path):
    response = client.get(f"{SAMPLE}/v/3/version.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"{SAMPLE_SLUG}-v3.pdf" in response.headers["Content-Disposition"]
    pdf = tmp_path / "v3.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Dialoogversie 3" in text and "Inhoud" in text and "1.1 Aanleiding" in text
    again = client.get(
        f"{SAMPLE}/v/3/version.pdf", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_pdf_of_a_restricted_document_is_refused_to_outsiders(client, session):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.visibility = Visibility.RESTRICTED
    session.commit()
    response = client.get(f"{SAMPLE}/v/3/version.pdf")
    assert response.status_code in (302, 403) and not response.data.startswith(b"%PDF")


def test_pages_link_the_print_stylesheet(client):
    page = client.get(f"{SAMPLE}/v/3").get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="[^"]*print\.css[^"]*" media="print">', page)
