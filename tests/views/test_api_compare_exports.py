"""The JSON API's comparisons (section mapping, word diffs, summary) and exports of the
feedback: answers valid against the generated description, the diffs rebuilding both texts,
304 for what the client has, and the exports only for those who read the review workspace."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from reviewhub.compare.versions import compare_versions
from reviewhub.exports import formats
from reviewhub.exports.formats import FORMATS
from reviewhub.extensions import db
from reviewhub.models import Document, Role, Section, Version
from tests.factories import SAMPLE_SLUG
from tests.views.test_api import API, bearer, conforms

VERSIONS = f"{API}/documents/{SAMPLE_SLUG}/versions"
MAPPING = f"{VERSIONS}/2/mapping/3"
COMPARE = f"{VERSIONS}/2/compare/3"
CSV = f"{VERSIONS}/3/exports/csv"
JSON = f"{VERSIONS}/3/exports/json"
PATHS = f"{API}/documents/{{slug}}/versions"  # as the description names them


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get(f"{API}/openapi.json").get_json()


def _by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {pair["key"]: pair for pair in body["sections"]}


def _sides(ops: list[dict[str, str]]) -> tuple[str, str]:
    """The older and the newer text the operations rebuild."""
    old = "".join(o["text"] for o in ops if o["op"] in ("equal", "delete"))
    new = "".join(o["text"] for o in ops if o["op"] in ("equal", "insert"))
    return old, new


def _stored_text(session, number: int, key: str) -> str:
    return session.scalars(
        select(Section.text)
        .join(Version)
        .join(Document)
        .where(Document.slug == SAMPLE_SLUG, Version.number == number, Section.key == key)
    ).one()


def _in_english(client) -> None:
    assert client.post("/language", data={"language": "en"}).status_code == 302


# The mapping --------------------------------------------------------------------------------


def test_the_description_has_the_comparisons_and_the_exports(spec):
    paths = spec["paths"]
    assert {f"{PATHS}/{{a}}/mapping/{{b}}", f"{PATHS}/{{a}}/compare/{{b}}"} <= paths.keys()
    export = paths[f"{PATHS}/{{number}}/exports/{{fmt}}"]
    fmt = next(p for p in export["parameters"] if p["name"] == "fmt")
    assert fmt["schema"]["enum"] == list(FORMATS)
    content = export["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/json", "application/pdf"} <= content.keys()
    assert content["text/csv"]["x-formats"] == ["csv", "csv-semicolon"]


def test_the_mapping_says_which_section_became_which(client, spec):
    response = client.get(MAPPING)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    conforms(spec, "SectionMapping", body)
    assert (body["from"]["number"], body["to"]["number"]) == (2, 3)
    pairs = _by_key(body)
    assert {pair["status"] for pair in pairs.values()} == {
        "new", "removed", "unchanged", "edited", "renamed", "moved"
    }  # fmt: skip
    moved = pairs["regie"]
    assert moved["status"] == "moved" and moved["moved"]
    assert (moved["from"]["number"], moved["to"]["number"]) == ("3.5", "2.4")
    renamed = pairs["fase-5-afschalen"]
    assert renamed["status"] == "renamed" and renamed["renamed"] and not renamed["edited"]
    assert renamed["from"]["heading"] == "Fase 5: Afschalen"
    assert renamed["to"]["heading"] == "Fase 5: Afschalen en afsluiten"
    assert pairs["onderwijs-en-kinderopvang"]["from"] is None
    assert pairs["onderwijs-en-kinderopvang"]["status"] == "new"
    removed = pairs["bij-wie-kun-je-terecht-met-privacyvragen"]
    assert removed["status"] == "removed" and removed["to"] is None
    assert pairs["veilig-thuis"]["status"] == "edited"
    assert pairs["veiligheid"]["status"] == "unchanged"


def test_pairs_that_are_no_comparison_are_problems(client, spec):
    _in_english(client)
    same = client.get(f"{VERSIONS}/3/mapping/3")
    assert same.status_code == 422 and same.mimetype == "application/problem+json"
    conforms(spec, "Problem", same.get_json())
    assert same.get_json()["detail"] == "Choose two different versions."
    backwards = client.get(f"{VERSIONS}/3/compare/2")
    assert backwards.status_code == 422 and "older version first" in backwards.get_json()["detail"]
    for unknown in (f"{VERSIONS}/2/mapping/9", f"{VERSIONS}/9/compare/3"):
        assert client.get(unknown).status_code == 404
    assert client.get(f"{API}/documents/bestaat-niet/versions/1/compare/2").status_code == 404


@pytest.mark.parametrize("url", [MAPPING, COMPARE])
def test_a_comparison_the_client_has_is_answered_304(client, url):
    first = client.get(url)
    assert first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


# The comparison -----------------------------------------------------------------------------


def test_the_comparison_gives_the_mapping_with_word_diffs_and_the_summary(app, client, spec):
    body = client.get(COMPARE).get_json()
    conforms(spec, "Comparison", body)
    mapping = client.get(MAPPING).get_json()
    assert [{k: v for k, v in pair.items() if k != "diff"} for pair in body["sections"]] == (
        mapping["sections"]
    )
    for pair in body["sections"]:
        assert (pair["diff"] is None) == (pair["status"] == "unchanged")
    counts = body["summary"]["sections"]
    statuses = [pair["status"] for pair in body["sections"]]
    assert (counts["new"], counts["removed"]) == (statuses.count("new"), statuses.count("removed"))
    assert counts["changed"] == len(statuses) - sum(
        statuses.count(s) for s in ("new", "removed", "unchanged")
    )
    with app.app_context():
        versions = db.session.scalars(
            select(Version).join(Document).where(Document.slug == SAMPLE_SLUG)
        ).all()
        by_number = {v.number: v for v in versions}
        summary = compare_versions(db.session, by_number[2], by_number[3]).summary
    assert body["summary"]["words"] == {"added": summary.words_added,
                                        "removed": summary.words_removed}  # fmt: skip
    assert (counts["edited"], counts["unchanged"]) == (summary.edited, summary.unchanged)


def test_the_word_diff_rebuilds_the_older_and_the_newer_text(client, session):
    pairs = _by_key(client.get(COMPARE).get_json())
    edited = pairs["veilig-thuis"]["diff"]["text"]
    assert {"equal", "insert"} <= {o["op"] for o in edited}
    old, new = _sides(edited)
    assert old != new
    # The stored plain text is the same text with its white space collapsed.
    assert " ".join(old.split()) == _stored_text(session, 2, "veilig-thuis")
    assert " ".join(new.split()) == _stored_text(session, 3, "veilig-thuis")
    for pair in pairs.values():
        if pair["diff"] is None:
            continue
        old_heading, new_heading = _sides(pair["diff"]["heading"])
        assert old_heading == (pair["from"]["heading"] if pair["from"] else "")
        assert new_heading == (pair["to"]["heading"] if pair["to"] else "")
        old_text, new_text = _sides(pair["diff"]["text"])
        assert (old_text == "") == (pair["from"] is None), pair["key"]
        assert (new_text == "") == (pair["to"] is None), pair["key"]
    renamed = pairs["fase-5-afschalen"]["diff"]
    assert [o["op"] for o in renamed["heading"]] == ["equal", "insert"]
    assert {o["op"] for o in renamed["text"]} == {"equal"}


# Exports ------------------------------------------------------------------------------------


@pytest.fixture
def reactions(app, session):
    """Two public reactions of the demo partner on version 3."""
    from reviewhub.feedback.posting import post_comment
    from tests.factories import group_named, reaction, sample_section, user_with_role

    partner, twente = user_with_role(session, Role.PARTNER), group_named(session)
    section = sample_section(session)
    with app.app_context():
        made = [
            post_comment(session, partner, section, reaction("Wat bedoelt u?", group=twente)),
            post_comment(session, partner, section, reaction("Algemeen.", group=twente)),
        ]
    session.commit()
    return made


def test_the_review_group_exports_csv_and_json_as_the_site_does(app, client, session, reactions):
    reviewer = bearer(app, session, Role.REVIEWER)
    response = client.get(CSV, headers=reviewer)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="register-{SAMPLE_SLUG}-v3.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + len(reactions)
    assert any("Algemeen." in cell for row in rows[1:] for cell in row)
    exported = client.get(JSON, headers=reviewer)
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    bodies = [r["text"] for r in exported.get_json()["reactions"]]
    assert sorted(bodies) == ["Algemeen.", "Wat bedoelt u?"]


def test_the_workspace_filters_narrow_the_export(app, client, session, reactions):
    reviewer = bearer(app, session, Role.REVIEWER)
    none = client.get(f"{JSON}?kind=support", headers=reviewer)
    assert none.status_code == 200 and none.get_json()["reactions"] == []
    section = client.get(f"{JSON}?section=veiligheid&status=new", headers=reviewer)
    assert len(section.get_json()["reactions"]) == len(reactions)
    for query in ("kind=onzin", "group=0", "sort=reference"):  # misspelt or unknown: refused
        refused = client.get(f"{JSON}?{query}", headers=reviewer)
        assert refused.status_code == 422, query
        assert query.partition("=")[0] in refused.get_json()["errors"], query


def test_only_those_who_read_the_workspace_export(app, client, session, spec, reactions):
    partner = client.get(CSV, headers=bearer(app, session, Role.PARTNER))
    assert partner.status_code == 403 and partner.mimetype == "application/problem+json"
    conforms(spec, "Problem", partner.get_json())
    anonymous = client.get(CSV)
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_format_is_a_404_naming_the_formats(app, client, session, spec):
    response = client.get(f"{VERSIONS}/3/exports/odt", headers=bearer(app, session, Role.REVIEWER))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    conforms(spec, "Problem", response.get_json())
    assert all(name in response.get_json()["detail"] for name in FORMATS)


def test_a_pdf_too_large_for_a_request_is_a_422_problem(app, client, session, reactions,
                                                        monkeypatch):  # fmt: skip
    monkeypatch.setattr(formats, "PDF_LIMIT", 1)
    _in_english(client)
    reviewer = bearer(app, session, Role.REVIEWER)
    response = client.get(f"{VERSIONS}/3/exports/pdf", headers=reviewer)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("A PDF of 2 reactions is too large")
