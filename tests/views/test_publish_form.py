"""The author's publish form: upload or paste, every bad input answered, nothing lost."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from reviewhub.models import ChangeKind, Document, Role, Version
from tests.factories import SAMPLE_SLUG, publish_through_form

FORM = "/documents/publish"


def form_data(**fields):
    data = {
        "document": "__new__",
        "new_slug": "web-kader",
        "new_title": "Webkader",
        "label": "Dialoogversie 1",
        "status": "",
        "closes_on": "",
        "summary": "",
        "source_text": "",
    }
    data.update(fields)
    return data


def upload(content: bytes, name: str = "kader.md"):
    return (io.BytesIO(content), name)


def version_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Version))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(FORM)
    assert response.status_code == 302 and "/login?next=" in response.location


@pytest.mark.parametrize("role", [Role.READER, Role.PARTNER, Role.REVIEWER])
def test_only_authors_and_admins_may_publish(client, auth, role):
    auth.login(role)
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, data=form_data(source_text="# A")).status_code == 403


def test_author_uploads_a_file_and_lands_on_the_new_version(client, auth, session):
    auth.login(Role.AUTHOR)
    response = publish_through_form(
        client,
        form_data(source_file=upload(b"# Een\n\nTekst.\n")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location.endswith("/documents/web-kader/v/1")
    page = client.get(response.location).get_data(as_text=True)
    assert "is gepubliceerd als versie 1" in page and "Tekst." in page
    document = session.scalars(select(Document).where(Document.slug == "web-kader")).one()
    assert document.versions[0].published_by.email == "auteur@example.org"


def test_new_sample_version_through_the_browser_shows_change_markers(client, auth):
    auth.login(Role.ADMIN)
    page = client.get(f"{FORM}?document={SAMPLE_SLUG}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{SAMPLE_SLUG}">', page)
    source = "\n".join(
        [
            "# Inleiding",
            "",
            "Een geheel nieuwe inleiding voor deze versie.",
            "",
            "# Begrippenlijst {#begrippen}",
            "",
            "Alleen nog de begrippen.",
        ]
    )
    response = publish_through_form(
        client, form_data(document=SAMPLE_SLUG, label="Dialoogversie 4", source_text=source)
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Dialoogversie 4" in page and "Vervallen sinds de vorige versie" in page


def test_pasted_text_is_published(client, auth, session):
    auth.login(Role.AUTHOR)
    response = publish_through_form(client, form_data(source_text="# Geplakt\n\nTekst.\n"))
    assert response.status_code == 302
    version = session.scalars(
        select(Version).join(Document).where(Document.slug == "web-kader")
    ).one()
    assert version.sections[0].change_kind is ChangeKind.NEW


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source_file": upload(b"# A", "kader.docx")}, "Upload een Markdown-bestand"),
        ({"source_file": upload(b"")}, "Het bestand is leeg"),
        ({"source_file": upload(b"   \n")}, "Het bestand is leeg"),
        ({"source_file": upload(b"# caf\xe9\n")}, "geen UTF-8"),
        ({"source_file": upload(b"# A\n"), "source_text": "# B"}, "niet allebei"),
        ({}, "Kies een Markdown-bestand of plak de tekst"),
        ({"source_text": "# A", "new_slug": ""}, "korte naam"),
        ({"source_text": "# A", "new_slug": "Met Spaties"}, "kleine letters"),
        ({"source_text": "# A", "label": ""}, "label"),
        ({"source_text": "# A", "status": "open"}, "sluitingsdatum"),
        ({"source_text": "# A {#x}\n# B {#x}"}, "mag één keer"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    client, auth, session, fields, message
):
    auth.login(Role.AUTHOR)
    before = version_count(session)
    data = form_data(summary="Mijn samenvatting", **fields)
    response = client.post(FORM, data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'class="error-summary" role="alert"' in page
    assert "Mijn samenvatting" in page  # nothing typed is lost
    assert version_count(session) == before


def test_a_too_large_file_is_refused(client, auth, app, session):
    auth.login(Role.AUTHOR)
    app.config["MAX_SOURCE_BYTES"] = 1024
    try:
        response = client.post(
            FORM,
            data=form_data(source_file=upload(b"# A\n" + b"x" * 2000)),
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_SOURCE_BYTES"] = 2 * 1024 * 1024
    assert response.status_code == 400 and "de grens is 1 KB" in response.get_data(as_text=True)


def test_a_request_over_the_request_limit_gets_a_clear_page(client, auth, app):
    auth.login(Role.AUTHOR)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = client.post("/password/forgot", data={"email": "x" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024
    assert response.status_code == 413
    assert "groter dan deze dienst aanneemt" in response.get_data(as_text=True)


def test_publishing_the_same_text_twice_through_the_form(client, auth):
    auth.login(Role.AUTHOR)
    assert publish_through_form(client, form_data(source_text="# Eén keer\n")).status_code == 302
    again = client.post(
        FORM, data=form_data(document="web-kader", label="V2", source_text="# Eén keer\n")
    )
    assert again.status_code == 400 and "identiek" in again.get_data(as_text=True)


def test_a_stale_form_is_shown_again_with_the_input_kept(client, auth, csrf_enabled, session):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": "auteur@example.org", "password": "demo-reviewhub", "csrf_token": token},
    )
    response = client.post(
        FORM, data=form_data(source_text="# Mijn tekst\n", csrf_token="verlopen")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "te lang open" in page and "# Mijn tekst" in page
    assert version_count(session) == version_count(session)


def test_a_pasted_text_over_flasks_form_field_limit_is_taken(client, auth, session):
    """Flask caps a form field at 500 KB; the publish form takes a text up to its own limit."""
    auth.login(Role.AUTHOR)
    text = "# Groot\n\n" + "woord " * 200_000  # 1.2 MB
    response = publish_through_form(client, form_data(source_text=text),
                                    content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert session.scalars(select(Document).where(Document.slug == "web-kader")).one()


def test_a_pasted_text_over_the_source_limit_is_answered_in_the_form_and_kept(client, auth):
    auth.login(Role.AUTHOR)
    text = "# Te groot\n\n" + "x" * (3 * 1024 * 1024)
    response = client.post(FORM, data=form_data(source_text=text),
                           content_type="multipart/form-data")  # fmt: skip
    status, page = response.status_code, response.get_data(as_text=True)
    response.request.input_stream.close()
    assert status == 400
    assert "De tekst is 3073 KB; de grens is 2048 KB." in page
    assert "# Te groot" in page  # still in the text box
