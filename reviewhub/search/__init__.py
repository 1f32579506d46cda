"""Searching everything a person may read: documents' titles, versions' labels and change
summaries, the sections of the versions they may read, and the reactions they may read.

One interface (``search``) over the database's own full-text search (fulltext: PostgreSQL's
Dutch text search, SQLite's FTS5). Who may read what is decided in SQL, as the feedback
wing decides it for threads, so that a page counts and fetches in a few statements whatever
the number of matches: the matches are one UNION, counted once, a page of it read in order
(by document, version newest first, then the version itself, its sections and its reactions
in the order of the text), and only that page's rows loaded and given a snippet."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    cast,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from ..dbtypes import DbSession
from ..feedback.queries import readable_filter
from ..models import Comment, Document, Section, Version, VersionStatus
from ..permissions import Action, can, comment_reading
from . import fulltext
from .terms import MAX_TERMS, Terms, parse

__all__ = [
    "MAX_TERMS",
    "PER_PAGE",
    "Hit",
    "Kind",
    "SearchResults",
    "Terms",
    "parse",
    "search",
    "searchable_documents",
]

PER_PAGE = 20  # hits a page


class Kind(enum.StrEnum):
    """What a hit is; in this order within a document's version."""

    DOCUMENT = "document"
    VERSION = "version"
    SECTION = "section"
    REACTION = "reaction"


_ORDER = {kind: index for index, kind in enumerate(Kind)}
_SOURCES = {
    Kind.DOCUMENT: fulltext.DOCUMENTS,
    Kind.VERSION: fulltext.VERSIONS,
    Kind.SECTION: fulltext.SECTIONS,
    Kind.REACTION: fulltext.COMMENTS,
}


@dataclass
class Hit:
    """One match, with what a link to it needs (the view makes the URL) and its snippet,
    escaped, the matching words in ``<mark>``."""

    kind: Kind
    document: Document
    version: Version | None = None
    section: Section | None = None  # a reaction's section too
    comment: Comment | None = None
    snippet: Markup = field(default_factory=Markup)


@dataclass
class VersionHits:
    version: Version
    hits: list[Hit] = field(default_factory=list)


@dataclass
class DocumentHits:
    """A document's hits on the page: its title's, then per version (newest first)."""

    document: Document
    hits: list[Hit] = field(default_factory=list)
    versions: list[VersionHits] = field(default_factory=list)


@dataclass
class SearchResults:
    terms: Terms
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    documents: list[DocumentHits] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def hits(self) -> list[Hit]:
        """The page's hits, in order."""
        return [
            hit
            for group in self.documents
            for hit in [*group.hits, *(h for v in group.versions for h in v.hits)]
        ]


@dataclass(frozen=True)
class _Readable:
    """The documents a viewer may read (by id) and those whose drafts they read too."""

    documents: dict[int, Document]
    drafts: frozenset[int]

    def version_condition(self) -> ColumnElement[bool]:
        """The versions they may read (``can(viewer, Action.READ_VERSION, v)`` in SQL)."""
        return and_(
            Version.document_id.in_(sorted(self.documents)),
            or_(
                Version.status != VersionStatus.DRAFT, Version.document_id.in_(sorted(self.drafts))
            ),
        )


def searchable_documents(
    session: DbSession, viewer: Any, document: Document | None = None
) -> list[Document]:
    """The documents ``viewer`` may read (only ``document``, if given), by title, with their
    versions: asked of the permission layer per document, as documents are few (reactions
    are what is many)."""
    query = select(Document).options(selectinload(Document.groups), selectinload(Document.versions))
    if document is not None:
        query = query.where(Document.id == document.id)
    found = session.scalars(query.order_by(Document.title, Document.id))
    return [d for d in found if can(viewer, Action.READ_DOCUMENT, d)]


def _readable(session: DbSession, viewer: Any, document: Document | None) -> _Readable:
    readable = {d.id: d for d in searchable_documents(session, viewer, document)}
    # A draft is read by whoever may publish the document (the rule of READ_VERSION).
    drafts = frozenset(i for i, d in readable.items() if can(viewer, Action.PUBLISH, d))
    return _Readable(readable, drafts)


def _reaction_condition(viewer: Any, documents: Iterable[Document]) -> ColumnElement[bool]:
    """The reactions ``viewer`` finds: those they may read (``readable_filter``, per set of
    documents on which they read alike), never deleted ones, hidden ones only as moderator."""
    alike: dict[Any, list[Document]] = defaultdict(list)
    for document in documents:
        alike[comment_reading(viewer, document)].append(document)
    conditions = [
        and_(
            Version.document_id.in_(sorted(d.id for d in group)),
            readable_filter(viewer, group[0]),
            Comment.hidden_at.is_(None) if not reading.moderator else Comment.id.is_not(None),
        )
        for reading, group in alike.items()
    ]
    return and_(Comment.deleted_at.is_(None), or_(false(), *conditions))


def _columns(kind: Kind, document_id: Any, version: Any, position: Any, item_id: Any) -> list[Any]:
    """The columns every part of the UNION has, in its order: what sorts the hits and
    names them."""
    version_id, number = (version.id, version.number) if version is not None else (null(), null())
    return [
        literal_column(str(_ORDER[kind]), Integer).label("kind"),
        Document.title.label("title"),
        document_id.label("document_id"),
        cast(number, Integer).label("number"),
        cast(version_id, Integer).label("version_id"),
        cast(position, Integer).label("position"),
        item_id.label("item_id"),
    ]


