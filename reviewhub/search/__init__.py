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
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from ..dbtypes import DbSession
from ..feedback.queries import readable_filter
from ..models import Comment, Document, Section, Version
from ..permissions import Action, can, comment_reading
from . import fulltext
from .terms import MAX_QUERY, MAX_TERMS, Terms, parse

__all__ = [
    "COUNT_LIMIT",
    "MAX_QUERY",
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
# Hits counted at most: past it the page says "more than 1,000" and offers 50 pages. An
# exact count of a word in a fifth of 50,000 reactions read them all (half of the search).
COUNT_LIMIT = 1000


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

    @property
    def title(self) -> str:
        """What a link to it says besides its snippet: the section's number and heading (empty
        for an opening text without one), the version's label, else the document's title."""
        if self.kind is Kind.SECTION and self.section is not None:
            return f"{self.section.number} {self.section.heading}".strip()
        if self.kind is Kind.VERSION and self.version is not None:
            return self.version.label
        return self.document.title


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
    total: int = 0  # at most COUNT_LIMIT
    more: bool = False  # there are more hits than COUNT_LIMIT
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
    """The documents and versions a viewer may read, by id, and the place of each in the
    order of the hits: a document (its title's hit) and then its versions, newest first.
    Known here, they need no join in the search: reactions are found by their version."""

    documents: dict[int, Document]
    versions: dict[int, Version]

    @cached_property  # asked once per kind searched
    def places(self) -> dict[int, int]:
        """Per version id, its place; a document's is the negative of its own (see rank)."""
        order = [v for d in self.documents.values() for v in reversed(d.versions)]
        return {version.id: place for place, version in enumerate(order, start=1)}

    def rank(self, kind: Kind, column: Any) -> ColumnElement[int]:
        """The place of a hit's version (or, for a title, of its document: just before the
        document's versions) as a column, by the id in ``column``."""
        if kind is Kind.DOCUMENT:
            places = self.places
            first = {
                d.id: min((places[v.id] for v in d.versions if v.id in places), default=0)
                for d in self.documents.values()
            }
            mapping = {document_id: place * 2 - 1 for document_id, place in first.items()}
        else:
            mapping = {version_id: place * 2 for version_id, place in self.places.items()}
        return case(mapping, value=column, else_=0) if mapping else literal_column("0", Integer)

    def version_ids(self, documents: Iterable[int] | None = None) -> list[int]:
        wanted = set(self.documents if documents is None else documents)
        return sorted(i for i, v in self.versions.items() if v.document_id in wanted)


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


def _readable(
    session: DbSession, viewer: Any, document: Document | None, version: Version | None
) -> _Readable:
    documents = searchable_documents(session, viewer, document)
    versions = {
        v.id: v
        for d in documents
        for v in d.versions
        if (version is None or v.id == version.id) and can(viewer, Action.READ_VERSION, v)
    }
    return _Readable({d.id: d for d in documents}, versions)


def _reaction_condition(viewer: Any, readable: _Readable) -> ColumnElement[bool]:
    """The reactions ``viewer`` finds: those they may read (``readable_filter``, per set of
    documents on which they read alike), never deleted ones, hidden ones only as moderator."""
    alike: dict[Any, list[Document]] = defaultdict(list)
    for document in readable.documents.values():
        alike[comment_reading(viewer, document)].append(document)
    conditions = [
        and_(
            Comment.version_id.in_(readable.version_ids(d.id for d in group)),
            readable_filter(viewer, group[0]),
            Comment.hidden_at.is_(None) if not reading.moderator else Comment.id.is_not(None),
        )
        for reading, group in alike.items()
    ]
    return and_(Comment.deleted_at.is_(None), or_(false(), *conditions))


def _columns(kind: Kind, rank: Any, position: Any, item_id: Any) -> list[Any]:
    """The columns every part of the UNION has: what sorts the hits and names them."""
    return [
        literal_column(str(_ORDER[kind]), Integer).label("kind"),
        cast(rank, Integer).label("rank"),
        cast(position, Integer).label("position"),
        item_id.label("item_id"),
    ]


def _parts(viewer: Any, readable: _Readable, terms: Terms, kinds: Sequence[Kind],
           whole_documents: bool) -> list[Select[Any]]:  # fmt: skip
    """Per kind asked for, the statement of its matches."""
    versions = readable.version_ids()
    zero = literal_column("0", Integer)
    parts: list[Select[Any]] = []
    if Kind.DOCUMENT in kinds and whole_documents:
        rank = readable.rank(Kind.DOCUMENT, Document.id)
        parts.append(
            select(*_columns(Kind.DOCUMENT, rank, zero, Document.id))
            .where(Document.id.in_(sorted(readable.documents)))
            .where(fulltext.matches(fulltext.DOCUMENTS, terms))
        )  # fmt: skip
    if Kind.VERSION in kinds:
        rank = readable.rank(Kind.VERSION, Version.id)
        parts.append(
            select(*_columns(Kind.VERSION, rank, zero, Version.id))
            .where(Version.id.in_(versions), fulltext.matches(fulltext.VERSIONS, terms))
        )  # fmt: skip
    if Kind.SECTION in kinds:
        rank = readable.rank(Kind.SECTION, Section.version_id)
        parts.append(
            select(*_columns(Kind.SECTION, rank, Section.position, Section.id))
            .where(Section.version_id.in_(versions), fulltext.matches(fulltext.SECTIONS, terms))
        )  # fmt: skip
    if Kind.REACTION in kinds:
        rank = readable.rank(Kind.REACTION, Comment.version_id)
        parts.append(
            select(*_columns(Kind.REACTION, rank, Section.position, Comment.id))
            .join(Section, Section.id == Comment.section_id)
            .where(_reaction_condition(viewer, readable))
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
    readable = _readable(session, viewer, document, version)
    if fulltext.only_stop_words(session, terms):
        terms = replace(terms, literal=True)
    parts = _parts(viewer, readable, terms, chosen, version is None) if readable.versions else []
    if not parts:
        return results
    found = union_all(*parts).subquery()
    counted = select(found.c.item_id).limit(COUNT_LIMIT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    results.total, results.more = min(total, COUNT_LIMIT), total > COUNT_LIMIT
    rows = session.execute(
        select(found.c.kind, found.c.item_id)
        .order_by(found.c.rank, found.c.kind, found.c.position, found.c.item_id)
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
    versions = readable.versions
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
