"""The reactions as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), in JSON-LD:
one Annotation per top-level reaction, gathered in an AnnotationCollection whose pages hold
them. Pure functions of the export rows and their links: the caller writes the result out
with ``json.dumps`` (every value is a string, an integer, a list or a dict).

One reaction becomes::

    {"@context": "http://www.w3.org/ns/anno.jsonld",
     "id": <the reaction's permalink>, "type": "Annotation",
     "motivation": <from its kind, see motivation()>,
     "created": "2025-03-01T09:30:00Z",
     "creator": {"type": "Organization", "name": <group>} or {"type": "Person", ...},
     "body": [<the reaction's text>, <its proposed wording>, <the decision>],
     "target": <the section's address> or a Specific Resource selecting the passage}

The bodies are Textual Bodies told apart by their ``purpose``: ``commenting`` for the text
of the reaction, ``editing`` for the proposed wording, ``assessing`` for the review group's
decision ("<status>: <motivation>", the status in the current language). Texts are given as
written (ReviewHub's light Markdown reads fine as plain text), in Dutch.

A reaction on a passage targets its section's page with two selectors of the same passage:
a TextQuoteSelector (the words, with what precedes and follows them) and, when known, a
TextPositionSelector. The positions count code points in the section's plain text (its
whitespace runs folded to one space, as the reading page selects), not in the whole page:
a client that cannot line them up should fall back on the quote.

An export that is one file is a collection with one embedded page holding every annotation
(``page_size`` at least the number of reactions). A larger collection is split into pages
addressed ``<collection id>?page=N`` (N from 0): the collection embeds the first, and
``annotation_pages`` makes all of them, each linking to the next and the previous one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from flask_babel import get_locale

from .. import labels
from ..models import CommentKind
from ..text.selectors import passage_selectors
from .rows import ExportRow, Links, aware

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LANGUAGE = "nl"  # the language the documents and the reactions are written in
TEXT = "text/plain"

_MOTIVATION = {
    CommentKind.QUESTION: "questioning",
    CommentKind.SUGGESTION: "commenting",  # "editing" once it proposes wording
    CommentKind.CONCERN: "commenting",
    CommentKind.SUPPORT: "assessing",
    CommentKind.GENERAL: "commenting",
}


def motivation(row: ExportRow) -> str:
    """Why the reaction was made, as one of the model's motivations (section 3.3.5):

    ============================== =============
    kind                           motivation
    ============================== =============
    question                       questioning
    suggestion with wording        editing
    suggestion without wording     commenting
    concern                        commenting
    support                        assessing
    general, or no kind            commenting
    ============================== =============

    Support is an assessment of the text ("assessing": to assess the target in some way,
    rather than simply comment on it); a concern is a remark on it, so a comment."""
    if row.kind is CommentKind.SUGGESTION and row.proposed_text:
        return "editing"
    if row.kind is None:
        return "commenting"
    return _MOTIVATION[row.kind]


def annotation(row: ExportRow, links: Links) -> dict[str, Any]:
    """One reaction as a standalone Web Annotation."""
    return {"@context": CONTEXT, **_annotation(row, links)}


def annotation_page(
    rows: Iterable[ExportRow],
    links: Links,
    *,
    collection_id: str,
    page_id: str,
    start_index: int = 0,
    next_id: str | None = None,
    prev_id: str | None = None,
) -> dict[str, Any]:
    """A standalone AnnotationPage of ``collection_id`` holding the annotations of ``rows``
    (without their own ``@context``: the page's holds for them); the first of them is the
    collection's ``start_index``-th (from 0)."""
    if start_index < 0:
        raise ValueError(f"start_index must not be negative, not {start_index}")
    page: dict[str, Any] = {
        "@context": CONTEXT,
        "id": page_id,
        "type": "AnnotationPage",
        "partOf": collection_id,
        "startIndex": start_index,
    }
    if next_id is not None:
        page["next"] = next_id
    if prev_id is not None:
        page["prev"] = prev_id
    page["items"] = [_annotation(row, links) for row in rows]
    return page


def annotation_collection(
    rows: Iterable[ExportRow],
    links: Links,
    *,
    collection_id: str,
    label: str,
    total: int | None = None,
    page_size: int = 1000,
) -> dict[str, Any]:
    """The AnnotationCollection ``collection_id`` with its first page embedded: the first
    ``page_size`` of ``rows``.

    Without ``total``, the collection is all of ``rows`` and the rest of them are counted
    (not kept); with it, ``rows`` may stop after the first page. With more than ``page_size``
    annotations the first page links to the next (``page_address(collection_id, 1)``, made by
    ``annotation_pages``); ``last`` names the last page. An empty collection has no pages."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    remaining = iter(rows)
    first_rows = list(islice(remaining, page_size))
    if total is None:
        total = len(first_rows) + sum(1 for _ in remaining)
    elif total < len(first_rows) or (len(first_rows) < page_size and total != len(first_rows)):
        raise ValueError(f"total {total} does not match the {len(first_rows)} rows given")
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": str(label),
        "total": total,
    }
    if total:
        pages = -(-total // page_size)
        first = annotation_page(
            first_rows,
            links,
            collection_id=collection_id,
            page_id=page_address(collection_id, 0),
            next_id=page_address(collection_id, 1) if pages > 1 else None,
        )
        del first["@context"]  # the collection's holds for it
        collection["first"] = first
        collection["last"] = page_address(collection_id, pages - 1)
    return collection


def collection_file(
    rows: Iterable[ExportRow], links: Links, *, collection_id: str, label: str, total: int
) -> Iterator[str]:
    """The collection of ``total`` rows as one JSON document, its one embedded page holding
    every annotation, written an annotation at a time (20,000 of them held at once took
    200 MB): the same document as ``annotation_collection`` with ``page_size=total``."""
    head = annotation_collection([], links, collection_id=collection_id, label=label)
    if total:
        first = annotation_page([], links, collection_id=collection_id,
                                page_id=page_address(collection_id, 0))  # fmt: skip
        del first["@context"]
        head.update(total=total, first=first, last=page_address(collection_id, 0))
    text = json.dumps(head, ensure_ascii=False)
    if not total:
        yield text
        return
    before, after = text.rsplit('"items": []', 1)
    yield before + '"items": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + json.dumps(_annotation(row, links), ensure_ascii=False)
    yield "]" + after


def annotation_pages(
    rows: Iterable[ExportRow], links: Links, *, collection_id: str, page_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every page of the collection ``annotation_collection`` describes for the same rows
    and ``page_size``, standalone, in order: none when there are no rows."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    remaining = iter(rows)
    chunk = list(islice(remaining, page_size))
    number = 0
    while chunk:
        following = list(islice(remaining, page_size))
        yield annotation_page(
            chunk,
            links,
            collection_id=collection_id,
            page_id=page_address(collection_id, number),
            start_index=number * page_size,
            next_id=page_address(collection_id, number + 1) if following else None,
            prev_id=page_address(collection_id, number - 1) if number else None,
        )
        chunk, number = following, number + 1


def page_address(collection_id: str, number: int) -> str:
    """The id of page ``number`` (from 0) of the collection ``collection_id``."""
    separator = "&" if "?" in collection_id else "?"
    return f"{collection_id}{separator}page={number}"


# The parts of an annotation ------------------------------------------------------------------


def _annotation(row: ExportRow, links: Links) -> dict[str, Any]:
    """The annotation without its ``@context``, as a page's items hold it."""
    result: dict[str, Any] = {
        "id": links.reaction(row),
        "type": "Annotation",
        "motivation": motivation(row),
        "created": _timestamp(row.created_at),
    }
    creator = _creator(row)
    if creator is not None:
        result["creator"] = creator
    bodies = _bodies(row)
    if bodies:
        result["body"] = bodies
    result["target"] = _target(row, links)
    return result


def _creator(row: ExportRow) -> dict[str, str] | None:
    """The group the reaction was made for, else the person who wrote it."""
    if row.group:
        return {"type": "Organization", "name": row.group}
    if row.author:
        return {"type": "Person", "name": row.author}
    return None


def _bodies(row: ExportRow) -> list[dict[str, str]]:
    bodies = []
    if row.body:
        bodies.append(_text(row.body, "commenting"))
    if row.proposed_text:
        bodies.append(_text(row.proposed_text, "editing"))
    if row.decided:
        status = str(labels.DISPOSITION[row.status])
        decision = _text(f"{status}: {row.motivation}" if row.motivation else status, "assessing")
        if _locale_language() != LANGUAGE:  # the status is not in Dutch: mixed languages
            del decision["language"]
        if row.decided_at is not None:
            decision["created"] = _timestamp(row.decided_at)
        bodies.append(decision)
    return bodies


def _text(value: str, purpose: str) -> dict[str, str]:
    return {
        "type": "TextualBody",
        "value": value,
        "format": TEXT,
        "language": LANGUAGE,
        "purpose": purpose,
    }


def _target(row: ExportRow, links: Links) -> str | dict[str, Any]:
    """The section's page, or the passage on it: a Specific Resource with two selectors of
    the same passage (the model treats several selectors as alternatives)."""
    source = links.section(row)
    if not row.quote:
        return source
    selectors = passage_selectors(row.quote, row.quote_prefix, row.quote_suffix,
                                  row.quote_start, row.quote_end)  # fmt: skip
    return {"source": source, "selector": selectors}


def _timestamp(moment: datetime) -> str:
    return aware(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


def _locale_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else LANGUAGE
