"""Engine settings that make SQLite a sound embedded database, and PostgreSQL's pool robust.

SQLite: a request that will write (POST and the like) begins its transaction with
``BEGIN IMMEDIATE``, so it waits its turn for the write lock (the busy timeout) instead of
reading first and failing at its first write, which no waiting can save. What fails all the
same is tried again (transactions.retrying)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, event

from .extensions import db
from .transactions import SAFE_METHODS, WRITING_JOB

SQLITE_BUSY_TIMEOUT_MS = 15_000


def engine_options(database_url: str) -> dict[str, Any]:
    """PostgreSQL: test a pooled connection before use, so a restarted server or a dropped
    connection costs a reconnect, not an error."""
    return {} if database_url.startswith("sqlite") else {"pool_pre_ping": True}


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin: otherwise
        # SAVEPOINT (used for publishing and for rolling back each test) misbehaves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _will_write() else "BEGIN")


def _will_write() -> bool:
    if has_request_context():
        return request.method not in SAFE_METHODS
    # A job that writes (jobs.job) takes the write lock at once, waiting its turn, instead of
    # reading first and finding another writer in the way ("database is locked" at once: two
    # of a worker's threads told people at the same moment).
    return has_app_context() and bool(g.get(WRITING_JOB))


# Made by migrations 0009 and 0023 outside the models (search indexes per database, and
# PostgreSQL's generated search_vector columns): comparing the schema with the models
# (autogenerate, the schema test) leaves them out.
NOT_MODELLED = ("comments_search", "ix_comments_body_trigrams", "ix_comments_reference_trigrams",
                "fulltext_", "ix_fulltext_", "search_vector")  # fmt: skip


# Foreign keys added to comments by ADD COLUMN (the table is never rebuilt on SQLite): SQLite
# keeps them inline in the column, where its reflection reads neither name nor ON DELETE, so
# the comparison would always see them differ; the migration (0024) writes them in full.
INLINE_FOREIGN_KEYS = {("comments", ("question_id",))}


def is_modelled(obj: Any, name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
    """Alembic's ``include_object``: whether a table, index or foreign key is the models' to
    compare."""
    if type_ == "foreign_key_constraint":
        return (obj.table.name, tuple(obj.column_keys)) not in INLINE_FOREIGN_KEYS
    return not (name or "").startswith(NOT_MODELLED)
