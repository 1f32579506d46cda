"""The W3C Web Annotation export: every annotation passes every MUST assertion of the W3C test
suite (annotationMusts.test), the collection and its pages pass what collections.json asks,
and the reactions' kinds, texts, passages, authors and decisions land where the model puts
them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from reviewhub import labels
from reviewhub.exports.annotations import (
    CONTEXT,
    annotation,
    annotation_collection,
    annotation_page,
    annotation_pages,
    motivation,
    page_address,
)
from reviewhub.exports.rows import ExportRow, Links
from reviewhub.models import CommentKind, CommentVisibility, Disposition
from tests.exports import w3c

LINKS = Links(
    reaction_pattern="https://reviewhub.example/r/{id}",
    section_pattern="https://reviewhub.example/d/omgevingsvisie/v{number}/s/{key}",
)
COLLECTION = "https://reviewhub.example/d/omgevingsvisie/v2/annotations"
CREATED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    """The labels are lazy strings, translated in the app's language (Dutch)."""
    with app.app_context():
        yield


def make_row(**changes: Any) -> ExportRow:
    """A reaction of the region Twente on the whole of section 2.1, not yet decided."""
    row = ExportRow(
        comment_id=11,
        reference="R-011",
        version_number=2,
        version_label="Versie 2",
        section_key="s-21",
        section_number="2.1",
        section_heading="Wonen",
        section_level=2,
        kind=CommentKind.GENERAL,
        group="Regio Twente",
        group_kind=None,
        author="Anna de Vries",
        organisation="Gemeente Enschede",
        created_at=CREATED,
        body="Graag aandacht voor **betaalbare** huurwoningen.",
        proposed_text="",
        quote="",
        quote_prefix="",
        quote_suffix="",
        quote_start=None,
        quote_end=None,
        status=Disposition.NEW,
        motivation="",
        decided_by="",
        decided_at=None,
        taken_in_version=None,
        taken_in_label="",
        answer=None,
        answer_text="",
        visibility=CommentVisibility.PUBLIC,
        hidden=False,
        withdrawn=False,
        position_edition=None,
    )
    return replace(row, **changes)


def passage_row() -> ExportRow:
    """A concern about a passage, with the words around it and its place."""
    return make_row(
        comment_id=12,
        kind=CommentKind.CONCERN,
        body="Is dit haalbaar?",
        quote="tienduizend woningen",
        quote_prefix="bouwen wij ",
        quote_suffix=" voor 2030",
        quote_start=14,
        quote_end=34,
    )


def section_row() -> ExportRow:
    """A question on the whole section."""
    return make_row(comment_id=13, kind=CommentKind.QUESTION, body="Wat telt als woning?")


def accepted_row() -> ExportRow:
    """A suggestion with new wording, accepted with a motivation."""
    return make_row(
        comment_id=14,
        kind=CommentKind.SUGGESTION,
        body="Preciezer formuleren.",
        proposed_text="ten minste tienduizend woningen",
        quote="tienduizend woningen",
        quote_start=14,
        quote_end=34,
        status=Disposition.ACCEPTED,
        motivation="Overgenomen in versie 3.",
        decided_by="Bert Jansen",
        decided_at=datetime(2025, 4, 2, 14, 0, tzinfo=UTC),
    )


def person_row() -> ExportRow:
    """Support from a person who reacted for no group."""
    return make_row(comment_id=15, kind=CommentKind.SUPPORT, group="", body="Eens.")


def rows() -> list[ExportRow]:
    return [passage_row(), section_row(), accepted_row(), person_row(), make_row()]


def assert_musts(item: dict[str, Any]) -> None:
    """Every MUST assertion, and the motivation and purposes from the model's list."""
    failures = w3c.failures(w3c.annotation_musts(), item)
    failures += w3c.motivation_check().failures(item)
    for body in item.get("body", []):
        failures += w3c.purpose_check().failures(body["purpose"])
    assert not failures, "\n".join(failures)


def bodies(item: dict[str, Any], purpose: str) -> list[dict[str, Any]]:
    return [body for body in item["body"] if body["purpose"] == purpose]


# Every annotation conforms ---------------------------------------------------------------


