"""Personal API tokens: made and revoked on the profile page, shown once, kept as a hash,
with scopes no wider than the holder's role, an expiry and the last use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from reviewhub.accounts import tokens
from reviewhub.accounts.errors import AccountError
from reviewhub.clock import local_today
from reviewhub.models import ApiToken, AuditEvent, Role, TokenScope
from tests.factories import user_with_role

SECRET = re.compile(r'<code class="token-secret">(rh_[^<]+)</code>')


def make(client, **fields):
    data = {"token-name": "Dashboard regio", "token-scopes": ["read"],
            "token-expires_on": (local_today() + timedelta(days=30)).isoformat()}  # fmt: skip
    data.update(fields)
    return client.post("/me/tokens", data=data)


def test_a_token_is_shown_once_and_kept_only_as_its_hash(client, auth, session):
    auth.login(Role.PARTNER)
    response = make(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(page)[1]
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == tokens.token_hash(secret) and secret not in stored.token_hash
    assert stored.prefix == secret[:10] and stored.scopes == ["read"]
    again = client.get("/me/profile").get_data(as_text=True)
    assert secret not in again and "Dashboard regio" in again and stored.prefix in again
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "token.created"))


def test_the_holder_is_found_by_the_token_and_its_use_noted(app, session):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        made = tokens.create_token(session, partner, "Script", [TokenScope.READ],
                                   local_today() + timedelta(days=5))  # fmt: skip
        session.flush()
        holder = tokens.token_holder(session, made.secret)
    assert holder is not None and holder[0] is partner
    assert made.token.last_used_at is not None
    assert tokens.token_holder(session, made.secret + "x") is None
    assert tokens.token_holder(session, "geen-token") is None


def test_revoked_expired_and_deactivated_tokens_no_longer_work(app, client, auth, session):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        made = tokens.create_token(session, partner, "Oud", [TokenScope.READ],
                                   local_today() + timedelta(days=5))  # fmt: skip
    session.commit()
    auth.login(Role.PARTNER)
    response = client.post(f"/me/tokens/{made.token.id}/revoke")
    assert response.status_code == 302 and response.location.endswith("/me/profile#tokens")
    session.expire_all()  # the request revoked it in a session of its own
    assert tokens.token_holder(session, made.secret) is None
    with app.app_context():
        later = tokens.create_token(session, partner, "Later", [TokenScope.READ],
                                    local_today() + timedelta(days=5))  # fmt: skip
    later.token.expires_on = local_today() - timedelta(days=1)
    assert tokens.token_holder(session, later.secret) is None
    later.token.expires_on = local_today() + timedelta(days=1)
    partner.active = False
    assert tokens.token_holder(session, later.secret) is None


def test_another_persons_token_cannot_be_revoked(app, client, auth, session):
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        made = tokens.create_token(session, reviewer, "Van een ander", [TokenScope.READ],
                                   local_today() + timedelta(days=5))  # fmt: skip
    session.commit()
    auth.login(Role.PARTNER)
    client.post(f"/me/tokens/{made.token.id}/revoke")
    session.refresh(made.token)
    assert made.token.revoked_at is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"token-name": " "}, "Give the token a name"),
        ({"token-scopes": []}, "at least one thing"),
        ({"token-expires_on": (local_today() + timedelta(days=400)).isoformat()}, "within a year"),
        ({"token-expires_on": local_today().isoformat()}, "within a year"),
        ({"token-scopes": ["review"]}, "not a valid choice"),  # a partner is offered no review
    ],
    ids=["no name", "no scope", "too long", "today", "review for a partner"],
)
def test_bad_requests_say_why_and_make_nothing(client, auth, session, fields, message):
    auth.login(Role.PARTNER)
    client.post("/language", data={"language": "en"})
    response = make(client, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert session.scalars(select(ApiToken)).all() == []


def test_only_the_review_group_makes_a_deciding_token(app, session):
    with app.app_context(), force_locale("en"):
        with pytest.raises(AccountError, match="Only the review group"):
            tokens.create_token(session, user_with_role(session, Role.PARTNER), "X",
                                [TokenScope.REVIEW], local_today() + timedelta(days=5))  # fmt: skip
        made = tokens.create_token(session, user_with_role(session, Role.REVIEWER), "Register",
                                   [TokenScope.READ, TokenScope.REVIEW],
                                   local_today() + timedelta(days=5))  # fmt: skip
    assert made.token.scopes == ["read", "review"]


def test_the_personal_data_names_the_tokens_but_not_their_secrets(client, auth, session):
    auth.login(Role.PARTNER)
    secret = SECRET.search(make(client).get_data(as_text=True))[1]
    data = client.get("/me/data.json").get_data(as_text=True)
    assert "Dashboard regio" in data and secret not in data
    assert tokens.token_hash(secret) not in data
