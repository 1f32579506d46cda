"""Every export format behind one call, for the browser and the command line alike: the
file's name and type, and its content as chunks of bytes (streamed where the format allows:
CSV and JSON; the others are built whole, then handed on)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..dbtypes import DbSession
from .flat import csv_chunks, json_chunks
from .nota import build_nota
from .rows import ExportRequest, ExportRow, Links, Scope, count_rows, export_rows


@dataclass(frozen=True)
class Format:
    name: str
    label: LazyString
    extension: str
    mimetype: str
    scope: Scope  # the reactienota goes to every participant: only what they may all read


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    f.name: f
    for f in (
        Format("docx", _l("Reactienota (Word)"), "docx", DOCX, Scope.PUBLIC),
        Format("pdf", _l("Reactienota (PDF)"), "pdf", "application/pdf", Scope.PUBLIC),
        Format("xlsx", _l("Comment register (Excel)"), "xlsx", XLSX, Scope.REGISTER),
        Format("iso", _l("ISO commenting template (Excel)"), "xlsx", XLSX, Scope.REGISTER),
        Format("csv", _l("CSV, comma-separated"), "csv", "text/csv",
               Scope.REGISTER),
        Format("csv-semicolon", _l("CSV for Dutch Excel (semicolons)"), "csv",
               "text/csv", Scope.REGISTER),
        Format("json", _l("JSON (ReviewHub's schema)"), "json", "application/json",
               Scope.REGISTER),
        Format("w3c", _l("W3C Web Annotations (JSON-LD)"), "jsonld",
               'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
               Scope.REGISTER),
    )
}  # fmt: skip


# WeasyPrint lays a PDF out whole, in memory: 1,000 reactions take about 6 s and 270 MB,
# 3,000 about 22 s and 610 MB (bench/bench_exports.py). A page request makes at most this
# many; larger ones are for the Word file or the command line.
PDF_LIMIT = 1500


def too_large_for_a_page(session: DbSession, request: ExportRequest, name: str) -> int | None:
    """The number of reactions, when the format ``name`` of ``request`` is too large to make
    within a page request; else None."""
    if name != "pdf":
        return None
    count = count_rows(session, replace(request, scope=FORMATS[name].scope))
    return count if count > PDF_LIMIT else None


def too_large_message(count: int) -> LazyString:
    """Why a PDF of ``count`` reactions is not made within a request, and what to do."""
    return _l(
        "A PDF of %(count)d reactions is too large to make here (at most %(limit)d). "
        "Download the reactienota in Word and save it as PDF, narrow the list with "
        "the filters, or ask an administrator to run the export command.",
        count=count,
        limit=PDF_LIMIT,
    )


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def make_export(session: DbSession, request: ExportRequest, name: str, made_on: date) -> Export:
    """The export of ``request`` in the format ``name`` (a key of FORMATS)."""
    fmt = FORMATS[name]
    request = replace(request, scope=fmt.scope)
    links = Links.of(request.document)
    rows = export_rows(session, request)
    writers: dict[str, Callable[[], Iterator[bytes]]] = {
        "csv": lambda: csv_chunks(rows, links=links, semicolon=False),
        "csv-semicolon": lambda: csv_chunks(rows, links=links, semicolon=True),
        "json": lambda: _encoded(json_chunks(request, rows, links=links)),
        "docx": lambda: _whole(lambda out: _docx(request, rows, made_on, out)),
        "pdf": lambda: _whole(lambda out: _pdf(request, rows, made_on, out)),
        "xlsx": lambda: _whole(lambda out: _xlsx(rows, links, request, out, iso=False)),
        "iso": lambda: _whole(lambda out: _xlsx(rows, links, request, out, iso=True)),
        "w3c": lambda: _w3c(rows, links, request, count_rows(session, request)),
    }
    return Export(filename(request, fmt), fmt.mimetype, writers[name]())


def filename(request: ExportRequest, fmt: Format) -> str:
    """reactienota-<slug>-v3.docx, register-<slug>.xlsx …"""
    kind = {Scope.PUBLIC: "reactienota", Scope.REGISTER: "register"}[fmt.scope]
    if fmt.name == "w3c":
        kind = "annotations"
    if fmt.name == "iso":
        kind = "iso-comments"
    version = f"-v{request.version.number}" if request.version is not None else ""
    return f"{kind}-{request.document.slug}{version}.{fmt.extension}"


def _encoded(parts: Iterator[str]) -> Iterator[bytes]:
    return (part.encode() for part in parts)


def _whole(write: Callable[[io.BytesIO], object]) -> Iterator[bytes]:
    """A format that is built whole: built now, while the request's objects are loaded."""
    out = io.BytesIO()
    write(out)
    return iter([out.getvalue()])


def _title(request: ExportRequest) -> str:
    version = request.version
    return f"{request.document.title}: {version.label}" if version else request.document.title


def _docx(
    request: ExportRequest, rows: Iterable[ExportRow], made_on: date, out: io.BytesIO
) -> None:
    from .docx_nota import write_docx  # python-docx is loaded only when asked for

    write_docx(build_nota(request.document, request.version, rows, made_on), out)


def _pdf(request: ExportRequest, rows: Iterable[ExportRow], made_on: date, out: io.BytesIO) -> None:
    from .pdf_nota import write_pdf  # WeasyPrint takes a second to import

    write_pdf(build_nota(request.document, request.version, rows, made_on), out)


def _xlsx(
    rows: Iterable[ExportRow], links: Links, request: ExportRequest, out: io.BytesIO, *, iso: bool
) -> None:
    from . import xlsx

    write = xlsx.iso_template_xlsx if iso else xlsx.register_xlsx
    write(rows, out, links=links, title=_title(request))


def _w3c(
    rows: Iterable[ExportRow], links: Links, request: ExportRequest, total: int
) -> Iterator[bytes]:
    from .annotations import collection_file

    collection_id = links.section_pattern.split("/v/")[0] + "/annotations"
    return _encoded(
        collection_file(rows, links, collection_id=collection_id, label=_title(request),
                        total=total)
    )  # fmt: skip
