"""The database's own full-text search, one interface over two (migration 0023):

- PostgreSQL: ``… @@ to_tsquery('dutch', …)`` on the vector its GIN index holds (a stored
  column of sections and reactions, an expression for documents and versions; words stemmed,
  Dutch stop words left out), ``ts_headline`` for the snippet;
- SQLite: the FTS5 table beside each table (``fulltext_<table>``), ``MATCH`` and ``snippet()``
  (words folded to lower case without diacritics; no stemming).

The condition is compiled per database (like feedback.textsearch); a snippet is read in a
statement of its own, for the few rows a page shows: making one for every match would cost
more than the search itself. Matches are marked with what no text holds (Marks), turned into
``<mark>`` once the text is escaped."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    Boolean,
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from ..dbtypes import DbSession
from ..feedback.textsearch import contains_text, like_pattern
from ..models import Comment, Document, Section, Version
from .terms import Terms

SNIPPET_WORDS = 24  # about this many words around the matches


@dataclass(frozen=True)
class Marks:
    """What the database puts around a match in a snippet, until it is escaped: characters of
    Unicode's private use area around a random word, new for every search, so that no text
    can hold them and have its own words marked."""

    start: str
    stop: str

    @classmethod
    def new(cls) -> Marks:
        nonce = secrets.token_hex(6)
        return cls(f"\ue000{nonce}\ue001", f"\ue001{nonce}\ue000")

    def headline_options(self) -> str:
        """PostgreSQL's ts_headline options."""
        return (f'StartSel="{self.start}", StopSel="{self.stop}", MaxWords={SNIPPET_WORDS}, '
                'MinWords=8, MaxFragments=2, FragmentDelimiter=" … "')  # fmt: skip


@dataclass(frozen=True)
class Source:
    """A table whose text is searched: the columns indexed (the order of the FTS5 table's
    columns and of PostgreSQL's expression) and the one a snippet is made of."""

    table: str
    columns: tuple[InstrumentedAttribute[Any], ...]
    snippet_column: int  # of ``columns``
    stored: bool = False  # PostgreSQL keeps its vector in a column (migration 0023)

    @property
    def index(self) -> str:
        return f"fulltext_{self.table}"


DOCUMENTS = Source("documents", (Document.title,), 0)
VERSIONS = Source("versions", (Version.label, Version.change_summary), 1)
SECTIONS = Source("sections", (Section.heading, Section.text), 1, stored=True)
COMMENTS = Source("comments", (Comment.body, Comment.reference), 0, stored=True)


def _tsvector(source: Source, compiler: Any, **kw: Any) -> str:
    """The vector ix_fulltext_<table> indexes: the stored column of sections and reactions,
    else the expression as the migration wrote it (the planner uses an expression index only
    for that same expression)."""
    if source.stored:
        return f"{source.table}.search_vector"
    columns = [str(compiler.process(c, **kw)) for c in source.columns]
    return "to_tsvector('dutch'::regconfig, " + " || ' ' || ".join(columns) + ")"


class _Matches(ColumnElement[bool]):
    """A row of ``source`` whose text has all the terms: compiled per database."""

    type = Boolean()
    inherit_cache = True
    # The cache key: the statement is compiled once per source, the terms bound per query.
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own attribute, read per class)
        ("table_name", InternalTraversal.dp_string),
        ("tsquery", InternalTraversal.dp_clauseelement),
        ("fts5", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, source: Source, terms: Terms) -> None:
        self.source = source
        self.table_name = source.table
        self.tsquery: BindParameter[str] = bindparam(None, terms.tsquery(), String())
        self.fts5: BindParameter[str] = bindparam(None, terms.fts5(), String())


@compiles(_Matches)
def _compile_tsquery(element: _Matches, compiler: Any, **kw: Any) -> str:
    query = compiler.process(element.tsquery, **kw)
    return f"{_tsvector(element.source, compiler, **kw)} @@ to_tsquery('dutch'::regconfig, {query})"


@compiles(_Matches, "sqlite")
def _compile_fts5(element: _Matches, compiler: Any, **kw: Any) -> str:
    index = element.source.index
    matches: Select[Any] = select(column("rowid")).select_from(table(index))
    matches = matches.where(literal_column(index).op("MATCH")(element.fts5))
    owner = element.source.columns[0].class_
    return str(compiler.process(owner.id.in_(matches), **kw))


