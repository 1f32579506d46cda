"""A group's position through its pages: the coordinator merges members' reactions into the
text, keeps it in preparation, sends it and sends it again; members read it, others may not;
the review group sees the editions and where the position came from."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback.posting import post_comment
from reviewhub.models import Comment, CommentVisibility, GroupPosition, Role
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    make_user,
    reaction,
    sample_section,
    user_with_role,
)


@pytest.fixture
def members(app: Flask, session: Session) -> list[Comment]:
    twente = group_named(session)
    member = make_user(session, "lid@example.org", Role.PARTNER, twente)
    member.set_password("lid-wachtwoord-1")
    coordinator = user_with_role(session, Role.PARTNER)
    with app.app_context():
        made = [
            post_comment(session, member, sample_section(session),
                         reaction("Noem de school.", group=twente,
                                  visibility=CommentVisibility.GROUP)),
            post_comment(session, coordinator, sample_section(session),
                         reaction("Wie beslist bij onenigheid?", group=twente,
                                  visibility=CommentVisibility.GROUP)),
        ]  # fmt: skip
    session.commit()
    return made


def urls(session: Session) -> tuple[str, str]:
    group = group_named(session).id
    base = f"/groups/{group}/positions/{SAMPLE_SLUG}/v/3"
    return base, f"{base}/s/veiligheid"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_merge_save_send_and_send_again(client, auth: Auth, session, members):
    overview, compose = urls(session)
    auth.login(Role.PARTNER)
    group_page = text(client.get(f"/groups/{group_named(session).id}/feedback"))
    assert f'href="{overview}"' in group_page  # the way in
    assert "Nog geen" in text(client.get(overview))
    ids = [str(m.id) for m in members]
    merged = client.post(compose, data={"action": "merge", "kind": "suggestion", "body": "",
                                        "sources": ids})  # fmt: skip
    assert merged.status_code == 200
    assert "Noem de school.\n\nWie beslist bij onenigheid?</textarea>" in text(merged)
    assert session.scalar(select(GroupPosition)) is None  # merging saves nothing

    body = "Noem de school. Wie beslist bij onenigheid?"
    saved = client.post(compose, data={"action": "save", "kind": "suggestion", "body": body,
                                       "sources": ids})  # fmt: skip
    assert saved.status_code == 302
    assert "In voorbereiding" in text(client.get(overview))

    sent = client.post(compose, data={"action": "send", "kind": "suggestion", "body": body,
                                      "sources": ids}, follow_redirects=True)  # fmt: skip
    assert "Verstuurd naar de reviewgroep als editie 1." in text(sent)
    thread = text(client.get(f"/documents/{SAMPLE_SLUG}/v/3/s/veiligheid"))
    assert "Standpunt van Regio Twente, editie 1" in thread

    again = client.post(compose, data={"action": "send", "kind": "suggestion", "body": body,
                                       "sources": ids}, follow_redirects=True)  # fmt: skip
    assert "Er is niets veranderd sinds editie 1" in text(again)
    second = client.post(compose, data={"action": "send", "kind": "suggestion",
                                        "body": body + " En de GGD.", "sources": ids},
                         follow_redirects=True)  # fmt: skip
    page = text(second)
    assert "editie 2" in page and "Ten opzichte van editie 1:" in page
    assert "<ins>" in page and "GGD" in page

    position = session.scalars(select(GroupPosition)).one()
    auth.logout()
    auth.login(Role.REVIEWER)
    workspace = text(client.get(f"/documents/{SAMPLE_SLUG}/v/3/feedback/"
                                f"{position.comment.reference}"))  # fmt: skip
    assert "Samengesteld uit de reacties van de leden:" in workspace
    assert all(m.reference in workspace for m in members)
    assert "Editie 2" in workspace and "Editie 1" in workspace


def test_an_overlong_position_is_refused_with_the_text_kept(client, auth: Auth, session, members):
    _overview, compose = urls(session)
    auth.login(Role.PARTNER)
    long = "woord " * 400
    response = client.post(compose, data={"action": "save", "kind": "general", "body": long})
    assert response.status_code == 400
    assert "ten hoogste 2000" in text(response) and long.strip() in text(response)
    assert session.scalar(select(GroupPosition)) is None


def test_members_read_coordinators_write_others_are_refused(client, auth: Auth, session, members):
    overview, compose = urls(session)
    client.post("/login", data={"email": "lid@example.org", "password": "lid-wachtwoord-1"})
    page = client.get(compose)
    assert page.status_code == 200 and 'name="action"' not in text(page)
    assert "Alleen de coördinatoren" in text(page)
    refused = client.post(compose, data={"action": "save", "kind": "general", "body": "Wij."})
    assert refused.status_code == 403
    client.post("/logout")
    auth.login(Role.REVIEWER)  # not in the group
    assert client.get(overview).status_code == 403
    assert session.scalar(select(GroupPosition)) is None
