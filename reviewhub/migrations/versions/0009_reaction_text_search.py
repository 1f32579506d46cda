"""reactions: a trigram index on their text and reference, so that the workspace's word
filter reads the matches rather than every reaction of the version (pg_trgm GIN indexes on
PostgreSQL; an FTS5 table with the trigram tokenizer on SQLite, kept by triggers)

Without the right to create the pg_trgm extension, PostgreSQL goes on without the indexes
(the filter then reads the version's reactions, as before) and says so in the log.

SQLite: a later migration that rebuilds the comments table (batch_alter_table) drops these
triggers with it and must create them again (see triggers() below).

Revision ID: 5c1e0a9d7b21
Revises: ddfdaf589060
Create Date: 2026-12-01 15:00:00.000000

"""
import logging

from alembic import op
from sqlalchemy.exc import DBAPIError


# revision identifiers, used by Alembic.
revision = '5c1e0a9d7b21'
down_revision = 'ddfdaf589060'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

TRIGGERS = {
    "comments_search_insert": """
        CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
          INSERT INTO comments_search (rowid, body, reference)
          VALUES (new.id, new.body, new.reference);
        END""",
    "comments_search_delete": """
        CREATE TRIGGER comments_search_delete AFTER DELETE ON comments BEGIN
          INSERT INTO comments_search (comments_search, rowid, body, reference)
          VALUES ('delete', old.id, old.body, old.reference);
        END""",
    "comments_search_update": """
        CREATE TRIGGER comments_search_update AFTER UPDATE OF body, reference ON comments BEGIN
          INSERT INTO comments_search (comments_search, rowid, body, reference)
          VALUES ('delete', old.id, old.body, old.reference);
          INSERT INTO comments_search (rowid, body, reference)
          VALUES (new.id, new.body, new.reference);
        END""",
}


def triggers():
    for statement in TRIGGERS.values():
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE comments_search USING fts5(body, reference, "
            "content='comments', content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO comments_search (comments_search) VALUES ('rebuild')")
        triggers()
    elif op.get_bind().dialect.name == "postgresql":
        bind = op.get_bind()
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError as error:
            log.warning("pg_trgm is not available (%s): the word filter goes without an index",
                        error.orig)
            return
        op.execute("CREATE INDEX ix_comments_body_trigrams ON comments "
                   "USING gin (lower(body) gin_trgm_ops)")
        op.execute("CREATE INDEX ix_comments_reference_trigrams ON comments "
                   "USING gin (lower(coalesce(reference, '')) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS comments_search")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comments_body_trigrams")
        op.execute("DROP INDEX IF EXISTS ix_comments_reference_trigrams")
