"""The API reference page: every operation of the live OpenAPI description rendered as HTML
of the server's own, and the pure functions that read a description, on hand-made ones."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest

from reviewhub.models import Role
from reviewhub.views.api_reference import (
    METHODS,
    Type,
    body_fields,
    describe_type,
    read_reference,
    rules,
)

API = "/api/v1"
PAGE = f"{API}/reference"
REACTIONS = f"{API}/documents/{{slug}}/versions/{{number}}/reactions"


class _Page(HTMLParser):
    """What the checks look at: scripts, inline styles, ids and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styles = 0
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        self.styles += tag == "style" or "style" in found
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get(f"{API}/openapi.json").get_json()


@pytest.fixture
def page(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def parsed(html: str) -> _Page:
    found = _Page()
    found.feed(html)
    return found


def operation_html(page: str, method: str, path: str) -> str:
    """The part of the page about one operation: from its heading to the next one."""
    heading = f"<code>{method}</code> <code>{path}</code></h3>"
    start = page.index(heading)
    end = page.find('<section class="api-operation">', start)
    return page[start : end if end != -1 else len(page)]


def test_the_page_lists_every_operation_of_the_live_description(page, spec):
    operations = [(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in METHODS]
    assert len(operations) >= 5
    for method, path in operations:
        heading = f"<code>{method}</code> <code>{path}</code></h3>"
        assert page.count(heading) == 1, heading
    ids = parsed(page).ids
    assert len(ids) == len(set(ids)), "ids are unique"
    contents = [link for link in parsed(page).links if link.startswith("#op-")]
    assert len(contents) == len(operations) and {c[1:] for c in contents} <= set(ids)


def test_the_reactions_list_shows_its_parameters_and_response_fields(page):
    part = unescape(operation_html(page, "GET", REACTIONS))
    assert '<th scope="row"><code>limit</code></th>' in part
    assert "ten hoogste 100" in part and "<code>50</code>" in part  # bounds and default
    assert "<code>question</code>" in part  # a kind, of the enum
    assert '<th scope="row"><code>items[].body</code></th>' in part
    assert "None once deleted or hidden." in part  # the field's own description


def test_refs_are_resolved_into_the_fields_of_nested_schemas(page):
    part = operation_html(page, "GET", REACTIONS)
    # ReactionPage → Reaction → Target → Selector, each a $ref
    assert "<code>items[].target.selector[].exact</code>" in part
    # errors point to the one table of the Problem schema
    assert 'href="#schema-Problem"' in part and 'id="schema-Problem"' in page
    assert "<code>detail</code>" in page[page.index('id="schema-Problem"') :]


def test_the_introduction_links_to_the_tokens_and_the_description(page):
    links = parsed(page).links
    assert "/me/profile#tokens" in links and f"{API}/openapi.json" in links
    assert "Authorization: Bearer" in page and "RFC 9457" in page
    for scope in ("read", "write", "review"):
        assert f"<code>{scope}</code>" in page


def test_a_scope_the_description_requires_is_shown(page, spec):
    needing = [(m.upper(), p, o["security"]) for p, item in spec["paths"].items()
               for m, o in item.items() if m in METHODS and o.get("security")]  # fmt: skip
    if not needing:
        pytest.skip("no operation of the description names a scope yet")
    method, path, security = needing[0]
    scope = next(iter(security[0].values()))[0]
    assert f"<code>{scope}</code>" in operation_html(page, method, path)


def test_the_page_runs_no_script_and_has_no_inline_style(page):
    found = parsed(page)
    assert all(str(s.get("src", "")).startswith("/static/") for s in found.scripts)
    assert found.styles == 0
    assert "cdn" not in page.lower()


def test_the_page_is_there_in_english_with_the_descriptions_texts_unmarked(client):
    client.post("/language", data={"language": "en", "next": PAGE})
    html = client.get(PAGE).get_data(as_text=True)
    assert "<h1>API reference</h1>" in html and 'lang="en"' not in html.split("<body>")[1]


def test_the_profile_links_to_the_reference(client, auth):
    auth.login(Role.PARTNER)
    assert f'href="{PAGE}"' in client.get("/me/profile").get_data(as_text=True)


# The pure functions ------------------------------------------------------------------------

TREE = "#/components/schemas/Tree"
SMALL_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Trees", "version": "2"},
    "tags": [{"name": "trees", "description": "Trees and their branches."}],
    "paths": {
        "/trees/{id}": {
            "parameters": [{"in": "path", "name": "id", "schema": {"type": "integer"}}],
            "get": {
                "tags": ["trees"],
                "summary": "One tree.",
                "parameters": [{"$ref": "#/components/parameters/Depth"}],
                "responses": {
                    "default": {"$ref": "#/components/responses/Error"},
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": TREE}}},
                    },
                },
            },
            "put": {
                "security": [{"token": ["write"]}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": TREE}}},
                },
                "responses": {"204": {"description": "No Content"}},
            },
        },
    },
    "components": {
        "schemas": {
            "Tree": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "Its name.", "maxLength": 40},
                    "parent": {"anyOf": [{"$ref": TREE}, {"type": "null"}]},
                    "branches": {"type": "array", "items": {"$ref": TREE}},
                    "leaf": {"$ref": "#/components/schemas/Leaf"},
                },
            },
            "Leaf": {
                "allOf": [{"$ref": "#/components/schemas/Colour"}],
                "properties": {"size": {"type": "integer", "maximum": 2**62}},
            },
            "Colour": {
                "type": "object",
                "required": ["colour"],
                "properties": {"colour": {"type": "string", "enum": ["green", "red"]}},
            },
            "Loop": {"$ref": "#/components/schemas/Loop"},
            "Error": {"type": "object", "properties": {"title": {"type": "string"}}},
        },
        "parameters": {
            "Depth": {
                "in": "query",
                "name": "depth",
                "description": "How deep.",
                "schema": {"type": "integer", "default": 1, "enum": [1, 2]},
            },
        },
        "responses": {
            "Error": {
                "description": "An error",
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}
                },
            },
        },
    },
}


