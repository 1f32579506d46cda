"""The comment register as CSV, and the feedback as JSON in ReviewHub's own schema (see
docs/export-schema.md): both written a row at a time, so a large export never sits in memory
whole."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from .columns import register_columns
from .rows import ExportRequest, ExportRow, Links, aware

# A cell that a spreadsheet would take for a formula ("=HYPERLINK(…)", "+31…", "-1", "@x"):
# prefixed with an apostrophe, which Excel and LibreOffice show as text (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCHEMA_VERSION = 1


def safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Lines:
    """A file-like sink that hands each written piece on, for a streamed response."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_chunks(
    rows: Iterable[ExportRow], *, links: Links, semicolon: bool, every: int = 500
) -> Iterator[bytes]:
    """The register as CSV in UTF-8 with a byte order mark (so that Excel reads the accents),
    ``every`` rows to a chunk: for a download that starts at once."""
    sink = _Lines()
    columns = register_columns(links)
    writer = csv.writer(sink, delimiter=";" if semicolon else ",")
    writer.writerow([str(column.header) for column in columns])
    yield "\ufeff".encode() + sink.take().encode()
    for index, row in enumerate(rows, 1):
        writer.writerow([safe_cell(column.text(row)) for column in columns])
        if index % every == 0:
            yield sink.take().encode()
    yield sink.take().encode()


# JSON ----------------------------------------------------------------------------------------


def row_json(row: ExportRow, links: Links) -> dict[str, Any]:
    """One reaction in the export schema (docs/export-schema.md)."""
    passage = None
    if row.quote:
        passage = {"exact": row.quote, "prefix": row.quote_prefix, "suffix": row.quote_suffix,
                   "start": row.quote_start, "end": row.quote_end}  # fmt: skip
    return {
        "id": row.comment_id,
        "reference": row.reference,
        "url": links.reaction(row),
        "version": row.version_number,
        "section": {"key": row.section_key, "number": row.section_number,
                    "heading": row.section_heading, "url": links.section(row)},
        "kind": row.kind.value if row.kind else None,
        "question": {"id": row.question_id, "text": row.question}
        if row.question_id is not None else None,
        "group": row.group or None,
        "author": row.author or None,
        "organisation": row.organisation or None,
        "created": _iso(row.created_at),
        "text": row.body,
        "passage": passage,
        "proposed_wording": row.proposed_text or None,
        "decision": {
            "status": row.status.value,
            "motivation": row.motivation or None,
            "decided_by": row.decided_by or None,
            "decided": _iso(row.decided_at),
            "taken_in_version": row.taken_in_version,
        },
        "answer": {"verdict": row.answer.value, "text": row.answer_text or None}
        if row.answer else None,
        "visibility": row.visibility.value,
        "hidden": row.hidden,
        "withdrawn": row.withdrawn,
        "position_edition": row.position_edition,
        "attachments": [{"filename": ref.filename, "url": url} for ref, url
                        in zip(row.attachments, links.attachments(row).splitlines(),
                               strict=True)],
    }  # fmt: skip


def json_chunks(
    request: ExportRequest, rows: Iterable[ExportRow], *, links: Links
) -> Iterator[str]:
    """The export as one JSON document, written a reaction at a time (its head is made at
    once, while the document is loaded)."""
    document, version = request.document, request.version
    head = {
        "schema": "https://reviewhub.example/export-schema/v1",
        "schema_version": SCHEMA_VERSION,
        "exported": _iso(datetime.now(UTC)),
        "document": {"slug": document.slug, "code": document.code, "title": document.title},
        "version": {"number": version.number, "label": version.label,
                    "status": version.status.value,
                    "closes_on": version.closes_on.isoformat() if version.closes_on else None}
        if version is not None else None,
    }  # fmt: skip
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # without the closing brace
    return _json_body(opening + ',\n "reactions": [\n', rows, links)


def _json_body(opening: str, rows: Iterable[ExportRow], links: Links) -> Iterator[str]:
    yield opening
    for index, row in enumerate(rows):
        yield ("" if index == 0 else ",\n") + json.dumps(row_json(row, links), ensure_ascii=False)
    yield "\n ]\n}\n"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return aware(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")
