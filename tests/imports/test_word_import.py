"""A Word file with comments, through the pages: the version downloaded as Word, commented and
changed with tracking, uploaded; every comment becomes a reaction on the passage it marks in
the right section, every tracked change a suggestion with the new wording; a file without
comments says so and imports nothing."""

from __future__ import annotations

import io
import re

import docx
from sqlalchemy import func, select

from reviewhub.models import Comment, CommentKind, Role
from tests.factories import SAMPLE_SLUG, Auth, group_named, sample_section
from tests.imports.test_word import _isolate, _replace, _save

BASE = f"/documents/{SAMPLE_SLUG}/v/3"


def upload(client, data: bytes, group: int):
    return client.post(f"{BASE}/import", data={
        "kind": "word", "group": str(group), "upload": (io.BytesIO(data), "twente.docx")},
        content_type="multipart/form-data")  # fmt: skip


def test_comments_and_tracked_changes_become_reactions_in_their_sections(client, auth: Auth,
                                                                          session):  # fmt: skip
    auth.login(Role.REVIEWER)
    downloaded = client.get(f"{BASE}/word")
    assert downloaded.status_code == 200
    document = docx.Document(io.BytesIO(downloaded.data))
    safety, direction = sample_section(session), sample_section(session, 3, "regie")
    quote = safety.text.split(".")[0][:30].strip()
    document.add_comment(_isolate(document, quote), "Wat betekent dit voor scholen?", "Anna")
    whole = "\n".join(p.text for p in document.paragraphs)
    changed = next(w for w in direction.text.split(" ")  # a word only it has, changed
                   if len(w) > 8 and w.isalpha() and whole.count(w) == 1)  # fmt: skip
    _replace(document, changed, changed + "s", "Bert", 500)
    twente = group_named(session)
    preview = upload(client, _save(document), twente.id)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "Wat betekent dit voor scholen?" in page
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(f"{BASE}/import/confirm", data={"token": token}).status_code == 302
    made = {c.section.key: c for c in session.scalars(select(Comment))}
    question = made[safety.key]
    assert question.kind is CommentKind.QUESTION and question.quote_exact == quote
    assert question.group == twente and question.imported_author == "Anna"
    suggestion = made[direction.key]
    assert suggestion.kind is CommentKind.SUGGESTION
    assert changed in (suggestion.quote_exact or "")
    assert changed + "s" in (suggestion.proposed_text or "")


def test_a_word_file_without_comments_imports_nothing(client, auth: Auth, session):
    auth.login(Role.REVIEWER)
    plain = client.get(f"{BASE}/word").data
    response = upload(client, plain, group_named(session).id)
    assert response.status_code == 422
    assert "Het bestand bevat geen reacties." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_spreadsheet_sent_as_word_is_refused_clearly(client, auth: Auth, session):
    auth.login(Role.REVIEWER)
    response = upload(client, b"Paragraaf;Reactie\n2.1;Hoi\n", group_named(session).id)
    assert response.status_code == 400
    assert "geen Word-document" in response.get_data(as_text=True)


def test_a_partner_posts_their_own_word_comments_for_their_group(client, auth: Auth, session):
    auth.login(Role.PARTNER)
    version_page = client.get(BASE).get_data(as_text=True)
    assert f'href="{BASE}/import"' in version_page and f'href="{BASE}/word"' in version_page
    document = docx.Document(io.BytesIO(client.get(f"{BASE}/word").data))
    safety = sample_section(session)
    quote = safety.text.split(".")[0][:30].strip()
    document.add_comment(_isolate(document, quote), "Geldt dit ook voor de school?", "Dewi")
    twente = group_named(session)
    assert "Een spreadsheet" not in client.get(f"{BASE}/import").get_data(as_text=True)
    other = group_named(session, "Regio Noord-Holland Noord")  # not theirs
    assert upload(client, _save(document), other.id).status_code == 400
    preview = upload(client, _save(document), twente.id)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = client.post(f"{BASE}/import/confirm", data={"token": token})
    assert done.status_code == 302 and done.location.endswith(BASE)
    made = session.scalars(select(Comment)).one()
    assert made.author.email == "partner@example.org" and made.group == twente
    assert made.quote_exact == quote and made.import_id is not None
    # A spreadsheet is the review group's to import.
    sheet = upload(client, b"Paragraaf;Reactie\n2.1;Hoi\n", twente.id)
    assert (
        sheet.status_code == 400 and session.scalar(select(func.count()).select_from(Comment)) == 1
    )