def test_a_recursive_schema_is_expanded_once_and_then_named():
    fields = {f.name: f for f in body_fields(SMALL_SPEC, {"$ref": TREE})}
    assert list(fields) == ["name", "parent", "branches", "leaf", "leaf.colour", "leaf.size"]
    assert fields["parent"].repeats == "Tree" and fields["branches"].repeats == "Tree"
    assert fields["parent"].type == Type(options=(Type(schema="Tree"), Type(names=("null",))))
    assert fields["branches"].type == Type(names=("array",), items=Type(schema="Tree"))
    assert fields["name"].required and not fields["parent"].required
    assert fields["name"].description == "Its name."
    assert fields["leaf.colour"].required and fields["leaf.colour"].rules.enum == ("green", "red")
    assert fields["leaf.size"].rules.bounds == ()  # a database integer's bound says nothing
    assert fields["name"].rules.bounds == (("maxLength", 40),)


def test_a_ref_to_itself_ends_in_an_empty_schema():
    assert body_fields(SMALL_SPEC, {"$ref": "#/components/schemas/Loop"}) == ()
    assert describe_type(SMALL_SPEC, {"$ref": "#/components/schemas/Nowhere"}) == Type()


def test_the_small_description_is_read_into_tags_and_operations():
    reference = read_reference(SMALL_SPEC)
    assert (reference.title, reference.version) == ("Trees", "2")
    tagged, untagged = reference.tags
    assert (tagged.name, tagged.title) == ("trees", "Trees and their branches")
    assert tagged.description == ""  # it became the title
    assert untagged.name == "" and [op.method for op in untagged.operations] == ["PUT"]
    get = tagged.operations[0]
    assert (get.method, get.path, get.anchor) == ("GET", "/trees/{id}", "op-get-trees-id")
    assert [(p.name, p.location, p.required) for p in get.parameters] == [
        ("id", "path", True), ("depth", "query", False)]  # fmt: skip
    assert get.parameters[1].description == "How deep."
    assert get.parameters[1].rules == rules(SMALL_SPEC, {"type": "integer", "default": 1,
                                                         "enum": [1, 2]})  # fmt: skip
    assert get.parameters[1].rules.default == "1" and get.parameters[1].rules.enum == ("1", "2")
    assert [r.status for r in get.responses] == ["200", "default"]
    assert get.responses[1].body is not None
    assert get.responses[1].body.media_type == "application/problem+json"
    assert get.security is None and get.scopes == ()
    put = untagged.operations[0]
    assert put.scopes == ("write",) and put.request is not None and put.request.required
    assert put.responses[0].body is None
    assert [s.name for s in reference.shared] == ["Error"]
