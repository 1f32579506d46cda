"""search: a full-text index on documents' titles, versions' labels and change summaries,
sections' headings and text, and reactions' text and reference (reviewhub.search)

PostgreSQL: a tsvector of the Dutch configuration (stemmed, stop words left out) with a GIN
index. Sections and reactions, which are many and long, keep theirs in a stored generated
column (``search_vector``, filled by the database on every write): a search that matches many
of them then reads ready vectors instead of making one per row (a common word took 1.5 s at
50,000 reactions with an expression index). Documents and versions, few, have an index on
the expression reviewhub/search/fulltext.py queries.

SQLite: an FTS5 table per table, with its content read from the table itself (content=,
so the text is not stored twice), words folded to lower case without diacritics, kept by
triggers. A later migration that rebuilds one of these tables (batch_alter_table) drops its
triggers with it and must create them again (see triggers() below).

Revision ID: 7b3e16a00023
Revises: 7b3e16a00022
Create Date: 2026-12-02 03:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b3e16a00023'
down_revision = '7b3e16a00022'
branch_labels = None
depends_on = None

# table: (the columns indexed, as a PostgreSQL text expression)
INDEXED = {
    "documents": (("title",), "title"),
    "versions": (("label", "change_summary"), "label || ' ' || change_summary"),
    "sections": (("heading", "text"), "heading || ' ' || text"),
    "comments": (("body", "reference"), "body || ' ' || coalesce(reference, '')"),
}
TOKENIZER = "unicode61 remove_diacritics 2"
STORED = ("sections", "comments")  # PostgreSQL: the vector in a generated column


def _values(prefix, columns):
    return ", ".join(f"{prefix}.{column}" for column in columns)


def _sqlite_triggers(table, columns):
    index = f"fulltext_{table}"
    names = ", ".join(columns)
    add = (f"INSERT INTO {index} (rowid, {names}) VALUES (new.id, {_values('new', columns)});")
    remove = (f"INSERT INTO {index} ({index}, rowid, {names}) "
              f"VALUES ('delete', old.id, {_values('old', columns)});")
    return {
        f"{index}_insert": f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} "
                           f"BEGIN {add} END",
        f"{index}_delete": f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} "
                           f"BEGIN {remove} END",
        f"{index}_update": f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} "
                           f"BEGIN {remove} {add} END",
    }


def triggers(table):
    """The triggers that keep ``table``'s FTS5 index (SQLite)."""
    for statement in _sqlite_triggers(table, INDEXED[table][0]).values():
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    for table, (columns, expression) in INDEXED.items():
        if dialect == "sqlite":
            index = f"fulltext_{table}"
            op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5({', '.join(columns)}, "
                       f"content='{table}', content_rowid='id', tokenize='{TOKENIZER}')")
            op.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
            triggers(table)
        elif dialect == "postgresql" and table in STORED:
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED "
                       f"ALWAYS AS (to_tsvector('dutch'::regconfig, {expression})) STORED")
            op.execute(f"CREATE INDEX ix_fulltext_{table} ON {table} USING gin (search_vector)")
        elif dialect == "postgresql":
            op.execute(f"CREATE INDEX ix_fulltext_{table} ON {table} "
                       f"USING gin (to_tsvector('dutch'::regconfig, {expression}))")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, (columns, _expression) in INDEXED.items():
        if dialect == "sqlite":
            for name in _sqlite_triggers(table, columns):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"DROP TABLE IF EXISTS fulltext_{table}")
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_fulltext_{table}")
            if table in STORED:
                op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