class _PhraseInText(ColumnElement[bool]):
    """A row of ``source`` whose text has ``phrase``'s words side by side, whatever lies
    between them (spaces, a line break, punctuation), any case. PostgreSQL's phrase query
    leaves out the Dutch stop words ("andere capaciteit" would find every "capaciteit"), so
    its matches are read once more; SQLite's phrase is exact already."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own attribute, read per class)
        ("table_name", InternalTraversal.dp_string),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, source: Source, phrase: tuple[str, ...]) -> None:
        self.source = source
        self.table_name = source.table
        # The words are letters and digits only (terms.WORD): nothing in them is a pattern.
        pattern = r"\m" + r"\W+".join(phrase) + r"\M"
        self.pattern: BindParameter[str] = bindparam(None, pattern, String())


@compiles(_PhraseInText)
def _compile_phrase_pattern(element: _PhraseInText, compiler: Any, **kw: Any) -> str:
    columns = [f"coalesce({compiler.process(c, **kw)}, '')" for c in element.source.columns]
    text = " || ' ' || ".join(columns)
    return f"({text}) ~* {compiler.process(element.pattern, **kw)}"


@compiles(_PhraseInText, "sqlite")
def _compile_phrase_fts5(element: _PhraseInText, compiler: Any, **kw: Any) -> str:
    return "1 = 1"


def matches(source: Source, terms: Terms) -> ColumnElement[bool]:
    """The condition "this row of ``source`` holds every word and phrase of ``terms``"."""
    if terms.literal:
        return _contains_all(source, terms)
    return and_(_Matches(source, terms), *(_PhraseInText(source, p) for p in terms.phrases))


def only_stop_words(session: DbSession, terms: Terms) -> bool:
    """Whether PostgreSQL's Dutch configuration keeps none of the words (it would then match
    nothing, and say so in a notice); never on SQLite, which drops no word."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    config: ColumnElement[Any] = literal_column("'dutch'::regconfig")
    return session.scalar(select(func.numnode(func.to_tsquery(config, terms.tsquery())))) == 0


def _contains_all(source: Source, terms: Terms) -> ColumnElement[bool]:
    """Every word and phrase as a piece of text, in any column of ``source`` (reactions through
    their trigram index, feedback.textsearch; the other tables are small enough to read)."""
    if source is COMMENTS:
        return and_(*(contains_text(piece) for piece in terms.pieces()))
    return and_(
        *(
            or_(*(func.lower(func.coalesce(c, "")).like(like_pattern(p), escape="\\")
                  for c in source.columns))
            for p in terms.pieces()
        )
    )  # fmt: skip


def snippets(
    session: DbSession, source: Source, ids: list[int], terms: Terms, marks: Marks
) -> dict[int, Markup]:
    """Per row of ``source`` (by id), the text around its matches, escaped, the matches in
    ``<mark>``."""
    if not ids:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        found = _fts5_snippets(session, source, ids, terms, marks)
    else:
        found = _headlines(session, source, ids, terms, marks)
    return {row_id: highlighted(text, marks) for row_id, text in found.items()}


def _headlines(
    session: DbSession, source: Source, ids: list[int], terms: Terms, marks: Marks
) -> dict[int, str]:
    owner = source.columns[0].class_
    # Words that are only stop words are marked as they are, by the configuration that
    # drops none.
    name = "simple" if terms.literal else "dutch"
    config: ColumnElement[Any] = literal_column(f"'{name}'::regconfig")
    headline = func.ts_headline(
        config,
        func.coalesce(source.columns[source.snippet_column], ""),
        func.to_tsquery(config, terms.tsquery()),
        marks.headline_options(),
        type_=String(),
    )
    query = select(owner.id, headline).where(owner.id.in_(ids))
    return {row_id: text or "" for row_id, text in session.execute(query)}


def _fts5_snippets(
    session: DbSession, source: Source, ids: list[int], terms: Terms, marks: Marks
) -> dict[int, str]:
    index = source.index
    fts = table(index, column("rowid"))
    snippet = func.snippet(
        literal_column(index), source.snippet_column, marks.start, marks.stop, "…", SNIPPET_WORDS,
        type_=String(),
    )  # fmt: skip
    query = select(fts.c.rowid, snippet).where(
        literal_column(index).op("MATCH")(terms.fts5()), fts.c.rowid.in_(ids)
    )
    return {row_id: text or "" for row_id, text in session.execute(query)}


def highlighted(snippet: str, marks: Marks) -> Markup:
    """``snippet`` escaped, its marked matches in ``<mark>``."""
    escaped = str(escape(snippet))
    start, stop = str(escape(marks.start)), str(escape(marks.stop))
    return Markup(escaped.replace(start, "<mark>").replace(stop, "</mark>"))  # escaped above
