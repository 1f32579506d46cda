"""Drafts stay private: a draft is matched with the public chain, but nothing public is ever
matched with or compared to it, so no heading, key, text or label of a draft shows anywhere to
someone who may not read it."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from reviewhub.compare.versions import clear_cache
from reviewhub.models import Role, Section, VersionStatus
from reviewhub.publishing import removed_sections
from tests.factories import Auth, make_document, publish, user_with_role

SLUG = "kader-met-concept"
BASE = f"/documents/{SLUG}"
OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 1, 1)}

V1 = """# Veiligheid

De veiligheid van het kind staat voorop in elk gesprek.

# Samenwerking

Partners delen wat nodig is, op tijd en met toestemming.

# Oude bijlage

Deze bijlage verdwijnt later.
"""

# The draft renames, adds and removes sections; none of its words may leak.
V2_DRAFT = """# Geheime kopregel

De veiligheid van het kind staat voorop in elk gesprek.

# Samenwerking

Partners delen wat nodig is, op tijd en met toestemming. Vertrouwelijke conceptzin.

# Geheim plan

Een plan dat nog niemand mag zien.

# Oude bijlage

Deze bijlage verdwijnt later.
"""

V3 = """# Veiligheid thuis

De veiligheid van het kind staat voorop in elk gesprek.

# Samenwerking

Partners delen wat nodig is, op tijd en met uitdrukkelijke toestemming.

# Nieuw hoofdstuk

Een nieuw hoofdstuk voor iedereen.
"""

SECRETS = ("Geheime", "geheime", "Geheim plan", "geheim-plan", "Vertrouwelijke", "Conceptlabel")


@pytest.fixture
def chain(session):
    """v1 open, v2 a draft, v3 open: the order the probe used."""
    clear_cache()
    document = make_document(session, SLUG, "Kader met concept")
    document.owner = user_with_role(session, Role.AUTHOR)
    versions = [
        publish(session, document, V1, label="Dialoogversie 1", **OPEN),
        publish(session, document, V2_DRAFT, label="Conceptlabel 2", status=VersionStatus.DRAFT),
        publish(session, document, V3, label="Dialoogversie 3", **OPEN),
    ]
    session.commit()
    yield versions
    clear_cache()


def _public_pages(client, versions) -> list[str]:
    keys = {s.key for v in (versions[0], versions[2]) for s in v.sections}
    pages = ["/documents/", BASE, f"{BASE}/v/1", f"{BASE}/v/3", f"{BASE}/v/3/source.md"]
    compare = f"{BASE}/compare/1...3"
    pages += [compare, f"{compare}?view=side", f"{compare}?view=source", f"{compare}/export.html"]
    pages += [f"{BASE}/sections/{key}/history" for key in sorted(keys)]
    return pages


def _text_of(response) -> str:
    if response.mimetype.endswith("wordprocessingml.document"):
        with zipfile.ZipFile(io.BytesIO(response.data)) as docx:
            return docx.read("word/document.xml").decode()
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [None, Role.PARTNER, Role.READER, Role.REVIEWER])
def test_no_page_or_export_shows_anything_of_a_draft(client, chain, role):
    if role is not None:
        Auth(client).login(role)
    pages = [*_public_pages(client, chain), f"{BASE}/compare/1...3/export.docx"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        text = _text_of(response)
        leaked = [secret for secret in SECRETS if secret in text]
        assert leaked == [], (page, leaked)


def test_the_public_chain_skips_the_draft(session, chain):
    v1, draft, v3 = chain
    renamed = next(s for s in v3.sections if s.heading == "Veiligheid thuis")
    assert renamed.predecessor.version_id == v1.id  # not the draft's "Geheime kopregel"
    assert renamed.change_kind.value == "renamed"
    assert all(s.predecessor is None or s.predecessor.version_id == v1.id for s in v3.sections)
    new = next(s for s in v3.sections if s.heading == "Nieuw hoofdstuk")
    assert new.key == "nieuw-hoofdstuk"
    assert [s.heading for s in removed_sections(session, v3)] == ["Oude bijlage"]
    draft_plan = next(s for s in draft.sections if s.heading == "Geheim plan")
    assert draft_plan.predecessor is None and draft_plan.key == "geheim-plan"


def test_the_version_page_compares_with_the_previous_public_version(client, chain):
    page = client.get(f"{BASE}/v/3").get_data(as_text=True)
    assert "Hernoemd (was: Veiligheid)" in page
    assert re.search(r'<option value="1" selected>Dialoogversie 1</option>', page)


def test_a_draft_only_section_has_no_history_for_the_public(client, chain):
    assert client.get(f"{BASE}/sections/geheim-plan/history").status_code == 404
    Auth(client).login(Role.PARTNER)
    assert client.get(f"{BASE}/sections/geheim-plan/history").status_code == 404


def test_a_draft_is_refused_to_those_who_may_not_read_it(client, chain):
    assert client.get(f"{BASE}/v/2").status_code == 302  # to log in
    assert client.get(f"{BASE}/compare/1...2").status_code == 302
    Auth(client).login(Role.PARTNER)
    for page in (f"{BASE}/v/2", f"{BASE}/v/2/source.md", f"{BASE}/compare/2...3"):
        assert client.get(page).status_code == 403, page


def test_the_author_sees_the_draft_against_the_public_versions(client, chain):
    Auth(client).login(Role.AUTHOR)
    draft_page = client.get(f"{BASE}/v/2").get_data(as_text=True)
    assert "Hernoemd (was: Veiligheid)" in draft_page and "Geheim plan" in draft_page
    assert "Conceptlabel 2" in client.get(BASE).get_data(as_text=True)
    history = client.get(f"{BASE}/sections/geheim-plan/history")
    assert history.status_code == 200 and "Geheim plan" in history.get_data(as_text=True)
    # A draft and a later version sit on two branches from v1: sections pair up by key.
    sideways = client.get(f"{BASE}/compare/2...3").get_data(as_text=True)
    assert "Samenwerking" in sideways and "uitdrukkelijke" in sideways


def test_the_public_history_compares_the_public_versions_only(client, session, chain):
    key = session.scalars(
        select(Section.key).where(
            Section.version_id == chain[0].id, Section.heading == "Samenwerking"
        )
    ).one()
    page = client.get(f"{BASE}/sections/{key}/history").get_data(as_text=True)
    assert "uitdrukkelijke" in page and "Vertrouwelijke" not in page
    assert "Conceptlabel" not in page
