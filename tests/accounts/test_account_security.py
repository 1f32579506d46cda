"""What the outside security probe found in accounts: poisoned links, sessions that outlived
log-out, throttling that locked owners out, and timing that told which accounts exist."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from reviewhub import create_app
from reviewhub.models import AuditEvent, LoginSession, Role
from reviewhub.samples import DEMO_PASSWORD
from reviewhub.views import afterwards
from reviewhub.views import auth as auth_views
from tests.factories import Auth, user_with_role

PARTNER = Auth.EMAILS[Role.PARTNER]


def _from(address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": address}


def _log_in(client: FlaskClient, password: str = DEMO_PASSWORD, address: str = "127.0.0.1",
            **extra: str) -> object:  # fmt: skip
    data = {"email": PARTNER, "password": password, **extra}
    return client.post("/login", data=data, environ_overrides=_from(address))


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/me/profile").status_code == 200


def _full_link(outbox) -> str:
    body = outbox.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0)


def _csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


# 1. Links in mail come from the base URL; other hosts are refused ---------------------------


def test_a_request_for_another_host_is_refused_and_sends_no_mail(client, outbox):
    response = client.post(
        "/password/forgot", data={"email": PARTNER}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert outbox.messages == []


def test_reset_links_use_the_base_url_whatever_host_the_request_named(
    app, client, outbox, monkeypatch
):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost", "alias.example"])
    headers = {"Host": "alias.example", "X-Forwarded-Host": "evil.example"}
    assert client.post("/password/forgot", data={"email": PARTNER}, headers=headers).status_code
    assert _full_link(outbox).startswith("http://localhost/password/reset/")


def test_invitation_links_use_the_base_url(app, client, session, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost", "alias.example"])
    monkeypatch.setitem(app.config, "BASE_URL", "https://reviewhub.example.org/consultatie")
    alias = {"base_url": "http://alias.example"}
    login = {"email": Auth.EMAILS[Role.ADMIN], "password": DEMO_PASSWORD}
    assert client.post("/login", data=login, **alias).status_code == 302
    person = {"name": "Piet", "email": "piet@example.org", "role": "reader"}
    page = client.post("/admin/people/new", data=person, **alias).get_data(as_text=True)
    link = _full_link(outbox)
    assert link.startswith("https://reviewhub.example.org/consultatie/invitation/")
    assert link in page  # the link shown for passing on is the same


def test_trusted_hosts_default_to_the_base_url_host(monkeypatch):
    from reviewhub.config import load_config

    monkeypatch.setenv("REVIEWHUB_BASE_URL", "https://reviewhub.example.org")
    monkeypatch.delenv("REVIEWHUB_TRUSTED_HOSTS", raising=False)
    assert load_config("/tmp")["TRUSTED_HOSTS"] == ["reviewhub.example.org"]
    monkeypatch.setenv("REVIEWHUB_TRUSTED_HOSTS", "a.example, b.example")
    assert load_config("/tmp")["TRUSTED_HOSTS"] == ["a.example", "b.example"]


# 4. Sessions end when people end them ----------------------------------------------------


def test_a_session_cookie_copied_before_log_out_no_longer_works(app, client):
    _log_in(client)
    copied = client.get_cookie("session")
    assert copied is not None
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert not _logged_in(thief)


def test_a_remember_me_cookie_ends_with_log_out(app, client):
    _log_in(client, remember="y")
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    other_browser = app.test_client()
    other_browser.set_cookie("remember_token", remembered.value)
    assert _logged_in(other_browser)  # the cookie works while the log-in lasts
    client.post("/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remembered.value)
    assert not _logged_in(later)


def test_reactivating_an_account_does_not_revive_its_old_cookies(app, client, session):
    _log_in(client, remember="y")
    copied = client.get_cookie("session")
    admin = app.test_client()
    Auth(admin).login(Role.ADMIN)
    partner = user_with_role(session, Role.PARTNER)
    partner.active = False  # as the admin form does, through accounts.update_person below
    session.rollback()
    fields = {"name": partner.name, "email": partner.email, "role": "partner"}
    assert admin.post(f"/admin/people/{partner.id}", data=fields).status_code == 302
    assert admin.post(f"/admin/people/{partner.id}", data={**fields, "active": "y"}).status_code
    assert session.scalar(select(LoginSession).where(LoginSession.user_id == partner.id)) is None
    replay = app.test_client()
    replay.set_cookie("session", copied.value)
    assert not _logged_in(replay)
    assert _log_in(app.test_client()).status_code == 302  # the person logs in afresh


def test_log_out_ends_only_that_session(app, client):
    _log_in(client)
    laptop = app.test_client()
    _log_in(laptop)
    client.post("/logout")
    assert _logged_in(laptop)


def test_the_form_token_changes_at_log_in_and_log_out(client, csrf_enabled):
    before = _csrf_token(client)
    client.post("/login", data={"email": PARTNER, "password": DEMO_PASSWORD,
                                "csrf_token": before})  # fmt: skip
    assert _logged_in(client)
    during = _csrf_token(client, "/me/profile")
    assert during != before
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/logout", data={"csrf_token": during}).status_code == 302
    assert _csrf_token(client) != during


# 5. Throttling that cannot be turned against people -------------------------------------


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(client):
    for _ in range(10):
        _log_in(client, password="geraden", address="203.0.113.9")
    blocked = _log_in(client, address="203.0.113.9")  # even the right password, from there
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    page = blocked.get_data(as_text=True)
    assert "Te veel pogingen" in page and f'value="{PARTNER}"' in page  # the address is kept
    assert _log_in(client, address="198.51.100.4").status_code == 302


def test_a_device_that_logged_in_before_gets_in_despite_a_spread_out_attack(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "5 per hour")
    assert _log_in(client).status_code == 302  # the owner's laptop: a device cookie
    client.post("/logout")
    attacker = app.test_client()
    for number in range(6):
        _log_in(attacker, password="geraden", address=f"192.0.2.{number}")
    assert _log_in(app.test_client(), address="192.0.2.200").status_code == 429  # a new device
    assert _log_in(client).status_code == 302


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(app):
    def attempts(application, forwarded_for: str) -> int:
        response = application.test_client().post(
            "/login", data={}, headers={"X-Forwarded-For": forwarded_for}
        )
        return response.status_code

    app.config["ADDRESS_RATE_LIMIT"] = "2 per minute"
    try:
        from reviewhub.extensions import limiter

        limiter.reset()
        # No proxy configured: the header is the client's own invention and changes nothing.
        assert [attempts(app, f"10.0.0.{n}") for n in range(3)][-1] == 429
        proxied = create_app({**app.config, "PROXY_COUNT": 1})
        limiter.reset()
        assert [attempts(proxied, "10.0.0.1") for _ in range(3)][-1] == 429
        assert attempts(proxied, "10.0.0.2") == 400  # another client behind the same proxy
    finally:
        app.config["ADDRESS_RATE_LIMIT"] = "60 per minute"
        limiter.reset()


def test_reset_mails_are_limited_per_account(client, session, outbox):
    for _ in range(5):
        response = client.post("/password/forgot", data={"email": PARTNER})
        assert response.status_code == 302  # the same answer every time
    assert len(outbox.messages) == 3
    throttled = select(AuditEvent).where(AuditEvent.action == "auth.password_reset_throttled")
    assert len(session.scalars(throttled).all()) == 2


# 6. No account enumeration by timing -----------------------------------------------------


@pytest.mark.parametrize("email", [PARTNER, "niemand@example.org"])
def test_asking_for_a_reset_link_does_the_same_work_for_every_address(client, monkeypatch, email):
    scheduled = []
    monkeypatch.setattr(afterwards, "after_response", lambda work, *a: scheduled.append((work, a)))
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 302
    # Nothing depends on the address before the answer: the look-up itself comes after it.
    assert scheduled == [(auth_views._mail_reset_link, (email,))]