def test_the_checks_are_every_must_assertion() -> None:
    checks = w3c.annotation_musts()
    assert len(checks) == 14
    assert "annotations/3.1-targetKeyFound.json" in {check.name for check in checks}


@pytest.mark.parametrize("row", rows(), ids=lambda row: row.kind.value if row.kind else "none")
def test_every_annotation_passes_every_must(row: ExportRow) -> None:
    item = annotation(row, LINKS)
    assert_musts(item)
    json.dumps(item)  # serialisable as it is: no lazy strings, enums or datetimes


def test_a_motivation_outside_the_model_fails() -> None:
    item = {**annotation(passage_row(), LINKS), "motivation": "supporting"}
    assert w3c.motivation_check().failures(item)
    assert w3c.purpose_check().failures("supporting")


def test_an_annotation_without_target_fails() -> None:
    item = annotation(passage_row(), LINKS)
    del item["target"]
    failures = w3c.failures(w3c.annotation_musts(), item)
    assert len(failures) == 1
    assert "3.1-targetKeyFound" in failures[0] and "missing target" in failures[0]


@pytest.mark.parametrize(
    ("key", "value", "assertion"),
    [
        ("id", "/r/12", "3.1-annotationIdValidated"),  # no scheme: not a uri
        ("created", "1 maart 2025", "3.3.1-annotationCreatedValidated"),
        ("created", "2025-03-01T09:30:00", "3.3.1-annotationCreatedValidated"),  # no zone
        ("@context", "http://www.w3.org/ns/oa.jsonld", "3.1-annotationContextValidated"),
        ("bodyValue", "Is dit haalbaar?", "3.2.5-notBodyBodyValue"),
    ],
)
def test_the_checks_look_at_values_and_formats(key: str, value: str, assertion: str) -> None:
    item = {**annotation(passage_row(), LINKS), key: value}
    failures = w3c.failures(w3c.annotation_musts(), item)
    assert failures and all(assertion in failure for failure in failures), failures


# What each annotation says ---------------------------------------------------------------


def test_a_reaction_on_a_passage() -> None:
    item = annotation(passage_row(), LINKS)
    assert item["@context"] == CONTEXT
    assert item["id"] == "https://reviewhub.example/r/12"
    assert item["type"] == "Annotation"
    assert item["motivation"] == "commenting"
    assert item["created"] == "2025-03-01T09:30:00Z"
    assert item["creator"] == {"type": "Organization", "name": "Regio Twente"}
    assert item["body"] == [
        {
            "type": "TextualBody",
            "value": "Is dit haalbaar?",
            "format": "text/plain",
            "language": "nl",
            "purpose": "commenting",
        }
    ]
    assert item["target"] == {
        "source": "https://reviewhub.example/d/omgevingsvisie/v2/s/s-21",
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": "tienduizend woningen",
                "prefix": "bouwen wij ",
                "suffix": " voor 2030",
            },
            {"type": "TextPositionSelector", "start": 14, "end": 34},
        ],
    }


def test_a_reaction_on_the_whole_section_targets_its_page() -> None:
    item = annotation(section_row(), LINKS)
    assert item["target"] == "https://reviewhub.example/d/omgevingsvisie/v2/s/s-21"
    assert item["motivation"] == "questioning"


def test_a_quote_without_context_or_place_keeps_only_what_is_known() -> None:
    item = annotation(make_row(quote="huurwoningen", quote_start=3), LINKS)
    assert item["target"]["selector"] == [{"type": "TextQuoteSelector", "exact": "huurwoningen"}]
    assert_musts(item)


def test_an_accepted_suggestion_carries_its_wording_and_the_decision() -> None:
    item = annotation(accepted_row(), LINKS)
    assert item["motivation"] == "editing"
    assert [body["purpose"] for body in item["body"]] == ["commenting", "editing", "assessing"]
    assert bodies(item, "editing")[0]["value"] == "ten minste tienduizend woningen"
    [decision] = bodies(item, "assessing")
    accepted = str(labels.DISPOSITION[Disposition.ACCEPTED])
    assert accepted != "Accepted"  # the app's language is Dutch
    assert decision["value"] == f"{accepted}: Overgenomen in versie 3."
    assert decision["language"] == "nl"
    assert decision["created"] == "2025-04-02T14:00:00Z"
    assert "Bert Jansen" not in json.dumps(item)  # who decided is not the creator's


