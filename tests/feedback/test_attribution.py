"""Who is shown: a person chooses, at their first reaction, how their reactions are signed
where everyone reads them; the review group still sees who wrote what."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from reviewhub.models import Attribution, Comment, Role, User
from tests.factories import Auth, group_named, make_user, sample_section
from tests.feedback.test_attachments import PDF_BYTES

THREADS = "/documents/handelingskader-veiligheidsteams/v/3/s/veiligheid"


def newcomer(session) -> User:
    """A partner of Regio Twente who has not reacted before (attribution not chosen)."""
    person = make_user(session, "nieuw@example.org", Role.PARTNER, group_named(session))
    person.name, person.function, person.organisation = "Noor Nieuw", "jeugdarts", "GGD Twente"
    person.set_password("een-goed-wachtwoord")
    session.commit()
    return person


def log_in(client, person: User) -> None:
    client.post("/login", data={"email": person.email, "password": "een-goed-wachtwoord"})


def form(session, **fields):
    section = sample_section(session)
    data = {"kind": "concern", "body": "Dit vraagt meer uitleg.", "quote": "",
            "group": str(group_named(session).id), "visibility": "public", "client_token": "t1",
            "proposed_text": ""}  # fmt: skip
    data.update(fields)
    return {f"s{section.id}-{name}": value for name, value in data.items()}


def test_the_first_reaction_asks_how_it_is_signed_and_keeps_the_text(client, session):
    person = newcomer(session)
    log_in(client, person)
    page = client.get(THREADS).get_data(as_text=True)
    assert "Hoe wilt u dat uw reacties voor iedereen worden ondertekend?" in page
    refused = client.post(THREADS, data=form(session))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Kies hoe uw reacties worden ondertekend." in text
    assert "Dit vraagt meer uitleg." in text  # nothing typed is lost
    assert session.scalar(select(Comment).where(Comment.author_id == person.id)) is None


def test_organisation_only_hides_name_and_function_from_the_public(client, session):
    person = newcomer(session)
    log_in(client, person)
    sent = client.post(THREADS, data=form(session, attribution="organisation"))
    assert sent.status_code == 302
    session.refresh(person)
    assert person.attribution is Attribution.ORGANISATION
    again = client.get(THREADS).get_data(as_text=True)
    assert "Hoe wilt u dat uw reacties" not in again  # asked once
    Auth(client).logout()
    public = client.get(THREADS).get_data(as_text=True)
    byline = re.search(r'id="c-\d+-by">(.*?)</span>', public, re.S)
    assert byline and "GGD Twente" in byline.group(1) and "Regio Twente" in byline.group(1)
    assert "Noor Nieuw" not in public and "jeugdarts" not in public
    Auth(client).login(Role.REVIEWER)  # the review group's workspace names the person
    reference = session.scalar(select(Comment.reference).where(Comment.author_id == person.id))
    workspace = client.get(f"/documents/handelingskader-veiligheidsteams/v/3/feedback/{reference}")
    assert "Noor Nieuw" in workspace.get_data(as_text=True)


def test_full_attribution_shows_name_function_and_organisation(client, session):
    person = newcomer(session)
    log_in(client, person)
    client.post(THREADS, data=form(session, attribution="full"))
    Auth(client).logout()
    public = client.get(THREADS).get_data(as_text=True)
    assert "Noor Nieuw, jeugdarts, GGD Twente" in public


def test_the_choice_can_be_changed_on_the_profile(client, session):
    person = newcomer(session)
    log_in(client, person)
    client.post("/me/profile", data={"name": "Noor Nieuw", "language": "nl",
                                     "attribution": "organisation"})  # fmt: skip
    session.refresh(person)
    assert person.attribution is Attribution.ORGANISATION


def test_the_public_nota_signs_by_organisation_only_when_asked(client, session):
    person = newcomer(session)
    log_in(client, person)
    client.post(THREADS, data=form(session, attribution="organisation"))
    Auth(client).logout()
    Auth(client).login(Role.REVIEWER)
    nota = client.get("/documents/handelingskader-veiligheidsteams/v/3/export/html")
    register = client.get("/documents/handelingskader-veiligheidsteams/v/3/export/csv")
    assert "Noor Nieuw" not in nota.get_data(as_text=True)
    assert "Noor Nieuw" in register.get_data(as_text=True)  # the review group's register


def test_a_reaction_sent_with_a_file_shows_it_in_its_thread(client, session, app, tmp_path):
    app.config["ATTACHMENT_FOLDER"] = str(tmp_path)
    try:
        Auth(client).login(Role.PARTNER)
        data = form(session)
        data[next(k for k in data if k.endswith("-kind")).replace("kind", "attachment")] = (
            io.BytesIO(PDF_BYTES),
            "Standpunt Twente.pdf",
        )
        sent = client.post(THREADS, data=data, content_type="multipart/form-data")
        assert sent.status_code == 302
        page = client.get(sent.location).get_data(as_text=True)
        assert re.search(r'href="/attachments/\d+/Standpunt%20Twente.pdf"', page)
        assert "(PDF, 1 KB)" in page
    finally:
        app.config["ATTACHMENT_FOLDER"] = ""


def test_a_refused_file_keeps_the_reaction_in_the_form(client, session):
    Auth(client).login(Role.PARTNER)
    data = form(session, body="Mijn lange reactie blijft staan.")
    data[next(k for k in data if k.endswith("-kind")).replace("kind", "attachment")] = (
        io.BytesIO(b"MZ\x90\x00"),
        "programma.exe",
    )
    refused = client.post(THREADS, data=data, content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "programma.exe is geen pdf-, Word- (.docx) of OpenDocument-tekst (.odt)" in page
    assert "Mijn lange reactie blijft staan." in page
    assert session.scalar(select(Comment).where(Comment.body.contains("lange reactie"))) is None
