"""Writing through the JSON API: reactions on a passage, replies, edits and withdrawals as the
pages allow them, decisions by the review group with the workspace's check for a decision
made meanwhile, a person's own feedback; scopes, CSRF for the app's own pages, the body rules
(413, 415, 400) and the rate limit (429). Every answer is checked against the description."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest

from reviewhub.models import Comment, Role, TokenScope
from tests.factories import Auth, group_named, sample_section
from tests.views.test_api import API, VERSION, bearer, conforms

REACTIONS = f"{VERSION}/reactions"
WRITER = (TokenScope.READ, TokenScope.WRITE)
REVIEWER = (TokenScope.READ, TokenScope.REVIEW)


@pytest.fixture
def spec(client):
    return client.get(f"{API}/openapi.json").get_json()


@pytest.fixture
def partner(app, session):
    return bearer(app, session, Role.PARTNER, scopes=WRITER)


@pytest.fixture
def reviewer(app, session):
    return bearer(app, session, Role.REVIEWER, scopes=REVIEWER)


def passage_reaction(session, **changes):
    section = sample_section(session)
    words = section.text.split()[3:8]
    body = {
        "section": section.key,
        "kind": "suggestion",
        "body": "Dit kan scherper.",
        "group": group_named(session).id,
        "passage": {"exact": " ".join(words)},
        "proposed_wording": "Scherpere woorden.",
        "client_token": "script-1",
    }
    return {**body, **changes}


def posted(client, session, headers, **changes):
    response = client.post(REACTIONS, json=passage_reaction(session, **changes), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def problem_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_a_token_holder_posts_a_passage_reaction_and_reads_its_decision(
    client, session, spec, partner
):
    response = posted(client, session, partner)
    made = response.get_json()
    conforms(spec, "Reaction", made)
    assert response.headers["Location"] == made["api_url"]
    assert made["target"]["selector"][0]["type"] == "TextQuoteSelector" and made["mine"]
    assert made["reference"] and made["group"] == "Regio Twente"
    decision = client.get(f"{made['api_url']}/decision", headers=partner)
    conforms(spec, "Decision", decision.get_json())
    assert decision.get_json()["status"] == "new" and decision.get_json()["revision"] == 0


def test_the_same_request_twice_stores_one_reaction(client, session, partner):
    first = posted(client, session, partner).get_json()
    again = posted(client, session, partner).get_json()
    assert first["id"] == again["id"]
    assert session.query(Comment).filter_by(client_token="script-1").count() == 1


def test_a_reviewer_decides_and_a_stale_decision_is_a_409(client, session, spec, partner, reviewer):
    made = posted(client, session, partner).get_json()
    url = f"{made['api_url']}/decision"
    decided = client.put(
        url,
        headers=reviewer,
        json={"status": "accepted", "motivation": "Overgenomen.", "revision": 0},
    )
    assert decided.status_code == 200
    conforms(spec, "Decision", decided.get_json())
    assert decided.get_json()["status"] == "accepted" and decided.get_json()["revision"] == 1
    stale = client.put(
        url, headers=reviewer, json={"status": "noted", "motivation": "Anders.", "revision": 0}
    )
    problem = problem_of(stale, 409)
    conforms(spec, "Problem", problem)
    assert (
        problem["type"].endswith("/stale-decision") and problem["current"]["status"] == "accepted"
    )
    assert client.get(url).get_json()["motivation"] == "Overgenomen."  # nothing overwritten
    partner_decides = client.put(
        url, headers=partner, json={"status": "noted", "motivation": "x", "revision": 1}
    )
    assert problem_of(partner_decides, 403)


def test_a_decision_needs_the_review_scope_and_a_motivation(app, client, session, partner):
    made = posted(client, session, partner).get_json()
    url = f"{made['api_url']}/decision"
    read_only = bearer(app, session, Role.REVIEWER)
    refused = client.put(url, headers=read_only, json={"status": "noted", "revision": 0})
    assert "review" in problem_of(refused, 403)["detail"]
    reviewer = bearer(app, session, Role.REVIEWER, scopes=REVIEWER)
    bare = client.put(url, headers=reviewer, json={"status": "noted", "revision": 0})
    assert "motivering" in problem_of(bare, 422)["detail"].lower()


def test_its_author_edits_and_withdraws_a_reaction_others_may_not(
    app, client, session, spec, partner
):
    made = posted(client, session, partner).get_json()
    url = made["api_url"]
    edited = client.patch(url, headers=partner, json={"body": "Dit kan nog scherper."})
    assert edited.status_code == 200 and edited.get_json()["edited"]
    other = bearer(app, session, Role.AUTHOR, scopes=WRITER)
    assert problem_of(client.patch(url, headers=other, json={"body": "Mijn woorden."}), 403)
    assert problem_of(client.delete(url, headers=other), 403)
    assert client.delete(url, headers=partner).status_code == 204
    gone = client.get(url).get_json()
    assert gone["withdrawn"] and gone["body"] is None


def test_replies_are_posted_and_read_a_page_at_a_time_and_stop_edits(
    app, client, session, spec, partner
):
    made = posted(client, session, partner).get_json()
    author = bearer(app, session, Role.AUTHOR, scopes=WRITER)
    for n in range(3):
        reply = client.post(
            f"{made['api_url']}/replies", headers=author, json={"body": f"Antwoord {n}."}
        )
        assert reply.status_code == 201 and reply.get_json()["in_reply_to"] == made["id"]
    page = client.get(f"{made['api_url']}/replies?limit=2").get_json()
    conforms(spec, "ReactionPage", page)
    assert [r["body"] for r in page["items"]] == ["Antwoord 0.", "Antwoord 1."]
    assert [r["body"] for r in client.get(page["next"]).get_json()["items"]] == ["Antwoord 2."]
    refused = client.patch(made["api_url"], headers=partner, json={"body": "Toch anders."})
    assert "reactie" in problem_of(refused, 409)["detail"]
    no_decision = client.get(f"{page['items'][0]['api_url']}/decision")
    assert problem_of(no_decision, 404)


def test_a_person_reads_their_own_feedback(client, session, spec, partner):
    made = posted(client, session, partner).get_json()
    me = client.get(f"{API}/me", headers=partner).get_json()
    conforms(spec, "Me", me)
    assert me["groups"][0]["name"] == "Regio Twente" and me["groups"][0]["may_react_for"]
    mine = client.get(me["reactions"], headers=partner).get_json()
    conforms(spec, "ReactionPage", mine)
    assert made["id"] in [r["id"] for r in mine["items"]]
    assert problem_of(client.get(f"{API}/me"), 401)


@pytest.mark.parametrize(
    ("changes", "field_or_words"),
    [
        ({"section": "bestaat-niet"}, "bestaat-niet"),
        ({"body": "  "}, "Schrijf"),
        ({"kind": "onzin"}, "kind"),
        ({"passage": {"exact": "woorden die er niet staan"}}, "passage"),
        ({"group": 999999}, "groep"),
    ],
)
def test_a_refused_reaction_says_why_and_stores_nothing(
    client, session, spec, partner, changes, field_or_words
):
    before = session.query(Comment).count()
    response = client.post(REACTIONS, json=passage_reaction(session, **changes), headers=partner)
    problem = problem_of(response, 422)
    conforms(spec, "Problem", problem)
    assert field_or_words in problem["detail"]  # the message, or the fields it names
    assert session.query(Comment).count() == before


def test_writing_needs_a_token_with_the_write_scope_or_a_log_in(app, client, session):
    assert problem_of(client.post(REACTIONS, json=passage_reaction(session)), 401)
    reader_token = bearer(app, session, Role.PARTNER)  # read only
    refused = client.post(REACTIONS, json=passage_reaction(session), headers=reader_token)
    assert "write" in problem_of(refused, 403)["detail"]


def test_a_closed_version_takes_no_reaction(client, session, partner):
    closed = f"{API}/documents/{sample_section(session, 2).version.document.slug}/versions/2"
    refused = client.post(
        f"{closed}/reactions",
        headers=partner,
        json=passage_reaction(session, passage=None, proposed_wording=None),
    )
    assert "Dialoogversie 2" in problem_of(refused, 403)["detail"]


def test_bodies_must_be_json_and_small(client, session, partner):
    plain = client.post(
        REACTIONS,
        data="body=hallo",
        headers=partner,
        content_type="application/x-www-form-urlencoded",
    )
    assert problem_of(plain, 415)
    broken = client.post(
        REACTIONS, data="{niet af", headers=partner, content_type="application/json"
    )
    assert "JSON" in problem_of(broken, 400)["detail"]
    nul = client.post(REACTIONS, json=passage_reaction(session, body="a\u0000b"), headers=partner)
    assert "NUL" in problem_of(nul, 400)["detail"]
    query = client.get(f"{REACTIONS}?section=a%00b")
    assert "NUL" in problem_of(query, 400)["detail"]
    huge = passage_reaction(session, body="x" * 70_000)
    assert problem_of(client.post(REACTIONS, json=huge, headers=partner), 413)


def test_the_apps_own_pages_write_with_their_session_and_the_csrf_token(
    app, client, session, monkeypatch
):
    Auth(client).login(Role.PARTNER)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = passage_reaction(session)
    assert "CSRF" in problem_of(client.post(REACTIONS, json=body), 400)["detail"]
    page = client.get(f"/documents/{sample_section(session).version.document.slug}/v/3")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    made = client.post(REACTIONS, json=body, headers={"X-CSRFToken": token.group(1)})
    assert made.status_code == 201
    url = made.get_json()["api_url"]
    for method, json in [
        ("PATCH", {"body": "Anders."}),
        ("DELETE", None),
        ("PUT", {"status": "noted", "motivation": "x", "revision": 0}),
    ]:
        refused = client.open(
            f"{url}/decision" if method == "PUT" else url, method=method, json=json
        )
        assert "CSRF" in problem_of(refused, 400)["detail"], method
    assert client.get(url).get_json()["body"] == "Dit kan scherper."


def test_too_many_calls_are_a_429_with_retry_after(app, client, session, monkeypatch):
    headers = bearer(app, session, Role.PARTNER)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    refused = client.get(f"{API}/me", headers=headers)
    assert "seconden" in problem_of(refused, 429)["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    other = bearer(app, session, Role.REVIEWER)  # counted per token
    assert client.get(f"{API}/me", headers=other).status_code == 200


# The shared store --------------------------------------------------------------------------

REDIS_URL = os.environ.get("REVIEWHUB_TEST_REDIS_URL")
# One worker process: its own app on the shared store, a few anonymous calls from one address.
WORKER = """
import sys
from reviewhub import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "API_ANONYMOUS_RATE_LIMIT": "2 per hour"})
client = app.test_client()
calls = int(sys.argv[4])
answers = [client.get("/api/v1/documents", environ_base={"REMOTE_ADDR": sys.argv[3]}).status_code
           for _ in range(calls)]
