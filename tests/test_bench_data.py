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
from reviewhub.feedback.display import render_body
from reviewhub.feedback.references import reference
from reviewhub.models import AnswerVerdict, Comment, Disposition
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


def check_references(connection: Connection) -> None:
    """Every top-level reaction has its version's next number, in the order posted, and the
    counter stands at the last one; replies have none."""
    versions = connection.execute(text("""
        SELECT v.id, v.number, v.reaction_counter, d.code FROM versions v
        JOIN documents d ON d.id = v.document_id
    """)).all()  # fmt: skip
    for version_id, number, counter, code in versions:
        found = connection.execute(text("""
            SELECT c.reference FROM comments c JOIN sections s ON s.id = c.section_id
            WHERE s.version_id = :version AND c.parent_id IS NULL ORDER BY c.created_at, c.id
        """), {"version": version_id}).scalars().all()  # fmt: skip
        assert found == [reference(code, number, n) for n in range(1, len(found) + 1)]
        assert counter == len(found) > 0
    replies = "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL AND reference IS NULL"
    assert scalar(connection, replies) == scalar(
        connection, "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL"
    )


DECIDABLE = """
    FROM comments c JOIN sections s ON s.id = c.section_id JOIN versions v ON v.id = s.version_id
    WHERE c.parent_id IS NULL AND c.state = 'published' AND c.hidden_at IS NULL
      AND c.deleted_at IS NULL
"""


def check_decisions(connection: Connection) -> None:
    """About 90% decided on the closed version, 40% on the open one (and half of its reactions
    assigned), by reviewers, after the reaction, with a motivation (rendered) unless in
    progress; nothing decided that cannot be."""
    shares = connection.execute(text(f"""
        SELECT v.status, avg(CASE WHEN c.disposition != 'new' THEN 1.0 ELSE 0.0 END),
               avg(CASE WHEN c.assignee_id IS NOT NULL THEN 1.0 ELSE 0.0 END) {DECIDABLE}
        GROUP BY v.status
    """)).all()  # fmt: skip
    by_status = {status: (float(decided), float(assigned)) for status, decided, assigned in shares}
    assert 0.8 < by_status["closed"][0] < 0.97 and by_status["closed"][1] == 0
    assert 0.28 < by_status["open"][0] < 0.52 and 0.38 < by_status["open"][1] < 0.62
    undecidable = """
        SELECT count(*) FROM comments WHERE (disposition != 'new' OR disposition_revision != 0
            OR decided_at IS NOT NULL OR assignee_id IS NOT NULL OR motivation_html != '')
        AND (parent_id IS NOT NULL OR state != 'published' OR hidden_at IS NOT NULL
             OR deleted_at IS NOT NULL)
    """
    assert scalar(connection, undecidable) == 0
    decided = connection.execute(text("""
        SELECT c.disposition, c.motivation, c.motivation_html, c.disposition_revision,
               c.decided_at > c.created_at, d.role, a.role
        FROM comments c JOIN users d ON d.id = c.decided_by_id
        LEFT JOIN users a ON a.id = c.assignee_id WHERE c.disposition != 'new'
    """)).all()  # fmt: skip
    assert {row.disposition for row in decided} >= {d.value for d in Disposition} - {"new"}
    for disposition, motivation, html, revision, after, decider, assignee in decided:
        assert revision == 1 and after and decider == "reviewer" and assignee in (None, "reviewer")
        assert motivation is not None or disposition == Disposition.IN_PROGRESS
        assert html == (render_body(motivation) if motivation else "")
    undecided = f"""SELECT count(*) {DECIDABLE} AND c.disposition = 'new'
        AND (c.decided_at IS NOT NULL OR c.disposition_revision != 0)"""
    assert scalar(connection, undecided) == 0


