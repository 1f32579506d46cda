"""Back-up and restore of everything the service holds (documents, versions, people, groups,
reactions, decisions, the audit log …): every table of the models, row by row, as gzipped
JSON lines that name the schema's revision. A back-up restores into an empty database of the
same revision on either SQLite or PostgreSQL, so a service moves between the two."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Table, func, insert, select, text, update

from ..dbtypes import DbSession
from ..extensions import db

FORMAT = "reviewhub-backup"
FORMAT_VERSION = 1
BATCH = 1000


class RestoreError(ValueError):
    """The back-up cannot be restored here; ``str()`` says why. Nothing was written."""


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)  # parents before the tables that refer to them


def _revision(session: DbSession) -> str:
    return session.scalar(text("SELECT version_num FROM alembic_version")) or ""


def _encoded(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # an enum member
    return value


def table_rows(session: DbSession, table: Table) -> Iterator[list[Any]]:
    """The rows of ``table`` in the order of its primary key, as JSON values."""
    query = select(table).order_by(*table.primary_key.columns)
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        yield [_encoded(value) for value in row]


def write_backup(session: DbSession, out: IO[bytes]) -> dict[str, int]:
    """Write everything to ``out``; returns the number of rows per table."""
    counts: dict[str, int] = {}
    with gzip.GzipFile(fileobj=out, mode="wb") as packed:
        head = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "revision": _revision(session), "made": datetime.now(UTC).isoformat(),
                "tables": {t.name: [c.name for c in t.columns] for t in _tables()}}  # fmt: skip
        packed.write(json.dumps(head).encode() + b"\n")
        for table in _tables():
            counts[table.name] = 0
            for row in table_rows(session, table):
                packed.write(json.dumps([table.name, row], ensure_ascii=False).encode() + b"\n")
                counts[table.name] += 1
    return counts


def restore_backup(session: DbSession, source: IO[bytes]) -> dict[str, int]:
    """Restore a back-up into this database, which must be empty and of the back-up's
    revision. The caller commits (or rolls back: nothing half restored)."""
    with gzip.GzipFile(fileobj=source, mode="rb") as packed:
        lines = iter(packed)
        head = _head(next(lines, b""))
        _check_target(session, head)
        counts = _restore_rows(session, head, lines)
    _move_sequences_on(session)
    return counts


def _head(line: bytes) -> dict[str, Any]:
    try:
        head = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        raise RestoreError(_l("This is no ReviewHub back-up.")) from error
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise RestoreError(_l("This is no ReviewHub back-up."))
    if head.get("format_version") != FORMAT_VERSION:
        raise RestoreError(_l("This back-up is of another format version."))
    return head


def _check_target(session: DbSession, head: dict[str, Any]) -> None:
    if head["revision"] != _revision(session):
        raise RestoreError(
            _l("The back-up is of schema revision %(theirs)s, this database of %(ours)s: "
               "restore it into a database migrated to the same revision.",
               theirs=head["revision"], ours=_revision(session) or "—")
        )  # fmt: skip
    for table in _tables():
        if session.scalar(select(func.count()).select_from(table)):
            raise RestoreError(
                _l("The database is not empty (%(table)s has rows): restore only into a new "
                   "one.", table=table.name)
            )  # fmt: skip


def _restore_rows(
    session: DbSession, head: dict[str, Any], lines: Iterator[bytes]
) -> dict[str, int]:
    tables = {t.name: t for t in _tables()}
    counts = dict.fromkeys(tables, 0)
    pending: list[dict[str, Any]] = []
    current: Table | None = None
    for line in lines:
        name, values = json.loads(line)
        table = tables[name]
        if table is not current:
            _flush(session, current, pending)
            current, pending = table, []
        pending.append(_decoded(table, head["tables"][name], values))
        counts[name] += 1
        if len(pending) >= BATCH:
            _flush(session, current, pending)
            pending = []
    _flush(session, current, pending)
    return counts


def _decoded(table: Table, names: list[str], values: list[Any]) -> dict[str, Any]:
    row = dict(zip(names, values, strict=True))
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime) or type(column.type).__name__ == "UTCDateTime":
            row[column.name] = datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            row[column.name] = date.fromisoformat(value)
    return row


def _self_references(table: Table) -> list[str]:
    """Columns that point into their own table (a reply's thread, a duplicate's original):
    written after the rows, since one may point at a row further on."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _flush(session: DbSession, table: Table | None, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (in the order of their key); a reference to a row further on is
    written after them (a duplicate pointing at a later reaction)."""
    if table is None or not rows:
        return
    key = next(iter(table.primary_key.columns)).name
    ahead = [(row[key], name, row[name]) for row in rows for name in _self_references(table)
             if row.get(name) is not None and row[name] >= row[key]]  # fmt: skip
    deferred = {(at, name) for at, name, _value in ahead}
    session.execute(insert(table), [
        {name: (None if (row[key], name) in deferred else value) for name, value in row.items()}
        for row in rows
    ])  # fmt: skip
    column = table.c[key]
    for at, name, value in ahead:
        session.execute(update(table).where(column == at).values({name: value}))


def _move_sequences_on(session: DbSession) -> None:
    """PostgreSQL hands out ids from sequences, which inserted ids do not move: set each to
    the highest id restored, so that the next row does not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement in (True, "auto") and key[0].name == "id":
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                     f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)")
            )  # fmt: skip
