"""Exports from real feedback: the register (CSV, JSON, and the W3C annotations through the
same rows) holds what the review group reads, the reactienota (Word, PDF) what every
participant may read; filters narrow them as in the workspace; downloads are for those who
read the workspace; the command line writes the same files."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from flask import Flask
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from reviewhub.exports.formats import FORMATS, _w3c, make_export
from reviewhub.exports.nota import build_nota
from reviewhub.exports.pdf_nota import write_pdf
from reviewhub.exports.rows import ExportRequest, Links, Scope, export_rows
from reviewhub.feedback.decisions import Decision, answer_decision, decide
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import Passage, post_comment
from reviewhub.models import (
    AnswerVerdict,
    CommentKind,
    CommentVisibility,
    Disposition,
    Role,
)
from tests.exports import w3c
from tests.exports.test_annotations import make_row
from tests.factories import SAMPLE_SLUG, Auth, group_named, reaction, sample_section, user_with_role

VERSION = f"/documents/{SAMPLE_SLUG}/v/3"


@pytest.fixture
def feedback(app: Flask, session: Session) -> dict:
    """On Dialoogversie 3: a decided suggestion on a passage, objected to; a question; a
    group-only draft; a hidden reaction; and one whose text a spreadsheet would run."""
    partner, reviewer = (
        user_with_role(session, Role.PARTNER),
        user_with_role(session, Role.REVIEWER),
    )
    twente, utrecht = group_named(session), group_named(session, "Proeftuin Utrecht")
    section = sample_section(session)
    exact = section.text.split(".")[0][:40].strip()
    with app.app_context():
        made = {
            "suggestion": post_comment(session, partner, section, reaction(
                "Noem de school.", kind=CommentKind.SUGGESTION, group=twente,
                passage=Passage(exact, start=section.text.index(exact)),
                proposed_text=exact + " en de school")),
            "question": post_comment(session, partner, sample_section(session, 3, "regie"),
                                     reaction("Wie beslist?", group=utrecht)),
            "internal": post_comment(session, partner, section, reaction(
                "Intern.", group=twente, visibility=CommentVisibility.GROUP)),
            "hidden": post_comment(session, partner, section, reaction("Weg.", group=twente)),
            "formula": post_comment(session, partner, section, reaction(
                '=HYPERLINK("http://evil.example")', group=twente)),
        }  # fmt: skip
        decide(
            session,
            reviewer,
            made["suggestion"],
            Decision(Disposition.NOT_ACCEPTED, "Staat al in hoofdstuk 3."),
        )
        answer_decision(
            session,
            partner,
            made["suggestion"],
            AnswerVerdict.OBJECT,
            "Juist hier lezen teams mee.",
        )
        hide_comment(session, reviewer, made["hidden"], "Niet ter zake.")
    session.commit()
    return made


def request_for(session: Session, scope: Scope = Scope.REGISTER) -> ExportRequest:
    version = sample_section(session).version
    return ExportRequest(version.document, version, None, scope)


def test_the_register_holds_what_the_review_group_reads(app, session, feedback):
    with app.test_request_context():
        rows = list(export_rows(session, request_for(session)))
        public = list(export_rows(session, request_for(session, Scope.PUBLIC)))
    assert {r.comment_id for r in rows} == {c.id for c in feedback.values()}
    assert {r.comment_id for r in public} == {
        feedback[name].id for name in ("suggestion", "question", "formula")
    }
    suggestion = next(r for r in rows if r.comment_id == feedback["suggestion"].id)
    assert suggestion.status is Disposition.NOT_ACCEPTED and suggestion.open_objection
    assert suggestion.decided_by == "Carla Reviewer" and suggestion.quote
    assert next(r for r in rows if r.comment_id == feedback["hidden"].id).hidden


def test_csv_has_a_bom_dutch_headers_safe_cells_and_the_filter(app, session, feedback):
    with app.test_request_context():
        request = request_for(session)
        export = make_export(session, request, "csv-semicolon", date(2026, 12, 1))
        data = b"".join(export.chunks)
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Kenmerk", "Versie", "Paragraafnummer"]
    texts = [row[table[0].index("Tekst")] for row in table[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in texts  # shown as text, never run
    assert export.filename == f"register-{SAMPLE_SLUG}-v3.csv"


def test_json_follows_the_schema_and_w3c_annotations_pass_the_musts(app, session, feedback):
    with app.test_request_context():
        data = json.loads(b"".join(make_export(session, request_for(session), "json",
                                               date(2026, 12, 1)).chunks))  # fmt: skip
        annotations = json.loads(b"".join(make_export(session, request_for(session), "w3c",
                                                      date(2026, 12, 1)).chunks))  # fmt: skip
    assert data["schema_version"] == 1 and data["version"]["number"] == 3
    by_id = {item["id"]: item for item in data["reactions"]}
    suggestion = by_id[feedback["suggestion"].id]
    assert suggestion["decision"]["status"] == "not_accepted"
    assert suggestion["answer"] == {"verdict": "object", "text": "Juist hier lezen teams mee."}
    assert suggestion["passage"]["exact"] and suggestion["proposed_wording"]
    items = annotations["first"]["items"]
    assert len(items) == len(feedback)
    for item in items:
        assert (
            w3c.failures(w3c.annotation_musts(), {"@context": annotations["@context"], **item})
            == []
        )


def test_the_reactienota_in_word_has_headings_the_objection_and_opens_in_libreoffice(
    app, session, feedback, tmp_path: Path
):
    with app.test_request_context():
        export = make_export(session, request_for(session), "docx", date(2026, 12, 1))
        path = tmp_path / export.filename
        path.write_bytes(b"".join(export.chunks))
    word = docx.Document(str(path))
    headings = [
        (p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 2", "2.1 Veiligheid voorop") in headings
    assert ("Heading 1", "Wie deden mee") in headings
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Open bezwaar van de indiener: Juist hier lezen teams mee." in text
    assert "Intern." not in text and "Weg." not in text  # for every participant: public only
    assert "Regio Twente" in text and "Proeftuin Utrecht" in text
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    converted = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert converted.returncode == 0, converted.stderr
    assert (tmp_path / path.with_suffix(".pdf").name).read_bytes().startswith(b"%PDF")


def test_the_reactienota_as_pdf_is_tagged_with_bookmarks(app, session, feedback):
    with app.test_request_context():
        version = sample_section(session).version
        rows = export_rows(session, request_for(session, Scope.PUBLIC))
        out = io.BytesIO()
        write_pdf(build_nota(version.document, version, rows, date(2026, 12, 1)), out,
                  uncompressed=True)  # fmt: skip
    pdf = out.getvalue()
    assert pdf.startswith(b"%PDF")
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf  # tagged
    assert b"/Outlines" in pdf  # bookmarks, one per heading
    assert b"/Lang (nl)" in pdf


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_downloads_are_for_the_workspace_readers(client, auth: Auth, feedback, fmt):
    url = f"{VERSION}/export/{fmt}"
    assert client.get(url).status_code == 302  # log in first
    auth.login(Role.PARTNER)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(Role.REVIEWER)
    response = client.get(url + "?status=not_accepted")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/documents/{SAMPLE_SLUG}/export/{fmt}").status_code == 200


def test_a_filtered_download_holds_only_the_filtered_reactions(client, auth: Auth, feedback):
    auth.login(Role.REVIEWER)
    data = client.get(f"{VERSION}/export/json?status=not_accepted").get_data()
    assert [r["id"] for r in json.loads(data)["reactions"]] == [feedback["suggestion"].id]
    assert client.get(f"{VERSION}/export/onbekend").status_code == 404


def test_the_command_line_writes_the_same_files(cli, feedback, tmp_path: Path):
    out = tmp_path / "nota.docx"
    result = cli("export", SAMPLE_SLUG, "--version", "3", "--format", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Wie beslist?" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    filtered = cli("export", SAMPLE_SLUG, "--version", "3", "--format", "csv", "-o", "-",
                   "--status", "not_accepted")  # fmt: skip
    assert filtered.exit_code == 0 and filtered.output.count("\n") == 2  # header and one row
    assert cli("export", "bestaat-niet", "--format", "csv", "-o", "-").exit_code != 0
    assert cli("export", SAMPLE_SLUG, "--format", "csv", "-o", "-", "--status", "new").exit_code


def test_a_pdf_too_large_for_a_page_request_is_refused_with_a_way_out(
    client, auth: Auth, feedback, monkeypatch
):
    monkeypatch.setattr("reviewhub.exports.formats.PDF_LIMIT", 2)
    auth.login(Role.REVIEWER)
    response = client.get(f"{VERSION}/export/pdf", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"{VERSION}/export/pdf/later"  # tests/exports/test_queued.py
    assert "Een PDF van 3 reacties is te groot" in page and "Word" in page  # the public ones
    assert client.get(f"{VERSION}/export/pdf?status=not_accepted").status_code == 200


def test_a_w3c_file_holds_every_annotation_however_many(app, session):
    """One file is one page: beyond the collections' default page size nothing is left out."""
    rows = [make_row(comment_id=n, reference=f"T-1-{n}") for n in range(1, 1202)]
    version = sample_section(session).version
    with app.test_request_context():
        links = Links("https://r.example/comments/{id}", "https://r.example/d/x/v/{number}/s/{key}")
        chunks = _w3c(rows, links, ExportRequest(version.document, version, None), len(rows))
        collection = json.loads(b"".join(chunks))
    assert collection["total"] == 1201 and len(collection["first"]["items"]) == 1201
    assert "next" not in collection["first"]
    assert w3c.failures(w3c.collection_checks(), collection) == []


def _headers(session: Session, fmt: str, language: str) -> list[str]:
    """The header row of a register, or the headings of a reactienota, in ``language``."""
    with force_locale(language):
        data = b"".join(make_export(session, request_for(session), fmt, date(2026, 12, 1)).chunks)
    if fmt == "csv":
        return next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        return [str(cell.value) for cell in next(sheet.iter_rows(max_row=1))]
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx"])
def test_every_export_has_its_headers_in_the_readers_language(app, session, feedback, fmt):
    with app.test_request_context():
        dutch, english = _headers(session, fmt, "nl"), _headers(session, fmt, "en")
    alike = {"Status", "Link", "Reactienota"}  # written the same in both languages
    own = {h for h in dutch if h[:1].isdigit()}  # the document's own section headings
    assert set(dutch) & set(english) <= alike | own and len(dutch) == len(english) > 5
    assert ("Reference" in english or "Summary by status" in english) and "Kenmerk" not in english
