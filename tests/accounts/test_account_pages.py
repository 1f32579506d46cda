"""Accounts through the pages: log-in, invitations, forgotten passwords, profiles, privacy,
administration. The `user` commands are tested in tests/cli/test_users.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reviewhub import accounts
from reviewhub.accounts import credentials
from reviewhub.models import AuditEvent, Group, GroupKind, Role, User
from reviewhub.samples import DEMO_PASSWORD
from tests.factories import Auth, user_with_role

ADMIN_EMAIL = Auth.EMAILS[Role.ADMIN]


def events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def invite(client, session, outbox, email: str = "nieuw@example.org", **fields) -> User:
    data = {"name": "Nina Nieuw", "email": email, "role": "partner", "organisation": "Gemeente X"}
    data.update(fields)
    response = client.post("/admin/people/new", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return session.scalars(select(User).where(User.email == email)).one()


# Logging in ---------------------------------------------------------------------------------


def test_log_in_and_out(client, auth, session):
    response = auth.login(Role.PARTNER)
    assert response.status_code == 302 and response.location.endswith("/documents/")
    page = client.get("/documents/").get_data(as_text=True)
    assert "Mijn profiel" in page and "Uitloggen" in page
    assert events(session, "auth.login")
    auth.logout()
    assert "Inloggen" in client.get("/documents/").get_data(as_text=True)


def test_wrong_password_gets_one_message_for_every_cause(client, auth, session):
    wrong = auth.login(Role.PARTNER, password="fout")
    unknown = client.post("/login", data={"email": "niemand@example.org", "password": "x"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in response.get_data(
            as_text=True
        )
    assert len(events(session, "auth.login_failed")) == 2


def test_next_only_leads_to_pages_on_this_site(client):
    data = {"email": Auth.EMAILS[Role.READER], "password": DEMO_PASSWORD}
    inside = client.post("/login?next=/me/profile", data=data)
    assert inside.location.endswith("/me/profile")
    client.post("/logout")
    for target in ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"]:
        response = client.post(f"/login?next={target}", data=data)
        assert response.location.endswith("/documents/"), target
        client.post("/logout")


def test_remember_me_sets_a_lasting_cookie(client):
    client.post(
        "/login",
        data={"email": Auth.EMAILS[Role.READER], "password": DEMO_PASSWORD, "remember": "y"},
    )
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_deactivated_accounts_cannot_log_in_or_keep_their_session(client, auth, session):
    auth.login(Role.PARTNER)
    assert client.get("/me/profile").status_code == 200
    user_with_role(session, Role.PARTNER).active = False
    session.commit()
    assert client.get("/me/profile").status_code == 302  # the running session has ended
    assert auth.login(Role.PARTNER).status_code == 400


def test_a_new_password_ends_other_sessions(app, client, auth, session):
    auth.login(Role.PARTNER)
    other = app.test_client()
    Auth(other).login(Role.PARTNER)
    partner = user_with_role(session, Role.PARTNER)
    partner.set_password("een heel nieuw wachtwoord")
    session.commit()
    assert other.get("/me/profile").status_code == 302


def test_log_in_attempts_are_throttled(client):
    for _ in range(10):
        client.post("/login", data={"email": "gok@example.org", "password": "fout"})
    response = client.post("/login", data={"email": "gok@example.org", "password": "fout"})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)


# Invitations and passwords -----------------------------------------------------------------


def test_admin_invites_a_person_who_sets_a_password_and_is_logged_in(
    app, client, auth, session, outbox
):
    auth.login(Role.ADMIN)
    person = invite(client, session, outbox)
    (message,) = outbox.messages
    assert message["To"] == "nieuw@example.org"
    assert message["Subject"] == "Uw uitnodiging voor ReviewHub"
    body = message.get_body(("plain",)).get_content()
    assert "Beste Nina Nieuw," in body and "zeven dagen" in body
    link = outbox.last_link()
    auth.logout()

    newcomer = app.test_client()
    page = newcomer.get(link).get_data(as_text=True)
    assert "Welkom bij ReviewHub" in page and "nieuw@example.org" in page
    response = newcomer.post(
        link, data={"password": "lang genoeg wachtwoord", "repeated": "lang genoeg wachtwoord"}
    )
    assert response.status_code == 302
    assert "Nina Nieuw" in newcomer.get("/me/profile").get_data(as_text=True)
    session.refresh(person)
    assert person.password_hash and events(session, "auth.password_set")

    reused = app.test_client().get(link)
    assert reused.status_code == 400
    assert "Deze link is al gebruikt" in reused.get_data(as_text=True)


def test_the_invited_page_shows_the_link_for_passing_on(client, auth, session, outbox):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/people/new", data={"name": "Piet", "email": "piet@example.org", "role": "reader"}
    )
    page = response.get_data(as_text=True)
    assert "Uitnodiging verstuurd" in page
    assert re.search(r'value="http://localhost/invitation/[^"]+" readonly', page)


@pytest.mark.parametrize(
    ("password", "repeated", "message"),
    [("kort", "kort", "minstens 10 tekens"), ("lang genoeg 1", "lang genoeg 2", "niet hetzelfde")],
)
def test_weak_or_mismatched_passwords_are_refused(
    client, auth, session, outbox, password, repeated, message
):
    auth.login(Role.ADMIN)
    invite(client, session, outbox)
    auth.logout()
    response = client.post(outbox.last_link(), data={"password": password, "repeated": repeated})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert (
        session.scalars(select(User).where(User.email == "nieuw@example.org")).one().password_hash
        is None
    )


def test_forged_and_expired_links_are_refused(client, auth, session, outbox, monkeypatch):
    forged = client.get("/invitation/nep.token")
    assert forged.status_code == 400 and "niet geldig" in forged.get_data(as_text=True)
    auth.login(Role.ADMIN)
    invite(client, session, outbox)
    monkeypatch.setattr(credentials, "INVITATION_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(outbox.last_link())
    assert expired.status_code == 400 and "verlopen" in expired.get_data(as_text=True)


def test_forgotten_password_answers_the_same_for_known_and_unknown_addresses(
    client, session, outbox
):
    answers = []
    for email in (Auth.EMAILS[Role.PARTNER], "niemand@example.org"):
        response = client.post("/password/forgot", data={"email": email})
        assert response.status_code == 302
        answers.append((response.location, client.get(response.location).get_data(as_text=True)))
    assert answers[0][0] == answers[1][0]
    assert all("Als dit adres bij een account hoort" in page for _, page in answers)
    (message,) = outbox.messages  # only the known address gets mail
    assert message["To"] == Auth.EMAILS[Role.PARTNER]
    assert "twee uur" in message.get_body(("plain",)).get_content()


def test_reset_link_sets_a_new_password_once(app, client, session, outbox):
    client.post("/password/forgot", data={"email": Auth.EMAILS[Role.PARTNER]})
    link = outbox.last_link()
    new = {"password": "mijn nieuwe wachtwoord", "repeated": "mijn nieuwe wachtwoord"}
    assert client.post(link, data=new).status_code == 302
    client.post("/logout")
    login = client.post(
        "/login", data={"email": Auth.EMAILS[Role.PARTNER], "password": new["password"]}
    )
    assert login.status_code == 302
    assert app.test_client().post(link, data=new).status_code == 400


# Profile and privacy ------------------------------------------------------------------------


def test_people_edit_their_own_profile(client, auth, session):
    auth.login(Role.PARTNER)
    response = client.post(
        "/me/profile",
        data={"name": "Dewi P.", "organisation": "Gemeente Enschede",
              "function": "Jeugdconsulent", "sector": "Jeugdhulp", "language": "en"},
    )  # fmt: skip
    assert response.status_code == 302
    partner = user_with_role(session, Role.PARTNER)
    session.refresh(partner)
    assert (partner.name, partner.function, partner.language) == ("Dewi P.", "Jeugdconsulent", "en")
    assert 'lang="en"' in client.get("/documents/").get_data(as_text=True)


def test_profile_needs_a_name_and_keeps_the_rest(client, auth):
    auth.login(Role.PARTNER)
    response = client.post(
        "/me/profile", data={"name": "", "organisation": "Bewaard BV", "language": "nl"}
    )
    assert response.status_code == 400
    assert "Bewaard BV" in response.get_data(as_text=True)


def test_people_download_everything_stored_about_them(client, auth):
    auth.login(Role.PARTNER)
    response = client.get("/me/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == Auth.EMAILS[Role.PARTNER]
    assert {g["name"] for g in data["groups"]} == {"Regio Twente", "Proeftuin Utrecht"}
    assert any(e["action"] == "auth.login" for e in data["audit_events"])


def test_anonymising_keeps_memberships_and_erases_identity(client, auth, session):
    auth.login(Role.ADMIN)
    partner = user_with_role(session, Role.PARTNER)
    refused = client.post(f"/admin/people/{partner.id}/anonymise", data={})
    assert refused.status_code == 302 and partner.name == "Dewi Partner"
    client.post(f"/admin/people/{partner.id}/anonymise", data={"confirm": "y"})
    session.refresh(partner)
    assert partner.name == "" and partner.email.endswith("@invalid")
    assert not partner.active and partner.password_hash is None
    assert {g.name for g in partner.groups} == {"Regio Twente", "Proeftuin Utrecht"}
    page = client.get(f"/admin/people/{partner.id}").get_data(as_text=True)
    assert "Voormalig deelnemer" in page
    assert Auth(client).login(Role.PARTNER).status_code == 400


# Administration -----------------------------------------------------------------------------


def test_people_list_searches_filters_and_pages(client, auth, session):
    for n in range(30):
        accounts.create_person(
            session, None, name=f"Test Persoon {n:02}", email=f"p{n}@example.org", role=Role.READER
        )
    session.commit()
    auth.login(Role.ADMIN)
    first = client.get("/admin/people?q=test+persoon").get_data(as_text=True)
    assert "Test Persoon 00" in first and "Test Persoon 29" not in first
    assert "Pagina 1 van 2 (30 in totaal)" in first
    second = client.get("/admin/people?q=test+persoon&page=2").get_data(as_text=True)
    assert "Test Persoon 29" in second
    reviewers = client.get("/admin/people?role=reviewer").get_data(as_text=True)
    assert "Carla Reviewer" in reviewers and "Dewi Partner" not in reviewers


def test_changing_role_groups_and_activity_is_audited(client, auth, session):
    auth.login(Role.ADMIN)
    reader = user_with_role(session, Role.READER)
    region = session.scalars(select(Group).where(Group.name == "Regio Twente")).one()
    response = client.post(
        f"/admin/people/{reader.id}",
        data={"name": reader.name, "email": reader.email, "role": "partner",
              "groups": [region.id], "coordinates": [region.id], "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    session.refresh(reader)
    assert reader.role is Role.PARTNER and reader.memberships[0].coordinator
    (changed,) = events(session, "person.role_changed")
    assert changed.details == {"old": "reader", "new": "partner"}
    assert events(session, "person.groups_changed")[0].details["new"] == [
        "Regio Twente (coordinator)"
    ]
    client.post(f"/admin/people/{reader.id}", data={"name": reader.name, "email": reader.email,
                                                      "role": "partner"})  # fmt: skip
    assert events(session, "person.deactivated")


def test_admins_cannot_lock_themselves_out(client, auth, session):
    auth.login(Role.ADMIN)
    admin = user_with_role(session, Role.ADMIN)
    response = client.post(
        f"/admin/people/{admin.id}",
        data={"name": admin.name, "email": admin.email, "role": "reader", "active": "y"},
    )
    assert response.status_code == 400
    assert "eigen beheerdersrol" in response.get_data(as_text=True)


def test_an_e_mail_address_belongs_to_one_account(client, auth, session):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/people/new",
        data={"name": "Dubbel", "email": Auth.EMAILS[Role.READER].upper(), "role": "reader"},
    )
    assert response.status_code == 400
    assert "bestaat al een account" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User).where(User.name == "Dubbel")) == 0


def test_groups_are_created_edited_and_listed(client, auth, session):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/groups/new",
        data={"name": "Proeftuin Zwolle", "kind": "pilot", "description": "Pilot", "active": "y"},
    )
    assert response.status_code == 302
    group = session.scalars(select(Group).where(Group.name == "Proeftuin Zwolle")).one()
    assert group.kind is GroupKind.PILOT
    duplicate = client.post("/admin/groups/new", data={"name": "proeftuin zwolle", "kind": "pilot"})
    assert duplicate.status_code == 400 and "bestaat al een groep" in duplicate.get_data(
        as_text=True
    )
    listing = client.get("/admin/groups?kind=pilot").get_data(as_text=True)
    assert "Proeftuin Zwolle" in listing and "Regio Twente" not in listing


def test_audit_log_lists_and_filters_events(client, auth, session):
    auth.login(Role.ADMIN)
    client.post(
        "/admin/groups/new", data={"name": "Werkgroep Nieuw", "kind": "workgroup", "active": "y"}
    )
    page = client.get("/admin/audit?action=group.").get_data(as_text=True)
    assert "group.created" in page and "Werkgroep Nieuw" in page
    assert "<code>auth.login</code>" not in page
    assert "auth.login" in client.get("/admin/audit").get_data(as_text=True)