def test_the_decision_is_in_the_current_language() -> None:
    with force_locale("en"):
        item = annotation(accepted_row(), LINKS)
    [decision] = bodies(item, "assessing")
    assert decision["value"] == "Accepted: Overgenomen in versie 3."
    assert "language" not in decision  # an English status, a Dutch motivation


def test_a_decision_without_motivation_is_its_status() -> None:
    row = replace(section_row(), status=Disposition.ANSWERED, decided_at=None)
    [decision] = bodies(annotation(row, LINKS), "assessing")
    assert decision["value"] == str(labels.DISPOSITION[Disposition.ANSWERED])
    assert "created" not in decision


def test_an_open_reaction_has_no_decision() -> None:
    row = replace(section_row(), status=Disposition.IN_PROGRESS, motivation="Nog bespreken.")
    assert bodies(annotation(row, LINKS), "assessing") == []


def test_the_creator_is_the_group_else_the_person() -> None:
    assert annotation(person_row(), LINKS)["creator"] == {"type": "Person", "name": "Anna de Vries"}
    assert "creator" not in annotation(make_row(group="", author=""), LINKS)


@pytest.mark.parametrize(
    ("kind", "proposed", "expected"),
    [
        (CommentKind.QUESTION, "", "questioning"),
        (CommentKind.SUGGESTION, "nieuwe tekst", "editing"),
        (CommentKind.SUGGESTION, "", "commenting"),
        (CommentKind.CONCERN, "", "commenting"),
        (CommentKind.SUPPORT, "", "assessing"),
        (CommentKind.GENERAL, "", "commenting"),
        (None, "", "commenting"),
    ],
)
def test_the_motivation_follows_the_kind(
    kind: CommentKind | None, proposed: str, expected: str
) -> None:
    row = make_row(kind=kind, proposed_text=proposed)
    assert motivation(row) == expected
    assert annotation(row, LINKS)["motivation"] == expected


def test_times_are_given_in_utc() -> None:
    amsterdam = timezone(timedelta(hours=2))
    moment = datetime(2025, 6, 1, 11, 15, 30, 250000, tzinfo=amsterdam)
    assert annotation(make_row(created_at=moment), LINKS)["created"] == (
        "2025-06-01T09:15:30.250000Z"
    )
    naive = datetime(2025, 6, 1, 9, 15)  # as a database without time zones hands it back
    item = annotation(make_row(created_at=naive), LINKS)
    assert item["created"] == "2025-06-01T09:15:00Z"
    assert_musts(item)


# The collection and its pages ------------------------------------------------------------


def assert_collection(collection: dict[str, Any]) -> None:
    failures = w3c.failures(w3c.collection_checks(), collection)
    if "first" in collection:
        failures += w3c.failures(w3c.page_checks(standalone=False), collection["first"])
    assert not failures, "\n".join(failures)


def assert_page_items(page: dict[str, Any]) -> None:
    """Each item as it would stand alone, with the page's context."""
    for item in page["items"]:
        assert "@context" not in item
        assert_musts({"@context": CONTEXT, **item})


def test_a_collection_of_one_page_holds_every_annotation() -> None:
    collection = annotation_collection(rows(), LINKS, collection_id=COLLECTION, label="Wonen")
    assert_collection(collection)
    assert {key: value for key, value in collection.items() if key != "first"} == {
        "@context": CONTEXT,
        "id": COLLECTION,
        "type": "AnnotationCollection",
        "label": "Wonen",
        "total": 5,
        "last": f"{COLLECTION}?page=0",
    }
    first = collection["first"]
    assert "@context" not in first and "next" not in first and "prev" not in first
    assert first["id"] == f"{COLLECTION}?page=0"
    assert first["type"] == "AnnotationPage"
    assert first["partOf"] == COLLECTION
    assert first["startIndex"] == 0
    assert first["items"] == [
        {key: value for key, value in annotation(row, LINKS).items() if key != "@context"}
        for row in rows()
    ]
    assert_page_items(first)
    assert json.loads(json.dumps(collection)) == collection