def _parts(
    viewer: Any,
    readable: _Readable,
    terms: Terms,
    version: Version | None,
    kinds: Sequence[Kind],
) -> list[Select[Any]]:
    """Per kind asked for, the statement of its matches."""
    visible = readable.version_condition()
    at = [Version.id == version.id] if version is not None else []
    parts: list[Select[Any]] = []
    if Kind.DOCUMENT in kinds and version is None:
        parts.append(
            select(*_columns(Kind.DOCUMENT, Document.id, None, literal_column("0"), Document.id))
            .where(Document.id.in_(sorted(readable.documents)))
            .where(fulltext.matches(fulltext.DOCUMENTS, terms))
        )  # fmt: skip
    if Kind.VERSION in kinds:
        parts.append(
            select(*_columns(Kind.VERSION, Document.id, Version, literal_column("0"), Version.id))
            .join(Document, Document.id == Version.document_id)
            .where(visible, *at, fulltext.matches(fulltext.VERSIONS, terms))
        )  # fmt: skip
    if Kind.SECTION in kinds:
        parts.append(
            select(*_columns(Kind.SECTION, Document.id, Version, Section.position, Section.id))
            .join(Version, Version.id == Section.version_id)
            .join(Document, Document.id == Version.document_id)
            .where(visible, *at, fulltext.matches(fulltext.SECTIONS, terms))
        )  # fmt: skip
    if Kind.REACTION in kinds:
        parts.append(
            select(*_columns(Kind.REACTION, Document.id, Version, Section.position, Comment.id))
            .join(Section, Section.id == Comment.section_id)
            .join(Version, Version.id == Comment.version_id)
            .join(Document, Document.id == Version.document_id)
            .where(visible, *at, _reaction_condition(viewer, readable.documents.values()))
            .where(fulltext.matches(fulltext.COMMENTS, terms))
        )  # fmt: skip
    return parts


def search(
    session: DbSession,
    viewer: Any,
    text: str,
    *,
    document: Document | None = None,
    version: Version | None = None,
    kinds: Iterable[Kind] = tuple(Kind),
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """What ``viewer`` may read that holds the words and phrases of ``text`` (terms.parse),
    in ``document`` or in ``version`` only if given, of the ``kinds`` given (none: all),
    one ``page`` of hits grouped by document and version, and how many there are in all."""
    terms = parse(text)
    chosen = [kind for kind in Kind if kind in set(kinds)] or list(Kind)
    results = SearchResults(terms, page=max(1, page), per_page=per_page)
    if terms.empty:
        return results
    if version is not None:
        document = version.document
    readable = _readable(session, viewer, document)
    parts = _parts(viewer, readable, terms, version, chosen) if readable.documents else []
    if not parts:
        return results
    found = union_all(*parts).subquery()
    results.total = session.scalar(select(func.count()).select_from(found)) or 0
    rows = session.execute(
        select(found.c.kind, found.c.item_id)
        .order_by(found.c.title, found.c.document_id, found.c.number.is_not(None),
                  found.c.number.desc(), found.c.kind, found.c.position, found.c.item_id)
        .limit(per_page)
        .offset((results.page - 1) * per_page)
    ).all()  # fmt: skip
    hits = _hits(session, readable, terms, [(list(Kind)[k], item) for k, item in rows])
    results.documents = _grouped(hits)
    return results


def _hits(
    session: DbSession, readable: _Readable, terms: Terms, rows: list[tuple[Kind, int]]
) -> list[Hit]:
    """The page's hits, in the order of ``rows``, with their objects and snippets."""
    ids: dict[Kind, list[int]] = defaultdict(list)
    for kind, item in rows:
        ids[kind].append(item)
    versions = {v.id: v for d in readable.documents.values() for v in d.versions}
    sections = _by_id(session, select(Section), Section.id, ids[Kind.SECTION])
    comments = _by_id(
        session, select(Comment).options(selectinload(Comment.section)), Comment.id,
        ids[Kind.REACTION],
    )  # fmt: skip
    marks = fulltext.Marks.new()
    snippets = {
        kind: fulltext.snippets(session, _SOURCES[kind], ids[kind], terms, marks) for kind in ids
    }
    hits = [_hit(kind, item, readable, versions, sections, comments) for kind, item in rows]
    for hit, (kind, item) in zip(hits, rows, strict=True):
        hit.snippet = snippets[kind].get(item, Markup(""))
    return hits


def _hit(
    kind: Kind,
    item: int,
    readable: _Readable,
    versions: dict[int, Version],
    sections: dict[int, Section],
    comments: dict[int, Comment],
) -> Hit:
    if kind is Kind.DOCUMENT:
        return Hit(kind, readable.documents[item])
    if kind is Kind.VERSION:
        version = versions[item]
        return Hit(kind, version.document, version)
    if kind is Kind.SECTION:
        section = sections[item]
        version = versions[section.version_id]
        return Hit(kind, version.document, version, section)
    comment = comments[item]
    version = versions[comment.version_id]
    return Hit(kind, version.document, version, comment.section, comment)


def _by_id(session: DbSession, query: Select[Any], key: Any, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(query.where(key.in_(ids)))}


def _grouped(hits: list[Hit]) -> list[DocumentHits]:
    """The hits (in order) by document, and within one by version."""
    documents: list[DocumentHits] = []
    for hit in hits:
        if not documents or documents[-1].document is not hit.document:
            documents.append(DocumentHits(hit.document))
        group = documents[-1]
        if hit.version is None:
            group.hits.append(hit)
            continue
        if not group.versions or group.versions[-1].version is not hit.version:
            group.versions.append(VersionHits(hit.version))
        group.versions[-1].hits.append(hit)
    return documents
