"""bench/bench_data.py, run small: what it writes past the ORM must be what the app itself
would store (threads, passages, tokens, the indexes made again), and the pages must work on
it. On SQLite always; on PostgreSQL when the suite runs there (REVIEWHUB_TEST_DATABASE_URL),
in a database of its own next to the suite's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, make_url, text

from bench import bench_data
from reviewhub.extensions import db
from reviewhub.models import Comment
from reviewhub.samples import DEMO_ACCOUNTS, DEMO_GROUPS
from reviewhub.text.anchoring import locate

REACTIONS, VERSIONS = 300, 2


def generate(url: str) -> None:
    argv = ["--url", url, "--reactions", str(REACTIONS), "--versions", str(VERSIONS)]
    assert bench_data.main([*argv, "--seed", "7"]) == 0


def scalar(connection: Connection, sql: str) -> int:
    return int(connection.execute(text(sql)).scalar_one())


def check_counts(connection: Connection) -> None:
    assert scalar(connection, "SELECT count(*) FROM groups") == 40 + len(DEMO_GROUPS)
    assert scalar(connection, "SELECT count(*) FROM users") == 600 + len(DEMO_ACCOUNTS)
    assert scalar(connection, "SELECT count(*) FROM versions") == VERSIONS
    assert scalar(connection, "SELECT count(*) FROM comments WHERE parent_id IS NULL") == REACTIONS
    replies = scalar(connection, "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL")
    assert REACTIONS * 0.15 < replies < REACTIONS * 0.6
    on_open = """
        SELECT count(*) FROM comments c JOIN sections s ON s.id = c.section_id
        JOIN versions v ON v.id = s.version_id WHERE v.status = 'open' AND c.parent_id IS NULL
    """
    assert scalar(connection, on_open) > REACTIONS / 2


def check_threads(connection: Connection) -> None:
    """Every reply sits in its parent's section, under a top-level reaction, after it, with
    its visibility; every thread speaks for a group (all are by partners)."""
    wrong = scalar(connection, """
        SELECT count(*) FROM comments r JOIN comments p ON p.id = r.parent_id
        WHERE r.section_id != p.section_id OR p.parent_id IS NOT NULL
           OR r.created_at < p.created_at OR r.visibility != p.visibility
    """)  # fmt: skip
    assert wrong == 0
    official = "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL AND official"
    assert scalar(connection, official) > 0
    groupless = "SELECT count(*) FROM comments WHERE parent_id IS NULL AND group_id IS NULL"
    assert scalar(connection, groupless) == 0


def check_tokens_and_passages(connection: Connection) -> None:
    pairs = "SELECT count(*) FROM (SELECT DISTINCT author_id, client_token FROM comments) t"
    assert scalar(connection, pairs) == scalar(connection, "SELECT count(*) FROM comments")
    quoted = connection.execute(text("""
        SELECT s.text, c.quote_exact, c.quote_prefix, c.quote_suffix, c.quote_start, c.quote_end
        FROM comments c JOIN sections s ON s.id = c.section_id WHERE c.quote_exact IS NOT NULL
    """)).all()  # fmt: skip
    assert 0.15 * REACTIONS < len(quoted) < 0.45 * REACTIONS
    for section_text, exact, prefix, suffix, start, end in quoted:
        anchor = locate(section_text, exact, prefix, suffix, start)
        assert (anchor.exact, anchor.prefix, anchor.suffix, anchor.start, anchor.end) == (
            exact, prefix, suffix, start, end
        )  # fmt: skip


def check_schema(connection: Connection) -> None:
    """The indexes and constraints dropped for the load are all back."""
    inspector = inspect(connection)
    indexes = {index["name"] for index in inspector.get_indexes("comments")}
    assert {index.name for index in Comment.__table__.indexes} <= indexes
    assert len(inspector.get_foreign_keys("comments")) == len(Comment.__table__.foreign_keys)
    uniques = inspector.get_unique_constraints("comments")
    assert [sorted(unique["column_names"]) for unique in uniques] == [["author_id", "client_token"]]


def check_pages(url: str) -> None:
    app = bench_data.make_app(url)
    app.config.update(TESTING=True)
    client = app.test_client()
    for number in range(1, VERSIONS + 1):
        assert client.get(f"/documents/{bench_data.SLUG}/v/{number}").status_code == 200
    with app.app_context():
        db.engine.dispose()


def check_all(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            check_counts(connection)
            check_threads(connection)
            check_tokens_and_passages(connection)
            check_schema(connection)
    finally:
        engine.dispose()
    check_pages(url)


def test_bench_data_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.sqlite3"
    generate(url)
    check_all(url)


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A fresh database beside the suite's own, dropped afterwards."""
    suite = os.environ.get("REVIEWHUB_TEST_DATABASE_URL", "")
    if not suite.startswith("postgresql"):
        pytest.skip("the suite runs on SQLite (REVIEWHUB_TEST_DATABASE_URL is not PostgreSQL)")
    target = make_url(suite)
    url = target.set(database=f"{target.database}_bench_data").render_as_string(False)
    bench_data.postgres_database(url, create=True)
    try:
        yield url
    finally:
        bench_data.postgres_database(url, create=False)


def test_bench_data_on_postgresql(postgresql_url: str) -> None:
    generate(postgresql_url)
    check_all(postgresql_url)
    engine = create_engine(postgresql_url)
    try:
        with engine.connect() as connection:  # the next id the app takes is a free one
            next_id = "SELECT nextval(pg_get_serial_sequence('comments', 'id'))"
            assert scalar(connection, next_id) > scalar(connection, "SELECT max(id) FROM comments")
    finally:
        engine.dispose()
