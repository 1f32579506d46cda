"""The compare page, its views and downloads, section history and the links from the reading
page. The `diff` command is tested in tests/cli/test_compare.py."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from reviewhub.models import Role, VersionStatus
from tests.factories import SAMPLE_SLUG, make_document, publish

SAMPLE = f"/documents/{SAMPLE_SLUG}"
COMPARE = f"{SAMPLE}/compare/1...3"


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def in_english(client) -> None:
    """New strings are translated when the catalogue is merged; until then test their msgids."""
    client.post("/language", data={"language": "en"})


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<(section|details) [^>]*id="{anchor}".*?</\1>', page, re.S)
    assert match, anchor
    return match.group(0)


# --- The compare page --------------------------------------------------------------------------


def test_compare_page_summarises_and_lists_every_change(client):
    in_english(client)
    page = page_of(client.get(COMPARE))
    assert "What changed from Dialoogversie 1 to Dialoogversie 3" in page
    for line in [
        "5 sections added",
        "3 sections removed",
        "4 sections moved",
        "4 headings changed",
        "13 sections with edited text",
        "34 sections unchanged",
    ]:
        assert f"<li>{line}</li>" in page
    assert re.search(r"<li>\d+ words added, \d+ words removed</li>", page)
    changes = re.search(r'<ol class="change-list">(.*?)</ol>', page, re.S).group(1)
    assert changes.count("<li>") == 26
    assert 'href="#s-regie"' in changes and 'href="#removed-' in changes


def test_changed_sections_show_their_word_diff_and_unchanged_ones_are_collapsed(client):
    page = page_of(client.get(COMPARE))
    doel = section(page, "s-doel-van-dit-handelingskader")
    assert '<del><span class="diff-label">' in doel and ">geeft</del>" in doel
    assert '<ins><span class="diff-label">' in doel and ">biedt</ins>" in doel
    unchanged = section(page, "s-veiligheid")
    assert unchanged.startswith('<details class="cmp-unchanged" id="s-veiligheid">')
    assert "<summary>" in unchanged and "Veiligheid voorop" in unchanged


def test_a_moved_and_renamed_section_shows_both_once(client):
    in_english(client)
    page = page_of(client.get(COMPARE))
    regie = section(page, "s-regie")
    assert "3.5 → 2.4" in regie and "Moved from 3.5 to 2.4" in regie
    assert re.search(r"<del>.*Regie en casusverantwoordelijkheid</del>", regie)
    assert re.search(r"<ins>.*Wie houdt het overzicht\?</ins>", regie)
    assert 'id="removed-regie"' not in page and page.count('id="s-regie"') == 1


def test_added_and_removed_sections_are_marked_whole(client):
    page = page_of(client.get(COMPARE))
    added = section(page, "s-onderwijs-en-kinderopvang")
    assert '<ins class="diff-block"><span class="diff-label">' in added
    removed = section(page, "removed-veelgestelde-vragen")
    assert '<del class="diff-block"><span class="diff-label">' in removed
    assert 'id="fn' not in removed  # footnote ids of the older version are prefixed


def test_lists_and_tables_keep_their_form_in_the_diff(client):
    page = page_of(client.get(f"{SAMPLE}/compare/1...2"))
    local_team = section(page, "s-lokaal-team")
    assert '<li class="diff-li--insert"><ins class="diff-block">' in local_team
    phases = section(page, "s-overzicht-van-de-fasen")
    assert "<table>" in phases and "<del>" in phases and "Warme overdracht</ins>" in phases


def test_side_by_side_and_source_views_are_one_link_away(client):
    page = page_of(client.get(COMPARE))
    assert f'href="{COMPARE}?view=side"' in page and f'href="{COMPARE}?view=source"' in page
    assert f'href="{COMPARE}?view=inline" aria-current="page"' in page
    side = page_of(client.get(f"{COMPARE}?view=side"))
    doel = section(side, "s-doel-van-dit-handelingskader")
    assert '<table class="side-by-side">' in doel and '<th scope="col">Dialoogversie 1</th>' in doel
    source = page_of(client.get(f"{COMPARE}?view=source"))
    assert re.search(r'<pre class="diff-source">.*<ins>', section(source, "s-lokaal-team"), re.S)
    assert page_of(client.get(f"{COMPARE}?view=onzin")).count('aria-current="page"') >= 1


def test_comparing_a_version_with_itself_shows_no_changes(client):
    in_english(client)
    page = page_of(client.get(f"{SAMPLE}/compare/2...2"))
    assert "You are comparing a version with itself." in page
    assert "nothing changed" in page and "<ins" not in page


def test_newer_to_older_is_shown_older_to_newer(client):
    response = client.get(f"{SAMPLE}/compare/3...1?view=side")
    assert response.status_code == 302
    assert response.location.endswith(f"{COMPARE}?view=side")


@pytest.mark.parametrize(
    "url",
    [
        f"{SAMPLE}/compare/1...9",
        f"{SAMPLE}/compare/9...1",
        "/documents/onbekend/compare/1...2",
        f"{SAMPLE}/compare/1...9/export.docx",
        f"{COMPARE}/export.pdf",
        f"{SAMPLE}/sections/bestaat-niet/history",
    ],
)
def test_unknown_versions_answer_404(client, url):
    assert client.get(url, follow_redirects=True).status_code == 404


def test_versions_of_another_document_cannot_be_picked(client):
    # Each URL names one document: its version numbers are looked up in that document only.
    assert client.get("/documents/werkwijze-proeftuinen/compare/1...3").status_code == 404


def test_a_draft_is_compared_only_by_those_who_may_read_it(client, session, auth):
    document = make_document(session, "concept-vergelijking")
    publish(session, document, "# A\n\nTekst.\n", status=VersionStatus.CLOSED)
    publish(session, document, "# A\n\nNieuwe tekst.\n", status=VersionStatus.DRAFT)
    session.commit()
    url = "/documents/concept-vergelijking/compare/1...2"
    assert "/login" in client.get(url).location
    auth.login(Role.READER)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(Role.ADMIN)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url", [COMPARE, f"{COMPARE}?view=side", f"{SAMPLE}/sections/regie/history"]
)
def test_compare_pages_have_no_inline_script_or_style(client, url):
    page = page_of(client.get(url))
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and not re.search(r"\sstyle=", page)
    assert re.search(r'href="/static/css/compare\.css\?v=[0-9a-f]{12}"', page)


# --- From the reading page -----------------------------------------------------------------------


def test_changed_sections_link_to_their_diff_with_the_previous_version(client):
    page = page_of(client.get(f"{SAMPLE}/v/2"))
    assert f'href="{SAMPLE}/compare/1...2#s-doel-van-dit-handelingskader"' in page
    unchanged = re.search(
        r'<section class="doc-section[^"]*" id="s-veiligheid".*?</section>', page, re.S
    )
    assert "/compare/" not in unchanged.group(0)


def test_a_version_page_offers_to_compare_with_another_version(client):
    page = page_of(client.get(f"{SAMPLE}/v/3"))
    form = re.search(r'<form class="compare-with".*?</form>', page, re.S).group(0)
    assert 'method="get"' in form and f'action="{SAMPLE}/compare"' in form
    assert '<option value="2" selected>Dialoogversie 2</option>' in form
    assert '<option value="3"' not in form
    response = client.get(f"{SAMPLE}/compare?from=3&with=1")
    assert response.status_code == 302 and response.location.endswith(COMPARE)
    half = client.get(f"{SAMPLE}/compare?from=3")  # one version only: back, with a message
    assert half.status_code == 302 and half.location.endswith(SAMPLE)


# --- Section history -----------------------------------------------------------------------------


def test_section_history_shows_each_version_and_what_happened(client):
    in_english(client)
    page = page_of(client.get(f"{SAMPLE}/sections/regie/history"))
    assert "History of Wie houdt het overzicht?" in page
    assert (
        page.index("Dialoogversie 1")
        < page.index("Dialoogversie 2")
        < page.index("Dialoogversie 3")
    )
    assert "Appeared in this version as 3.5 Regie en casusverantwoordelijkheid." in page
    assert "Moved from 3.5 to 2.4" in page
    assert re.search(r"<del>.*Regie en casusverantwoordelijkheid</del>", page)
    assert f'href="{SAMPLE}/compare/2...3#s-regie"' in page


def test_section_history_ends_where_the_section_was_removed(client):
    in_english(client)
    page = page_of(client.get(f"{SAMPLE}/sections/veelgestelde-vragen/history"))
    assert "Removed in this version (it was 5.5 Veelgestelde vragen)." in page


# --- Downloads ----------------------------------------------------------------------------------


def test_html_download_is_a_standalone_attachment(client):
    response = client.get(f"{COMPARE}/export.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{SAMPLE_SLUG}-v1-v3-wijzigingen.html"'
    page = response.get_data(as_text=True)
    assert page.startswith("<!doctype html>") and "<style>" in page and ".diff-block" in page
    assert "<script" not in page and "/static/" not in page and "?view=" not in page
    assert '<del><span class="diff-label">' in page


def docx_xml(response) -> str:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return archive.read("word/document.xml").decode()


def test_word_download_holds_tracked_insertions_and_deletions(client):
    response = client.get(f"{COMPARE}/export.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    xml = docx_xml(response)
    assert re.search(
        r'<w:ins w:id="\d+" w:author="ReviewHub" w:date="2026-11-02T\d\d:00:00Z">', xml
    )
    assert re.search(r"<w:del [^>]*><w:r><w:delText[^>]*>geeft</w:delText>", xml)
    assert re.search(r"<w:ins [^>]*><w:r><w:t[^>]*>biedt</w:t>", xml)
    assert re.search(r"<w:trPr><w:ins ", xml) is None  # no table row was added from 1 to 3
    assert re.search(r"<w:pPr>.*?<w:rPr><w:del ", xml)  # removed paragraphs go whole


def soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: .ci/run should install it")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    return path


def test_libreoffice_reads_the_word_download_as_tracked_changes(client, tmp_path: Path):
    program = soffice()
    document = tmp_path / "wijzigingen.docx"
    document.write_bytes(client.get(f"{SAMPLE}/compare/1...2/export.docx").data)
    subprocess.run(
        [
            program, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
            "--convert-to", "fodt", "--outdir", str(tmp_path), str(document),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    flat = (tmp_path / "wijzigingen.fodt").read_text(encoding="utf-8")
    tracked = re.search(r"<text:tracked-changes[^>]*>(.*?)</text:tracked-changes>", flat, re.S)
    assert tracked, "no tracked changes in LibreOffice's reading of the document"
    regions = re.findall(r"<text:changed-region.*?</text:changed-region>", tracked.group(1), re.S)
    assert any("<text:insertion>" in region for region in regions)
    assert any("<text:deletion>" in region for region in regions)
    assert all("<dc:creator>ReviewHub</dc:creator>" in region for region in regions)