def check_history(connection: Connection) -> None:
    """One change per decided reaction, as the reaction holds it; the answers answer a change
    of their own reaction, by its author; review notes by reviewers on reactions."""
    changes = scalar(connection, "SELECT count(*) FROM disposition_changes")
    assert changes == scalar(connection, "SELECT count(*) FROM comments WHERE disposition != 'new'")
    unlike = scalar(connection, """
        SELECT count(*) FROM disposition_changes h JOIN comments c ON c.id = h.comment_id
        WHERE h.disposition != c.disposition OR h.decided_at != c.decided_at
           OR h.decided_by_id != c.decided_by_id OR h.motivation_html != c.motivation_html
           OR coalesce(h.motivation, '-') != coalesce(c.motivation, '-')
           OR coalesce(h.duplicate_of_id, 0) != coalesce(c.duplicate_of_id, 0)
    """)  # fmt: skip
    assert unlike == 0
    once = "SELECT count(DISTINCT comment_id) FROM disposition_changes"
    assert scalar(connection, once) == changes
    answers = connection.execute(text("""
        SELECT a.verdict, a.body, a.body_html, h.comment_id = a.comment_id,
               a.author_id = c.author_id, a.created_at > h.decided_at, c.disposition
        FROM decision_answers a JOIN disposition_changes h ON h.id = a.change_id
        JOIN comments c ON c.id = a.comment_id
    """)).all()  # fmt: skip
    assert 0.08 * changes < len(answers) < 0.25 * changes
    assert {answer.verdict for answer in answers} == {v.value for v in AnswerVerdict}
    for verdict, body, html, same, by_author, later, disposition in answers:
        assert same and by_author and later and disposition != Disposition.IN_PROGRESS
        assert body or verdict == AnswerVerdict.AGREE
        assert html == (render_body(body) if body else "")
    notes = """
        SELECT count(*) FROM review_notes n JOIN comments c ON c.id = n.comment_id
        JOIN users u ON u.id = n.author_id WHERE c.parent_id IS NULL AND u.role = 'reviewer'
    """
    assert scalar(connection, notes) == scalar(connection, "SELECT count(*) FROM review_notes")


def check_duplicates_and_taken_in(connection: Connection) -> None:
    """A duplicate repeats an earlier reaction on its section; an accepted reaction on the
    closed version names the next version's section that follows its own."""
    duplicates = connection.execute(text("""
        SELECT c.disposition = 'duplicate', o.section_id = c.section_id, o.id < c.id
        FROM comments c LEFT JOIN comments o ON o.id = c.duplicate_of_id
        WHERE c.disposition = 'duplicate' OR c.duplicate_of_id IS NOT NULL
    """)).all()  # fmt: skip
    assert duplicates and all(all(row) for row in duplicates)
    taken = connection.execute(text("""
        SELECT c.disposition IN ('accepted', 'partly_accepted') AND v.status = 'closed',
               c.taken_in_version_id, c.taken_in_section_key, n.version_id, n.key
        FROM comments c JOIN sections s ON s.id = c.section_id
        JOIN versions v ON v.id = s.version_id
        LEFT JOIN sections n ON n.predecessor_id = s.id
        WHERE c.parent_id IS NULL
    """)).all()  # fmt: skip
    assert any(version for _accepted, version, _key, _next, _next_key in taken)
    for accepted, version, key, next_version, next_key in taken:
        expected = (next_version, next_key) if accepted else (None, None)
        assert (version, key) == expected


def check_schema(connection: Connection) -> None:
    """The indexes and constraints dropped for the load are all back."""
    inspector = inspect(connection)
    indexes = {index["name"] for index in inspector.get_indexes("comments")}
    assert {index.name for index in Comment.__table__.indexes} <= indexes
    assert len(inspector.get_foreign_keys("comments")) == len(Comment.__table__.foreign_keys)
    uniques = inspector.get_unique_constraints("comments")
    assert sorted(sorted(unique["column_names"]) for unique in uniques) == [
        ["author_id", "client_token"], ["reference"]
    ]  # fmt: skip
    for table in ("disposition_changes", "decision_answers"):
        model = Comment.metadata.tables[table]
        assert {index.name for index in model.indexes} <= {
            index["name"] for index in inspector.get_indexes(table)
        }
        assert len(inspector.get_foreign_keys(table)) == len(model.foreign_keys)


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
            check_references(connection)
            check_decisions(connection)
            check_history(connection)
            check_duplicates_and_taken_in(connection)
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
