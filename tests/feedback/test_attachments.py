"""Files with a reaction: type by content, size, storage under a random name outside the web
root, a download with safe headers for those who read the reaction, and the person's own
data download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from sqlalchemy import select

from reviewhub.feedback.attachments import (
    DOCX,
    MAX_BYTES,
    ODT,
    PDF,
    AttachmentRefused,
    add_attachment,
    clean_filename,
    content_type,
)
from reviewhub.feedback.posting import post_comment
from reviewhub.models import Attachment, AuditEvent, CommentVisibility, Role
from tests.factories import Auth, group_named, reaction, sample_section, user_with_role

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = WordDocument()
    document.add_paragraph("Position paper van Regio Twente")
    document.save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def zip_of(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF_BYTES, PDF),
        (docx_bytes(), DOCX),
        (odt_bytes(), ODT),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script>", None),
        (zip_of(**{"word/document.xml": "<w/>"}), None),  # no content types: not a DOCX
        (b"PK\x03\x04 broken zip", None),
        (b"", None),
    ],
    ids=["pdf", "docx", "odt", "exe", "html", "zip without types", "broken zip", "empty"],
)
def test_the_type_is_read_from_the_content(data, expected):
    assert content_type(data) == expected


def test_the_name_keeps_what_it_said_but_ends_in_the_real_type():
    assert clean_filename("../../etc/Standpunt regio.pdf", PDF) == "Standpunt regio.pdf"
    assert clean_filename("C:\\Users\\x\\brief.exe", DOCX) == "brief.docx"
    assert clean_filename("ra\u202eraw.pdf", PDF) == "raraw.pdf"  # no bidi tricks
    assert clean_filename("...", ODT) == "bijlage.odt"


@pytest.fixture
def posted(app, session):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        new = reaction("Zie ons standpunt.", group=group_named(session))
        comment = post_comment(session, partner, sample_section(session), new)
    session.commit()
    return comment


def test_a_file_is_stored_under_a_random_name_and_audited(app, session, posted, tmp_path):
    partner = posted.author
    with app.app_context():
        attachment = add_attachment(session, tmp_path, partner, posted, "standpunt.pdf", PDF_BYTES)
    session.commit()
    stored = tmp_path / attachment.stored_name
    assert stored.read_bytes() == PDF_BYTES and "standpunt" not in attachment.stored_name
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert (attachment.content_type, attachment.size) == (PDF, len(PDF_BYTES))
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "attachment.added"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00", "is geen pdf-, Word- (.docx) of OpenDocument-tekst (.odt)"),
        (
            "groot.pdf",
            b"%PDF-" + b"0" * MAX_BYTES,
            "is 10.0 MB; een bijlage mag hoogstens 10 MB zijn",
        ),
        ("leeg.pdf", b"", "is leeg"),
    ],
    ids=["wrong type", "too large", "empty"],
)
def test_refused_files_say_why_and_store_nothing(app, session, posted, tmp_path, name, data,
                                                 message):  # fmt: skip
    with app.app_context(), pytest.raises(AttachmentRefused, match=re.escape(message)):
        add_attachment(session, tmp_path, posted.author, posted, name, data)
    assert list(tmp_path.iterdir()) == [] and posted.attachments == []


def test_only_the_author_attaches_to_a_reaction(app, session, posted, tmp_path):
    with app.app_context(), pytest.raises(AttachmentRefused, match="alleen bestanden bij uw eigen"):
        add_attachment(session, tmp_path, user_with_role(session, Role.REVIEWER), posted,
                       "x.pdf", PDF_BYTES)  # fmt: skip


# Through the pages ---------------------------------------------------------------------------


@pytest.fixture
def folder(app, tmp_path) -> Path:
    app.config["ATTACHMENT_FOLDER"] = str(tmp_path / "attachments")
    yield Path(app.config["ATTACHMENT_FOLDER"])
    app.config["ATTACHMENT_FOLDER"] = ""


def attach(client, comment, data: bytes, name: str):
    return client.post(f"/comments/{comment.id}/attachments",
                       data={"attachment": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def test_attaching_later_and_downloading_with_safe_headers(client, session, posted, folder):
    Auth(client).login(Role.PARTNER)
    response = attach(client, posted, docx_bytes(), "Standpunt Twente.docx")
    assert response.status_code == 302 and response.location.endswith(f"#c-{posted.id}")
    attachment = session.scalars(select(Attachment)).one()
    assert list(folder.iterdir()) == [folder / attachment.stored_name]
    url = f"/attachments/{attachment.id}/{attachment.filename}"
    download = client.get(url)
    assert download.status_code == 200 and download.mimetype == DOCX
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == docx_bytes() or download.data.startswith(b"PK")
    Auth(client).logout()
    assert client.get(url).status_code == 200  # a public reaction's file: anyone reads it
    assert client.get(f"/attachments/{attachment.id}/other.docx").status_code == 404


def test_a_refused_file_is_told_in_the_thread(client, posted, folder):
    Auth(client).login(Role.PARTNER)
    response = attach(client, posted, b"MZ\x90\x00", "programma.exe")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "programma.exe is geen pdf-, Word- (.docx) of OpenDocument-tekst (.odt)" in page


def test_a_group_only_reactions_file_stays_in_the_group(app, client, session, folder):
    partner = user_with_role(session, Role.PARTNER)
    new = reaction("Intern standpunt.", group=group_named(session),
                   visibility=CommentVisibility.GROUP)  # fmt: skip
    with app.app_context():
        comment = post_comment(session, partner, sample_section(session), new)
        attachment = add_attachment(session, folder, partner, comment, "intern.pdf", PDF_BYTES)
    session.commit()
    url = f"/attachments/{attachment.id}/{attachment.filename}"
    assert client.get(url).status_code in (302, 403)
    Auth(client).login(Role.READER)
    assert client.get(url).status_code == 403
    Auth(client).logout()
    Auth(client).login(Role.REVIEWER)
    assert client.get(url).status_code == 200


def test_a_deleted_reactions_file_is_no_longer_served(app, client, session, posted, folder):
    with app.app_context():
        attachment = add_attachment(session, folder, posted.author, posted, "a.pdf", PDF_BYTES)
    session.commit()
    Auth(client).login(Role.PARTNER)
    client.post(f"/comments/{posted.id}/delete")
    assert client.get(f"/attachments/{attachment.id}/a.pdf").status_code == 403


def test_the_personal_data_download_holds_everything_and_the_files(app, client, session, posted,
                                                                   folder):  # fmt: skip
    with app.app_context():
        add_attachment(session, folder, posted.author, posted, "standpunt.pdf", PDF_BYTES)
    session.commit()
    Auth(client).login(Role.PARTNER)
    client.post(f"/comments/{posted.id}/report", data={"reason": "Test van een melding"})
    response = client.get("/me/data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("reviewhub-mijn-gegevens.json"))
        files = [n for n in names if n.startswith("bijlagen/")]
        assert len(files) == 1 and archive.read(files[0]) == PDF_BYTES
    mine = [r for r in data["reactions_and_replies"] if r["reference"] == posted.reference]
    assert mine and mine[0]["body"] == "Zie ons standpunt."
    assert mine[0]["attachments"][0]["filename"] == "standpunt.pdf"
    assert data["reports"] and data["reports"][0]["reason"] == "Test van een melding"
    assert {"answers_to_decisions", "decisions_taken", "group_positions_sent"} <= data.keys()
