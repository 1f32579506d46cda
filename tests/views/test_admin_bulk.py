"""Inviting people from a CSV file through the pages: the upload, a preview of every row
(nothing stored), the confirmation that stores the rows that can be and sends their
invitations after the commit, the template, and the refusals."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from reviewhub.accounts import bulk
from reviewhub.extensions import db
from reviewhub.models import AuditEvent, Role, User
from reviewhub.views import admin as admin_views
from tests.factories import group_named, user_with_role

FILE = (
    "E-mailadres;Naam;Organisatie;Functie;Rol;Groepen;Coördinator\r\n"
    "nina@example.org;Nina Müller;Gemeente Enschede;Adviseur;partner;"
    '"Regio Twente; Proeftuin Utrecht";ja\r\n'
    "lezer@example.org;;;;;Regio Noord-Holland Noord;nee\r\n"
    "geen-adres;Fout;;;;;\r\n"
    "baas@example.org;Baas;;;beheerder;;\r\n"
    "atlantis@example.org;Atlantis;;;;Regio Atlantis;\r\n"
    "NINA@example.org;Nina twee;;;;;\r\n"
    "kees@example.org;Kees;;;;;\r\n"
)


@pytest.fixture
def admin(client, auth):
    auth.login(Role.ADMIN)
    client.post("/language", data={"language": "en"})  # the new strings are not translated yet


def upload(client, content: bytes, name: str = "deelnemers.csv"):
    return client.post(
        "/admin/people/bulk",
        data={"upload": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def token_of(page: str) -> str:
    return html.unescape(re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1))


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_the_preview_says_what_each_row_would_do_and_stores_nothing(client, session, admin, outbox):
    before = people_count(session)
    response = upload(client, FILE.encode("cp1252"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "What deelnemers.csv would do" in page
    assert "2 new people are invited" in page and "1 person with an account is added" in page
    assert "invited as Partner; member of Regio Twente, Proeftuin Utrecht (coordinator)" in page
    assert "added to Regio Noord-Holland Noord" in page
    assert "“geen-adres” is not a valid e-mail address." in page
    assert "The role Administrator is never given from a file" in page
    assert "Unknown group “Regio Atlantis”." in page
    assert "This e-mail address is in row 2 already." in page
    assert "Nina Müller" in page  # read as Windows-1252
    assert "Send the invitations" in page
    assert people_count(session) == before and outbox.messages == []


def test_confirming_stores_the_valid_rows_and_then_sends_the_invitations(
    client, session, admin, outbox, monkeypatch
):
    page = upload(client, FILE.encode("utf-8-sig")).get_data(as_text=True)
    order = []
    commit, send = db.session.commit, admin_views.mail.send
    monkeypatch.setattr(db.session, "commit", lambda: (order.append("commit"), commit())[1])
    monkeypatch.setattr(admin_views.mail, "send", lambda m: (order.append("send"), send(m))[1])
    response = client.post("/admin/people/bulk/confirm", data={"token": token_of(page)})
    done = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 invitations sent" in done and "1 person with an account added" in done
    assert order == ["commit", "send", "send"]
    assert sorted(m["To"] for m in outbox.messages) == ["kees@example.org", "nina@example.org"]
    nina = session.scalars(select(User).where(User.email == "nina@example.org")).one()
    assert (nina.name, nina.role, nina.organisation) == ("Nina Müller", Role.PARTNER,
                                                         "Gemeente Enschede")  # fmt: skip
    assert all(m.coordinator for m in nina.memberships) and len(nina.memberships) == 2
    kees = session.scalars(select(User).where(User.email == "kees@example.org")).one()
    assert kees.role is Role.READER  # no role in the file: the least privilege
    reader = user_with_role(session, Role.READER)
    assert group_named(session, "Regio Noord-Holland Noord") in reader.groups
    assert session.scalar(select(func.count()).select_from(User).where(
        User.email.in_(["baas@example.org", "atlantis@example.org"]))) == 0  # fmt: skip
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("person.invited") == 2 and "person.csv_imported" in actions
    assert "group.member_added" in actions


def test_what_changed_since_the_preview_is_planned_anew(client, session, admin, outbox):
    page = upload(client, b"E-mail;Naam\nlaat@example.org;Laat\n").get_data(as_text=True)
    client.post("/admin/people/new", data={"name": "Laat", "email": "laat@example.org",
                                           "role": "reader"})  # fmt: skip
    sent = len(outbox.messages)
    response = client.post("/admin/people/bulk/confirm", data={"token": token_of(page)})
    assert response.status_code == 200 and "0 invitations sent" in response.get_data(as_text=True)
    assert len(outbox.messages) == sent  # no second invitation


@pytest.mark.parametrize("token", ["", "vervalst", "eyJ.dit.niet"])
def test_an_altered_or_missing_preview_is_refused(client, session, admin, token):
    before = people_count(session)
    response = client.post("/admin/people/bulk/confirm", data={"token": token})
    assert response.status_code == 302 and response.location.endswith("/admin/people/bulk")
    assert "upload the file again" in client.get(response.location).get_data(as_text=True)
    assert people_count(session) == before


def test_a_preview_made_for_another_administrator_is_refused(client, session, admin, app):
    page = upload(client, b"E-mail;Naam\nx@example.org;X\n").get_data(as_text=True)
    me = user_with_role(session, Role.ADMIN)
    with app.test_request_context():
        _file, rows = bulk.unseal(token_of(page), actor_id=me.id, secret="test-secret")
        theirs = bulk.seal(rows, actor_id=me.id + 1000, filename="x.csv", secret="test-secret")
    response = client.post("/admin/people/bulk/confirm", data={"token": theirs})
    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(User).where(
        User.email == "x@example.org")) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Choose a CSV file."),
        (b"E-mail\n" + b"x" * 200, "larger than 1 MB"),  # with a limit of 100 bytes
        (b"Naam\nPiet\n", "E-mail address"),
    ],
    ids=["no file", "too large", "no e-mail column"],
)
def test_a_file_that_cannot_be_used_gets_a_message(client, admin, content, message, monkeypatch):
    # A test upload of over 500 kB goes through a temporary file the test client leaves open.
    monkeypatch.setattr(bulk, "MAX_FILE_BYTES", 100)
    if content is None:
        response = client.post("/admin/people/bulk", data={}, content_type="multipart/form-data")
    else:
        response = upload(client, content)
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_the_template_is_a_heading_row_in_the_visitors_language(client, auth):
    auth.login(Role.ADMIN)
    dutch = client.get("/admin/people/bulk/template.csv")
    assert dutch.mimetype == "text/csv" and "attachment" in dutch.headers["Content-Disposition"]
    assert dutch.data.decode("utf-8") == (
        "\ufeffE-mailadres;Naam;Organisatie;Functie;Rol;Groepen;Coördinator\r\n"
    )
    client.post("/language", data={"language": "en"})
    english = client.get("/admin/people/bulk/template.csv").data.decode("utf-8")
    assert english.startswith("\ufeffE-mail address;Name;")


def test_the_upload_page_explains_the_columns_and_links_the_template(client, admin):
    page = client.get("/admin/people/bulk").get_data(as_text=True)
    assert 'href="/admin/people/bulk/template.csv"' in page
    assert "One of: Reader, Partner, Review group, Author. Empty: Reader." in page
    assert 'enctype="multipart/form-data"' in page