print(" ".join(map(str, answers)))
"""


@pytest.mark.skipif(not REDIS_URL, reason="REVIEWHUB_TEST_REDIS_URL is not set")
def test_worker_processes_count_api_calls_together_in_redis(app, tmp_path):
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"

    def worker(calls: int) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                WORKER,
                app.config["SQLALCHEMY_DATABASE_URI"],
                REDIS_URL,
                address,
                str(calls),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
            timeout=120,
        )
        return done.stdout.strip()

    assert worker(2) == "200 200"
    assert worker(1) == "429"  # another process, the same count


# Cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("listing", [REACTIONS, f"{API}/me/reactions"])
def test_a_page_of_reactions_costs_the_same_however_many_there_are(
    app, client, session, partner, listing
):
    from tests.views.test_page_cache import counting_queries

    def statements() -> int:
        with counting_queries(app) as sent:
            assert client.get(f"{listing}?limit=100", headers=partner).status_code == 200
        return len(sent)

    def react(count: int, start: int) -> None:
        for n in range(start, start + count):
            made = posted(client, session, partner, client_token=f"n{n}").get_json()
            client.post(f"{made['api_url']}/replies", headers=partner, json={"body": "En."})

    react(3, 0)
    few = statements()
    react(40, 3)
    assert statements() == few


def test_a_first_reaction_says_how_it_is_signed_as_on_the_site(app, client, session, partner):
    from tests.factories import user_with_role

    person = user_with_role(session, Role.PARTNER)
    person.attribution = None
    session.commit()
    unsigned = client.post(REACTIONS, json=passage_reaction(session), headers=partner)
    assert "organisation" in problem_of(unsigned, 422)["detail"]
    signed = posted(client, session, partner, attribution="organisation").get_json()
    assert "Dewi" not in signed["author"]  # only organisation and group, in public
    session.refresh(person)
    assert person.attribution.value == "organisation"


def test_a_cursor_beyond_what_the_database_holds_is_a_422(client):
    answer = client.get(f"{REACTIONS}?after={2**31}")
    assert "after" in problem_of(answer, 422)["errors"]


def test_a_crash_is_a_500_problem_not_a_page(app, client, monkeypatch):
    """An unexpected error anywhere under /api/: problem details without the inner story."""

    def crash(**_: object) -> None:
        raise RuntimeError("the secret inner story")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "api_feedback.me", crash)
    answer = client.get(f"{API}/me")
    problem = problem_of(answer, 500)
    assert "secret" not in answer.get_data(as_text=True) and "detail" not in problem


# Consultation questions -----------------------------------------------------------------------


def asked(session, text: str, key: str | None = None):
    from reviewhub.feedback import questions
    from tests.factories import user_with_role

    author = user_with_role(session, Role.AUTHOR)
    section = sample_section(session, key=key) if key else None
    question = questions.add_question(session, author, sample_section(session).version, text,
                                      section)  # fmt: skip
    session.commit()
    return question


def test_a_reaction_answers_a_question_and_the_version_lists_them(client, session, spec,
                                                                   partner):  # fmt: skip
    whole, there = asked(session, "Wat mist u?"), asked(session, "Regie helder?", "regie")
    made = posted(client, session, partner, question_id=whole.id).get_json()
    conforms(spec, "Reaction", made)
    assert made["question"] == {"id": whole.id, "text": "Wat mist u?"}
    listed = client.get(f"{VERSION}/questions", headers=partner)
    assert listed.status_code == 200
    for item in listed.get_json():
        conforms(spec, "Question", item)
    assert [(q["text"], q["section"], q["answers"]) for q in listed.get_json()] == [
        ("Wat mist u?", None, 1), ("Regie helder?", "regie", 0)]  # fmt: skip
    answers = client.get(f"{REACTIONS}?question={whole.id}", headers=partner).get_json()
    assert [item["id"] for item in answers["items"]] == [made["id"]]
    body = passage_reaction(session, question_id=there.id, client_token="2")
    wrong = client.post(REACTIONS, headers=partner, json=body)
    assert "andere sectie" in problem_of(wrong, 422)["detail"]


def test_its_author_changes_the_question_with_a_patch(client, session, spec, partner):
    whole = asked(session, "Wat mist u?")
    made = posted(client, session, partner).get_json()
    assert made["question"] is None
    url = made["api_url"]
    changed = client.patch(url, json={"body": "Dit kan scherper.", "question_id": whole.id},
                           headers=partner)  # fmt: skip
    assert changed.status_code == 200 and changed.get_json()["question"]["id"] == whole.id
    kept = client.patch(url, json={"body": "Nog scherper."}, headers=partner)
    assert kept.get_json()["question"]["id"] == whole.id  # left out: unchanged
    cleared = client.patch(url, json={"body": "Nog scherper.", "question_id": None},
                           headers=partner)  # fmt: skip
    assert cleared.get_json()["question"] is None
    unknown = client.patch(url, json={"body": "x", "question_id": 987654}, headers=partner)
    assert "niet gesteld" in problem_of(unknown, 422)["detail"]
    assert session.get(Comment, made["id"]).body == "Nog scherper."  # nothing of it kept
