"""Small leaks and slips around reactions (issue 8, item 8): what the group filter and the
passage highlights tell people who may not read a reaction, editing a hidden reaction, and
line breaks counted as the browser counts them."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reviewhub.feedback.posting import normalised_text
from reviewhub.models import Comment, Role
from tests.factories import SAMPLE_SLUG, Auth
from tests.feedback.test_reacting_pages import (
    OPEN,
    THREADS,
    comments,
    group_id,
    page,
    react,
    reply,
)

QUOTE = "altijd voor"  # words in the section the reactions are about


def filter_groups(html: str) -> list[str]:
    """The names offered by the group filter above the reactions."""
    select = re.search(r'<select id="filter-group".*?</select>', html, re.S)
    assert select is not None, "the page has no group filter"
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select.group(0))


def annotations(html: str) -> list[dict]:
    """Every passage the page asks annotate.js to highlight."""
    found = re.findall(r'data-annotations="([^"]*)"', html)
    return [a for attribute in found for a in json.loads(unescape(attribute))]


def as_role(auth: Auth, role: Role | None) -> None:
    auth.logout()
    if role is not None:
        auth.login(role)


def hidden_reaction(client: FlaskClient, auth: Auth, session: Session, **fields) -> Comment:
    """A partner's reaction on a passage, hidden by the reviewer; the partner is logged in."""
    auth.login(Role.PARTNER)
    react(client, session, quote=QUOTE, kind="concern", **fields)
    (comment,) = comments(session)
    as_role(auth, Role.REVIEWER)
    client.post(f"/comments/{comment.id}/hide", data={"reason": "Niet respectvol"})
    as_role(auth, Role.PARTNER)
    session.refresh(comment)
    assert comment.is_hidden
    return comment


# The group filter --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.READER, Role.AUTHOR], ids=str)
def test_the_group_filter_does_not_betray_a_group_only_reaction(client, auth, session, role):
    auth.login(Role.PARTNER)
    react(client, session, body="Alleen voor de regio", visibility="group")
    as_role(auth, role)
    html = page(client, f"{OPEN}?unanswered=1")  # a filter is on: the filters are shown
    assert "Alleen voor de regio" not in html
    assert "Regio Twente" not in filter_groups(html)


def test_the_group_filter_offers_the_groups_the_viewer_may_read(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Alleen voor de regio", visibility="group", client_token="a")
    react(client, session, body="Voor iedereen", group=group_id(session, "Proeftuin Utrecht"),
          client_token="b")  # fmt: skip
    for role, offered in [
        (Role.READER, ["Proeftuin Utrecht"]),
        (Role.REVIEWER, ["Proeftuin Utrecht", "Regio Twente"]),  # reads group-only ones
        (Role.PARTNER, ["Proeftuin Utrecht", "Regio Twente"]),
    ]:
        as_role(auth, role)
        assert filter_groups(page(client, f"{OPEN}?unanswered=1")) == offered, role


# Passage highlights ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.READER, Role.PARTNER, Role.REVIEWER], ids=str)
def test_a_hidden_reaction_gives_its_passage_to_nobody(client, auth, session, role):
    comment = hidden_reaction(client, auth, session, body="Scheldwoorden hier")
    as_role(auth, role)
    for url in (OPEN, THREADS, f"{THREADS}/reactions"):
        html = page(client, url)
        assert comment.id not in [a["id"] for a in annotations(html)], (role, url)


def test_group_only_and_waiting_passages_stay_with_who_may_read_them(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, quote=QUOTE, body="Voor de regio", visibility="group", client_token="a")
    as_role(auth, Role.REVIEWER)
    client.post(f"/documents/{SAMPLE_SLUG}/moderation", data={"premoderation": "on"})
    as_role(auth, Role.PARTNER)
    react(client, session, quote="acuut gevaar", body="Wacht nog", client_token="b")
    assert len(annotations(page(client, THREADS))) == 2  # the partner reads both
    assert len(annotations(page(client, f"{THREADS}/reactions"))) == 2
    assert annotations(page(client)) == []  # the version page has none: they come per section
    for role in (None, Role.READER, Role.AUTHOR):
        as_role(auth, role)
        assert annotations(page(client, THREADS)) == [], role
        assert annotations(page(client, f"{THREADS}/reactions")) == [], role


def test_a_readable_passage_is_still_highlighted(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, quote=QUOTE, body="Zichtbaar")
    (comment,) = comments(session)
    as_role(auth, None)
    for url in (THREADS, f"{THREADS}/reactions"):
        assert [(a["id"], a["exact"]) for a in annotations(page(client, url))] == [
            (comment.id, QUOTE)
        ]


# Editing a hidden reaction -----------------------------------------------------------------


def test_a_hidden_reaction_cannot_be_edited_and_a_restore_shows_what_was_hidden(
    client, auth, session
):
    comment = hidden_reaction(client, auth, session, body="Wat de moderator zag")
    client.post("/language", data={"language": "en"})
    assert f"/comments/{comment.id}/edit" not in page(client, THREADS)  # no edit link any more
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Iets onschuldigs"})
    assert response.status_code == 302 and response.location.endswith(f"#c-{comment.id}")
    refused = page(client, response.location)
    assert "A moderator has hidden this reaction, so it can no longer be edited." in refused
    assert client.get(f"/comments/{comment.id}/edit").status_code == 302
    session.refresh(comment)
    assert comment.body == "Wat de moderator zag" and comment.revisions == []
    as_role(auth, Role.REVIEWER)
    client.post(f"/comments/{comment.id}/restore")
    html = page(client, THREADS)
    assert "Wat de moderator zag" in html and "Iets onschuldigs" not in html


def test_others_still_get_403_on_a_hidden_reactions_edit_page(client, auth, session):
    comment = hidden_reaction(client, auth, session)
    as_role(auth, Role.REVIEWER)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403


# Line breaks -------------------------------------------------------------------------------

# 2,000 characters as the counter counts them, with 199 line breaks; sent by a browser as
# CRLF, 2,199.
LINES = "\r\n".join(["a" * 9] * 200) + "a"


def test_line_breaks_count_as_one_character_as_in_the_counter(client, auth, session):
    assert len(LINES) == 2199 and len(normalised_text(LINES)) == 2000
    auth.login(Role.PARTNER)
    assert react(client, session, body=LINES).status_code == 302
    (comment,) = comments(session)
    assert "\r" not in comment.body and len(comment.body) == 2000
    edited = LINES.replace("a", "b")
    assert client.post(f"/comments/{comment.id}/edit", data={"body": edited}).status_code == 302
    session.refresh(comment)
    assert comment.body == edited.replace("\r\n", "\n")


def test_line_breaks_in_a_reply_count_once(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (question,) = comments(session)
    assert reply(client, question, LINES).status_code == 302
    assert comments(session)[1].body == LINES.replace("\r\n", "\n")


def test_one_character_too_many_is_still_refused(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, body=LINES + "a")
    assert response.status_code == 400
    assert "Uw reactie heeft 2001 tekens" in response.get_data(as_text=True)


# Texts and their length as the server measures them; tests/browser/test_annotating.py
# checks that annotate.js's counter gives the same.
LENGTH_CASES = [
    ("a\r\nb", 3),
    ("a\rb", 3),
    ("a\nb", 3),
    ("  a \r\n", 1),
    ("\r\n\t\u00a0\u3000", 0),
    ("é😀\u2028x", 4),
]


@pytest.mark.parametrize(("text", "length"), LENGTH_CASES)
def test_the_server_measures_text_as_the_counter_does(text, length):
    assert len(normalised_text(text)) == length
