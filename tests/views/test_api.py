"""The JSON API's first part: documents, versions and sections for anonymous clients and
token holders, errors as problem details, and every answer valid against the OpenAPI
description generated from the code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from reviewhub.accounts import tokens
from reviewhub.clock import local_today
from reviewhub.models import Document, Role, TokenScope, Visibility
from tests.factories import SAMPLE_SLUG, group_named, user_with_role

API = "/api/v1"
VERSION = f"{API}/documents/{SAMPLE_SLUG}/versions/3"


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get(f"{API}/openapi.json").get_json()


def conforms(spec: dict[str, Any], schema: str, data: Any, many: bool = False) -> None:
    """``data`` is valid against the description's ``schema`` (components/schemas)."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    root = {**spec, **({"type": "array", "items": ref} if many else ref)}
    errors = list(Draft202012Validator(root).iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]


def bearer(app, session, role: Role, scopes=(TokenScope.READ,)) -> dict[str, str]:
    with app.app_context():
        made = tokens.create_token(session, user_with_role(session, role), "Test",
                                   list(scopes), local_today() + timedelta(days=3))  # fmt: skip
    session.commit()
    return {"Authorization": f"Bearer {made.secret}"}


def test_the_description_is_openapi_3_1_generated_from_the_code(spec):
    assert spec["openapi"] == "3.1.0"
    assert {f"{API}/documents", f"{API}/documents/{{slug}}",
            f"{API}/documents/{{slug}}/versions/{{number}}"} <= spec["paths"].keys()  # fmt: skip
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {"type", "title"}


def test_anonymous_clients_read_documents_versions_and_sections(client, spec):
    listing = client.get(f"{API}/documents")
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    conforms(spec, "DocumentSummary", listing.get_json(), many=True)
    document = client.get(f"{API}/documents/{SAMPLE_SLUG}").get_json()
    conforms(spec, "Document", document)
    assert document["current_version"] == 3 and [v["number"] for v in document["versions"]] == [
        3,
        2,
        1,
    ]
    version = client.get(VERSION)
    body = version.get_json()
    conforms(spec, "Version", body)
    veiligheid = next(s for s in body["sections"] if s["key"] == "veiligheid")
    assert veiligheid["number"] and veiligheid["html"].startswith("<") and veiligheid["markdown"]
    assert body["status"] == "open" and body["closes_on"] == "2027-03-01"


def test_an_unchanged_version_is_answered_304(client):
    first = client.get(VERSION)
    again = client.get(VERSION, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_restricted_document_is_not_named_to_outsiders_but_read_with_a_token(
    app, client, session
):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.visibility, document.groups = Visibility.RESTRICTED, [group_named(session)]
    session.commit()
    assert SAMPLE_SLUG not in client.get(f"{API}/documents").get_data(as_text=True)
    refused = client.get(VERSION)
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    member = bearer(app, session, Role.PARTNER)  # the partner is in Regio Twente
    assert client.get(VERSION, headers=member).status_code == 200
    outsider = bearer(app, session, Role.READER)
    assert client.get(VERSION, headers=outsider).status_code == 404


def test_a_token_that_does_not_hold_is_a_401_problem(app, client, session, spec):
    response = client.get(f"{API}/documents", headers={"Authorization": "Bearer rh_onzin"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    conforms(spec, "Problem", response.get_json())


def test_a_token_without_the_read_scope_may_not_read(app, client, session):
    writer = bearer(app, session, Role.PARTNER, scopes=(TokenScope.WRITE,))
    response = client.get(f"{API}/documents", headers=writer)
    assert response.status_code == 403 and "mag niet lezen" in response.get_json()["detail"]


def test_a_token_notes_its_last_use(app, client, session):
    headers = bearer(app, session, Role.PARTNER)
    assert client.get(f"{API}/documents", headers=headers).status_code == 200
    session.expire_all()
    token = tokens.token_holder(session, headers["Authorization"].removeprefix("Bearer "))
    assert token is not None and token[1].last_used_at is not None


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [("GET", f"{API}/bestaat-niet", 404), ("POST", f"{API}/documents", 405),
     ("GET", f"{API}/documents/{SAMPLE_SLUG}/versions/99", 404)],
)  # fmt: skip
def test_api_errors_are_problem_details_never_pages(client, spec, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    conforms(spec, "Problem", response.get_json())
    assert "<html" not in response.get_data(as_text=True)


def test_the_sites_own_pages_still_answer_with_pages(client):
    response = client.get("/documents/bestaat-niet")
    assert response.status_code == 404 and response.mimetype == "text/html"


# Reactions --------------------------------------------------------------------------------

REACTIONS = f"{VERSION}/reactions"


@pytest.fixture
def posted(app, session):
    """Three reactions of the demo partner on version 3: one on a passage, one group-only."""
    from reviewhub.feedback.posting import Passage, post_comment
    from reviewhub.models import CommentVisibility
    from tests.factories import reaction, sample_section

    partner, twente = user_with_role(session, Role.PARTNER), group_named(session)
    section = sample_section(session)
    words = section.text.split()[:3]
    with app.app_context():
        made = [
            post_comment(session, partner, section,
                         reaction("Over deze woorden.", group=twente,
                                  passage=Passage(exact=" ".join(words)))),
            post_comment(session, partner, section, reaction("Algemeen.", group=twente)),
            post_comment(session, partner, section,
                         reaction("Intern.", group=twente, visibility=CommentVisibility.GROUP)),
        ]  # fmt: skip
    session.commit()
    return made


def test_reactions_come_a_page_at_a_time_with_w3c_selectors(client, spec, posted):
    first = client.get(f"{REACTIONS}?limit=1")
    body = first.get_json()
    conforms(spec, "ReactionPage", body)
    assert [r["body"] for r in body["items"]] == ["Over deze woorden."]
    quote = body["items"][0]["target"]["selector"][0]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == posted[0].quote_exact
    second = client.get(body["next"]).get_json()
    assert [r["body"] for r in second["items"]] == ["Algemeen."]
    assert second["next"] is None  # the group-only one is not for anonymous clients


def test_the_group_reads_its_own_and_filters_narrow_the_list(app, client, session, posted):
    member = bearer(app, session, Role.PARTNER)
    bodies = [r["body"] for r in client.get(REACTIONS, headers=member).get_json()["items"]]
    assert bodies == ["Over deze woorden.", "Algemeen.", "Intern."]
    none = client.get(f"{REACTIONS}?kind=support", headers=member).get_json()
    assert none["items"] == []


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "kind=onzin", "after=-1"])
def test_bad_query_arguments_are_422_problems_naming_the_field(client, spec, query):
    response = client.get(f"{REACTIONS}?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    conforms(spec, "Problem", response.get_json())
    assert query.partition("=")[0] in response.get_json()["errors"]
