"""Reading pages: document list, timeline, version page, download, headers."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from reviewhub.extensions import cache
from reviewhub.models import Role, VersionStatus
from tests.factories import SAMPLE_SLUG, make_document, publish, user_with_role

SAMPLE = f"/documents/{SAMPLE_SLUG}"


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_front_page_leads_to_the_documents(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/documents/")


def test_document_list_shows_each_document_with_its_latest_version(client):
    page = html_of(client.get("/documents/"))
    assert "Handelingskader voor professionals" in page
    assert "Dialoogversie 3" in page and "3 versies" in page
    assert 'lang="nl"' in page


def test_document_page_shows_the_versions_as_a_timeline_newest_first(client):
    page = html_of(client.get(SAMPLE))
    labels = re.findall(r"Dialoogversie \d", page)
    assert labels[:3] == ["Dialoogversie 3", "Dialoogversie 2", "Dialoogversie 1"]
    assert "Open voor reacties" in page and "Gesloten" in page
    assert "Reageren kan tot en met 1 maart 2027." in page
    assert "2 november 2026" in page


def test_version_page_has_contents_numbers_and_permalinks(client):
    page = html_of(client.get(f"{SAMPLE}/v/1"))
    assert '<nav class="toc" aria-labelledby="toc-title">' in page
    assert 'id="s-veiligheid"' in page and 'href="#s-veiligheid"' in page
    assert '<span class="section-number">2.1</span>' in page
    assert "marker" not in page  # nothing is marked in a first version


def test_version_page_marks_each_kind_of_change(client):
    page = html_of(client.get(f"{SAMPLE}/v/2"))
    assert "Nieuw in deze versie" in page
    assert "Verplaatst (was 2.4)" in page
    assert "Hernoemd (was: Regie en casusverantwoordelijkheid)" in page
    assert "Gewijzigd" in page
    assert "Verplaatst (was 4.5.1.1), tekst gewijzigd" in page


def test_version_page_lists_removed_sections_with_links_to_the_previous_version(client):
    page = html_of(client.get(f"{SAMPLE}/v/2"))
    assert "Vervallen sinds de vorige versie" in page
    assert "Totstandkoming van deze versie" in page
    assert f'href="{SAMPLE}/v/1#s-' in page


def test_unchanged_sections_carry_no_marker(client):
    page = html_of(client.get(f"{SAMPLE}/v/3"))
    section = re.search(
        r'<section class="doc-section[^"]*" id="s-veiligheid".*?</section>', page, re.S
    )
    assert section and "marker" not in section.group(0)


def test_markdown_download_is_the_published_source(client):
    response = client.get(f"{SAMPLE}/v/2/source.md")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert f'filename="{SAMPLE_SLUG}-v2.md"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).startswith("---\nlabel: Dialoogversie 2")


@pytest.mark.parametrize(
    "url", ["/documents/onbekend", f"{SAMPLE}/v/99", f"{SAMPLE}/v/99/source.md", "/nergens"]
)
def test_unknown_pages_answer_404_in_dutch(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_drafts_are_shown_only_to_their_author_and_administrators(client, session, auth):
    document = make_document(session, "concept-kader")
    document.owner = user_with_role(session, Role.AUTHOR)
    publish(session, document, "# Concept\n", label="Concept", status=VersionStatus.DRAFT)
    session.commit()
    url = "/documents/concept-kader/v/1"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.location
    assert "Concept</a>" not in client.get("/documents/concept-kader").get_data(as_text=True)
    for role, status in [(Role.READER, 403), (Role.REVIEWER, 403), (Role.AUTHOR, 200)]:
        auth.login(role)
        assert client.get(url).status_code == status, role
        auth.logout()
    auth.login(Role.ADMIN)
    assert client.get(url).status_code == 200


def test_every_response_carries_the_security_headers(client):
    response = client.get(f"{SAMPLE}/v/3")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/documents/", SAMPLE, f"{SAMPLE}/v/3", "/login"])
def test_pages_have_no_inline_script_or_style(client, url):
    page = html_of(client.get(url))
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_stylesheet_is_served_with_a_content_hash_and_long_caching(client):
    page = html_of(client.get("/documents/"))
    href = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page)
    assert href
    response = client.get(href.group(1))
    response.close()
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_pages_can_be_switched_to_english(client):
    response = client.post("/language", data={"language": "en", "next": f"{SAMPLE}/v/2"})
    assert response.status_code == 302 and response.location.endswith(f"{SAMPLE}/v/2")
    page = html_of(client.get(f"{SAMPLE}/v/2"))
    assert 'lang="en"' in page and "New in this version" in page


def test_language_switch_ignores_foreign_redirects_and_unknown_languages(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example"})
    assert response.location.endswith("/documents/")
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_sections_keep_their_structure_and_escape_html(client, session):
    document = make_document(session, "opmaak")
    publish(
        session,
        document,
        "# Tabel\n\n| a | b |\n|---|---|\n| 1 | <b>2</b> |\n\n[x](javascript:alert(1))\n",
        status=VersionStatus.CLOSED,
    )
    session.commit()
    page = html_of(client.get("/documents/opmaak/v/1"))
    assert "<table>" in page and "&lt;b&gt;2&lt;/b&gt;" in page
    assert "[x](javascript:alert(1))" in page and 'href="javascript' not in page


def test_closed_versions_say_when_feedback_closed(client):
    page = html_of(client.get(f"{SAMPLE}/v/1"))
    assert "Reageren was mogelijk tot en met 15 april 2026." in page


def test_an_open_version_past_its_closing_date_shows_as_closed(client, session):
    document = make_document(session, "verlopen")
    publish(
        session,
        document,
        "# A\n",
        status=VersionStatus.OPEN,
        closes_on=date(2020, 1, 31),
        published_at=datetime(2020, 1, 6, 9),  # published then: open until that date
    )
    session.commit()
    page = html_of(client.get("/documents/verlopen/v/1"))
    assert "Gesloten" in page and "Open voor reacties" not in page
    assert "Reageren was mogelijk tot en met 31 januari 2020." in page


def without_tokens(page: str) -> str:
    """A page without its CSRF tokens, which carry the second they were made."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def test_the_version_text_is_rendered_once_per_language(client, monkeypatch):
    """The contents and sections never change: rendered on the first request, kept for the
    next ones, one text per language; what depends on the visitor is filled in each time."""
    from reviewhub.views import textcache

    rendered = []
    render = textcache.render_template

    def counting(name, **context):
        rendered.append(name)
        return render(name, **context)

    monkeypatch.setattr(textcache, "render_template", counting)
    monkeypatch.setattr(textcache, "_kept", type(textcache._kept)())
    with client.application.app_context():
        cache.clear()  # whole pages kept for anonymous visitors would skip the text
    dutch = [html_of(client.get(f"{SAMPLE}/v/3")) for _ in range(2)]
    assert rendered == ["documents/_version_text.html"]
    assert without_tokens(dutch[0]) == without_tokens(dutch[1])
    client.post("/language", data={"language": "en"})
    english = html_of(client.get(f"{SAMPLE}/v/3"))
    assert len(rendered) == 2 and "Contents" in english and "Inhoud" in dutch[0]
    assert "<!--rh:" not in english  # every mark is filled in


def test_ones_reactions_and_the_moderation_queue_come_in_pages(client, auth, session):
    """Both grew without bound: a partner with thousands of reactions got a 3 MB page."""
    from reviewhub.models import Comment, CommentState
    from tests.factories import sample_section

    section = sample_section(session)
    partner = user_with_role(session, Role.PARTNER)
    session.add_all(
        Comment(section=section, author=partner, body=f"Reactie {n}", body_html=f"<p>{n}</p>",
                state=CommentState.PENDING, client_token=f"page-{n}")
        for n in range(55)
    )  # fmt: skip
    session.commit()
    auth.login(Role.PARTNER)
    mine = html_of(client.get("/me/feedback"))
    assert mine.count("<tr>") == 50 + 1 and 'rel="next"' in mine  # a header row and 50
    assert "Reactie 4" in html_of(client.get("/me/feedback?page=2"))
    auth.logout()
    auth.login(Role.REVIEWER)
    queue = html_of(client.get(f"/documents/{SAMPLE_SLUG}/moderation"))
    assert queue.count('class="queue-item"') == 50 and 'rel="next"' in queue
