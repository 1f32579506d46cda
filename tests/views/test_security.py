"""Security basics: CSRF on every state-changing request, cookie flags, request limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from reviewhub import create_app
from reviewhub.extensions import db
from reviewhub.models import AuditEvent, Comment, Role
from tests.factories import Auth
from tests.views.test_routes import CASES, a_question, partner_question


def _token(client, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def post_routes(app) -> list[str]:
    return sorted(
        rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())
    )


def test_every_post_route_refuses_a_missing_or_forged_token(app, client, session, csrf_enabled):
    client.post(
        "/login",
        data={"email": Auth.EMAILS[Role.ADMIN], "password": "demo-reviewhub",
              "csrf_token": _token(client)},
    )  # fmt: skip
    question = partner_question(app, session)
    ids = {"reader": 1, "group": 1, "comment": question.id, "reference": question.reference,
           "question": a_question(app, session).id}  # fmt: skip
    events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    for rule in post_routes(app):
        url = next(case.url for case in CASES[rule])
        url = url.format(**ids)
        for token in (None, "vervalst"):
            data = {"csrf_token": token} if token else {}
            response = client.post(url, data=data)
            # 400 for the token; a form that is shown again may answer 403 instead when the
            # admin may not use it at all (another person's reaction): refused either way.
            assert response.status_code in (400, 403), (rule, token)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    comment = session.get(Comment, ids["comment"])
    session.refresh(comment)
    assert not comment.is_hidden and not comment.is_deleted and not comment.replies


def test_the_post_routes_are_the_expected_ones(app):
    assert post_routes(app) == [
        "/admin/groups/<int:group_id>",
        "/admin/groups/<int:group_id>/members",
        "/admin/groups/<int:group_id>/members/<int:person_id>/coordinator",
        "/admin/groups/<int:group_id>/members/<int:person_id>/remove",
        "/admin/groups/new",
        "/admin/jobs/<int:job_id>/<any(again, aside):step>",
        "/admin/people/<int:person_id>",
        "/admin/people/<int:person_id>/anonymise",
        "/admin/people/<int:person_id>/invitation",
        "/admin/people/bulk",
        "/admin/people/bulk/confirm",
        "/admin/people/new",
        "/api/v1/documents/<slug>/versions/<int:number>/reactions",
        "/api/v1/reactions/<int:comment_id>/replies",
        "/comments/<int:comment_id>/answer",
        "/comments/<int:comment_id>/approve",
        "/comments/<int:comment_id>/attachments",
        "/comments/<int:comment_id>/delete",
        "/comments/<int:comment_id>/dismiss",
        "/comments/<int:comment_id>/edit",
        "/comments/<int:comment_id>/hide",
        "/comments/<int:comment_id>/replies",
        "/comments/<int:comment_id>/report",
        "/comments/<int:comment_id>/restore",
        "/documents/<slug>/export/<fmt>/later",
        "/documents/<slug>/follow",
        "/documents/<slug>/moderation",
        "/documents/<slug>/settings",
        "/documents/<slug>/v/<int:number>/export/<fmt>/later",
        "/documents/<slug>/v/<int:number>/feedback",
        "/documents/<slug>/v/<int:number>/feedback/<reference>",
        "/documents/<slug>/v/<int:number>/import",
        "/documents/<slug>/v/<int:number>/import/confirm",
        "/documents/<slug>/v/<int:number>/progress/handled",
        "/documents/<slug>/v/<int:number>/questions",
        "/documents/<slug>/v/<int:number>/questions/<int:question_id>/<step>",
        "/documents/<slug>/v/<int:number>/round/<step>",
        "/documents/<slug>/v/<int:number>/s/<key>",
        "/documents/publish",
        "/documents/publish/confirm",
        "/groups/<int:group_id>/positions/<slug>/v/<int:number>/s/<key>",
        "/invitation/<token>",
        "/language",
        "/login",
        "/logout",
        "/me/notifications/read",
        "/me/notifications/settings",
        "/me/profile",
        "/me/tokens",
        "/me/tokens/<int:token_id>/revoke",
        "/password/forgot",
        "/password/reset/<token>",
        "/unsubscribe/<token>",
    ]


def test_session_cookie_is_http_only_and_same_site(client):
    Auth(client).login(Role.READER)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_cookies_are_secure_when_served_over_https(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWHUB_SECURE_COOKIES", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("header", ["X-Frame-Options", "X-Content-Type-Options"])
def test_error_pages_carry_security_headers_too(client, header):
    assert header in client.get("/bestaat-niet").headers
