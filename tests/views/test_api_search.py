"""Searching through the JSON API (GET /api/v1/search): the same search as the page (the
search wing), as JSON: each hit with where it is, its marked snippet and its address on the
site; a document or version the client may not read is a 404, odd arguments a 422."""

from __future__ import annotations

from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import post_comment
from reviewhub.models import Role
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    reaction,
    sample_section,
    user_with_role,
)

WORD = "olifantenpaadje"  # in no sample text


def posted(app, session, body: str):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        made = post_comment(session, partner, sample_section(session),
                            reaction(body, group=group_named(session)))  # fmt: skip
        session.commit()
    return made


def test_a_phrase_is_found_in_a_section_and_in_a_reaction(app, client, session):
    made = posted(app, session, f"Graag een gedeelde taal voor het {WORD}.")
    answer = client.get('/api/v1/search?q="gedeelde taal"&kind=section&kind=reaction')
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    hits = answer.get_json()["items"]
    reactions = [h for h in hits if h["kind"] == "reaction"]
    sections = [h for h in hits if h["kind"] == "section"]
    assert [h["reaction"] for h in reactions] == [made.id] and sections
    assert reactions[0]["url"].endswith(f"/comments/{made.id}")
    assert "<mark>" in sections[0]["snippet_html"] and sections[0]["section"]
    assert sections[0]["url"].endswith(f"/v/{sections[0]['version']}#s-{sections[0]['section']}")


def test_a_hidden_reaction_is_found_by_moderators_only(app, client, session):
    made = posted(app, session, f"Iets over het {WORD}.")
    with app.app_context():
        hide_comment(session, user_with_role(session, Role.REVIEWER), made, "Niet ter zake.")
        session.commit()
    assert client.get(f"/api/v1/search?q={WORD}").get_json()["items"] == []
    Auth(client).login(Role.REVIEWER)
    assert [h["reaction"] for h in client.get(f"/api/v1/search?q={WORD}").get_json()["items"]] == [
        made.id
    ]


def test_the_pages_follow_one_another(app, client, session):
    for n in range(22):
        posted(app, session, f"Nummer {n} over het {WORD}.")
    first = client.get(f"/api/v1/search?q={WORD}&kind=reaction").get_json()
    assert (first["total"], first["more"], len(first["items"])) == (22, False, 20)
    assert "page=2" in first["next"] and "kind=reaction" in first["next"]
    second = client.get(first["next"]).get_json()
    assert len(second["items"]) == 2 and second["next"] is None


def test_odd_arguments_are_refused_with_a_problem(client):
    for query in ("", "q=", "q=x&kind=iets", "q=x&version=3", "q=x&page=0", "q=" + "a" * 501,
                  "q=x&onbekend=1"):  # fmt: skip
        answer = client.get(f"/api/v1/search?{query}")
        assert answer.status_code == 422, query
        assert answer.mimetype == "application/problem+json"
    unreadable = client.get(f"/api/v1/search?q=x&document={SAMPLE_SLUG}&version=99")
    assert unreadable.status_code == 404
