"""Back-up and restore of everything: the sample database with the demo feedback (reactions,
decisions, answers, notes, carried reactions, a group position, the audit log) is backed up,
restored into a new SQLite database, and every row of every table compares equal; on
PostgreSQL the copy goes SQLite → PostgreSQL as well. A back-up goes only into an empty
database of its revision; anything else is refused, and the command line says why."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from reviewhub import create_app
from reviewhub.exports.backup import RestoreError, _tables, restore_backup, table_rows, write_backup
from reviewhub.extensions import db
from reviewhub.models import Comment
from reviewhub.samples import ensure_demo_reactions


def everything(session: Session) -> dict[str, list[list[Any]]]:
    return {table.name: list(table_rows(session, table)) for table in _tables()}


@contextmanager
def new_database(url: str) -> Iterator[Session]:
    """A database migrated to the head revision, and a session on it."""
    other: Flask = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                               "TESTING": True})  # fmt: skip
    with other.app_context():
        upgrade()
        db.engine.dispose()  # the migration's connections, closed rather than left to GC
        engine = create_engine(url)
    session = Session(bind=engine)
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


@contextmanager
def postgresql_database() -> Iterator[str]:
    """A fresh PostgreSQL database beside the test one (only when the suite runs on one)."""
    url = os.environ.get("REVIEWHUB_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the suite runs on SQLite: the PostgreSQL leg runs in the PostgreSQL run")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = "reviewhub_restore_test"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def filled(app: Flask, session: Session) -> dict[str, list[list[Any]]]:
    with app.app_context():
        assert ensure_demo_reactions(session) > 0
    session.flush()
    return everything(session)


def backup_of(session: Session) -> bytes:
    out = io.BytesIO()
    write_backup(session, out)
    return out.getvalue()


def restored(url: str, data: bytes) -> dict[str, list[list[Any]]]:
    with new_database(url) as copy:
        restore_backup(copy, io.BytesIO(data))
        copy.commit()
        return everything(copy)


def test_every_row_survives_a_restore(session, filled, tmp_path: Path):
    assert filled["comments"] and filled["carried_reactions"] and filled["group_positions"]
    copy = restored(f"sqlite:///{tmp_path}/copy.sqlite3", backup_of(session))
    assert copy == filled


def test_sqlite_to_postgresql_and_back(session, filled, tmp_path: Path):
    with postgresql_database() as url:
        in_sqlite = restored(f"sqlite:///{tmp_path}/a.sqlite3", backup_of(session))
        with new_database(f"sqlite:///{tmp_path}/b.sqlite3") as copy:
            restore_backup(copy, io.BytesIO(backup_of(session)))
            copy.commit()
            sqlite_backup = backup_of(copy)
        assert restored(url, sqlite_backup) == filled == in_sqlite
        with new_database(url) as pg:  # its ids go on after the restored ones
            highest = pg.scalar(select(Comment.id).order_by(Comment.id.desc()).limit(1))
            following = pg.scalar(text("SELECT nextval(pg_get_serial_sequence('comments', 'id'))"))
            assert highest and following > highest


def test_a_backup_goes_only_into_an_empty_database_of_its_revision(app, session, filled,
                                                                    tmp_path):  # fmt: skip
    data = backup_of(session)
    with app.app_context():  # the messages in the app's language
        with pytest.raises(RestoreError, match="niet leeg"):
            restore_backup(session, io.BytesIO(data))
        with new_database(f"sqlite:///{tmp_path}/c.sqlite3") as copy:
            with pytest.raises(RestoreError, match="geen back-up van ReviewHub"):
                restore_backup(copy, io.BytesIO(gzip.compress(b'{"format": "iets anders"}\n')))
            copy.execute(text("UPDATE alembic_version SET version_num = 'ouder'"))
            with pytest.raises(RestoreError, match="schemarevisie"):
                restore_backup(copy, io.BytesIO(data))


def test_the_commands(cli, filled, tmp_path: Path):
    target = tmp_path / "alles.backup"
    result = cli("backup", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000
    refused = cli("restore", str(target))  # into the test's own, full database
    assert refused.exit_code != 0 and "niet leeg" in refused.output
    junk = tmp_path / "rommel"
    junk.write_bytes(b"geen gzip")
    assert cli("restore", str(junk)).exit_code != 0