def test_a_larger_collection_is_split_into_linked_pages() -> None:
    all_rows = rows()
    collection = annotation_collection(
        iter(all_rows), LINKS, collection_id=COLLECTION, label="Wonen", page_size=2
    )
    assert_collection(collection)
    assert collection["total"] == 5
    assert collection["last"] == f"{COLLECTION}?page=2"
    assert collection["first"]["next"] == f"{COLLECTION}?page=1"
    assert len(collection["first"]["items"]) == 2

    pages = list(annotation_pages(all_rows, LINKS, collection_id=COLLECTION, page_size=2))
    assert [page["id"] for page in pages] == [f"{COLLECTION}?page={n}" for n in range(3)]
    assert [page["startIndex"] for page in pages] == [0, 2, 4]
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert [page.get("next") for page in pages] == [pages[1]["id"], pages[2]["id"], None]
    assert [page.get("prev") for page in pages] == [None, pages[0]["id"], pages[1]["id"]]
    assert {key: value for key, value in pages[0].items() if key != "@context"} == (
        collection["first"]
    )
    assert [item["id"] for page in pages for item in page["items"]] == [
        LINKS.reaction(row) for row in all_rows
    ]
    for page in pages:
        failures = w3c.failures(w3c.page_checks(standalone=True), page)
        assert not failures, "\n".join(failures)
        assert_page_items(page)


def test_a_collection_told_its_total_needs_only_its_first_page() -> None:
    collection = annotation_collection(
        rows()[:2], LINKS, collection_id=COLLECTION, label="Wonen", total=5, page_size=2
    )
    assert_collection(collection)
    assert collection["total"] == 5 and collection["last"] == f"{COLLECTION}?page=2"
    with pytest.raises(ValueError):
        annotation_collection(rows()[:1], LINKS, collection_id=COLLECTION, label="W", total=5)
    with pytest.raises(ValueError):
        annotation_collection(rows(), LINKS, collection_id=COLLECTION, label="W", total=2)


def test_an_empty_collection_has_no_pages() -> None:
    collection = annotation_collection([], LINKS, collection_id=COLLECTION, label="Wonen")
    assert_collection(collection)
    assert collection["total"] == 0
    assert "first" not in collection and "last" not in collection
    assert list(annotation_pages([], LINKS, collection_id=COLLECTION)) == []


def test_a_page_on_its_own() -> None:
    page = annotation_page(
        rows()[2:4],
        LINKS,
        collection_id=COLLECTION,
        page_id=page_address(COLLECTION, 1),
        start_index=2,
        next_id=page_address(COLLECTION, 2),
        prev_id=page_address(COLLECTION, 0),
    )
    assert page["@context"] == CONTEXT
    assert page["partOf"] == COLLECTION
    assert (page["startIndex"], page["next"], page["prev"]) == (
        2,
        f"{COLLECTION}?page=2",
        f"{COLLECTION}?page=0",
    )
    failures = w3c.failures(w3c.page_checks(standalone=True), page)
    assert not failures, "\n".join(failures)
    assert_page_items(page)


def test_the_collection_checks_look() -> None:
    collection = annotation_collection(rows(), LINKS, collection_id=COLLECTION, label="Wonen")
    broken = {**collection, "type": "Collection", "total": -1, "last": {"id": "x"}}
    names = {failure.split(":")[0] for failure in w3c.failures(w3c.collection_checks(), broken)}
    assert {"annotationCollectionTypeValueFound", "totalFound", "lastValidIfPresent"} <= names
    page = {**collection["first"], "partOf": {"id": COLLECTION}, "items": [{"type": "Note"}]}
    names = {
        failure.split(":")[0] for failure in w3c.failures(w3c.page_checks(standalone=False), page)
    }
    assert names == {"partOfFound", "itemsFound"}


def test_page_addresses_keep_a_query() -> None:
    assert page_address("https://x.example/a", 3) == "https://x.example/a?page=3"
    assert page_address("https://x.example/a?v=2", 0) == "https://x.example/a?v=2&page=0"
