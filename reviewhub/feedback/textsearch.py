"""Finding reactions by a piece of their text or reference, whatever the case, through an
index on both databases: a trigram index answers "contains" without reading every reaction
of a version (at 50,000 reactions that read is what made the workspace's word filter slow).

- PostgreSQL: GIN indexes with pg_trgm's operator class on ``lower(body)`` and on
  ``lower(coalesce(reference, ''))``; the planner uses them for the LIKE below.
- SQLite: an FTS5 table with the trigram tokenizer (``comments_search``) over the same two
  columns, kept by triggers (migration 0009); a phrase query there is a substring match.

Pieces shorter than three characters have no trigram: they are matched by LIKE, which reads
the version's reactions (short, and rare as searches go)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String, bindparam, column, func, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from ..models import Comment

SEARCH_TABLE = "comments_search"  # SQLite's index (migrations leave it out of autogenerate)
TRIGRAM = 3


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like_either(pattern: Any) -> ColumnElement[bool]:
    """The body or the reference LIKE ``pattern`` (lower case on both sides: SQLite's LIKE
    folds ASCII only, PostgreSQL's not at all). The expressions are those pg_trgm indexes."""
    return or_(
        func.lower(Comment.body).like(pattern, escape="\\"),
        func.lower(func.coalesce(Comment.reference, "")).like(pattern, escape="\\"),
    )


class _ContainsText(ColumnElement[bool]):
    """A reaction whose body or reference contains a piece of text: compiled per database."""

    type = Boolean()
    inherit_cache = True
    # The cache key: the statement is compiled once, the values are bound per query.
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own attribute, read per class)
        ("pattern", InternalTraversal.dp_clauseelement),
        ("phrase", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, text: str) -> None:
        self.pattern: BindParameter[str] = bindparam(None, like_pattern(text.lower()), String())
        # An FTS5 string: in double quotes, its own quotes doubled; never query syntax.
        self.phrase: BindParameter[str] = bindparam(None, '"' + text.replace('"', '""') + '"')


@compiles(_ContainsText)
def _compile_like(element: _ContainsText, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(_like_either(element.pattern), **kw))


@compiles(_ContainsText, "sqlite")
def _compile_fts(element: _ContainsText, compiler: Any, **kw: Any) -> str:
    index = table(SEARCH_TABLE, column("rowid"))
    matches = select(index.c.rowid).where(literal_column(SEARCH_TABLE).op("MATCH")(element.phrase))
    return str(compiler.process(Comment.id.in_(matches), **kw))


def contains_text(text: str) -> ColumnElement[bool]:
    """The condition "this reaction's body or reference contains ``text``", any case."""
    if len(text) < TRIGRAM:
        return _like_either(like_pattern(text.lower()))
    return _ContainsText(text)
