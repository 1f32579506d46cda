"""Benchmark: the version page with 0, 1,000, 10,000 and 50,000 reactions.

What is measured, and why
-------------------------
A version open for feedback can gather tens of thousands of reactions. The version page shows
the text, the number of reactions per section and one form; the threads load per section on
demand (``/documents/<slug>/v/<n>/s/<key>/reactions``). So the page should cost the same
whatever the number of reactions. This script publishes the generated document of
bench_publish.py (version 1: 323 sections, about 400 KB of Markdown) as a version open for
feedback, inserts reactions through the models in bulk (0, then 1,000, 10,000, 50,000 in all:
spread over the sections with a third on one section, a quarter answered, some for the group
only, some waiting for approval), and measures at each count, anonymous and as the demo
partner (who reacts for two groups and sees the form):

* the version page through Flask's test client: the first GET after the reactions were
  written (what is kept is keyed by the version's feedback revision, so that one renders
  and counts), then the median server time of 10 GETs, HTML size, and the number of SQL
  statements one GET sends;
* the same for the thread fragment of the busiest section (its first page of 20 threads) and
  for that section's own page.

Targets (issue 10): the version page under 15 ms anonymous and under 25 ms as a partner at
every count, under 1 MB, and the same number of statements at every count (with no reactions
at all a page may send fewer: what loads the threads' authors, groups and replies never runs).
The script prints PASS or FAIL per target but always exits 0: it is a report, not a test.

Run it from the project root: ``.venv/bin/python bench/bench_version_page.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import DEFAULT_SEED, cpu_model, make_app, make_versions, timed

from reviewhub.extensions import db
from reviewhub.feedback import revisions
from reviewhub.feedback.display import render_body
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    Group,
    Section,
    User,
    VersionStatus,
)
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import DEMO_PASSWORD, ensure_demo_accounts

SLUG = "bench-reactions"
COUNTS = (0, 1_000, 10_000, 50_000)
RUNS = 10
ANONYMOUS_TARGET_MS = 15.0
PARTNER_TARGET_MS = 25.0
SIZE_TARGET_KB = 1024.0
PARTNER = "partner@example.org"
BODIES = [
    "Kan dit *concreter*? Wie neemt het besluit en binnen welke termijn?",
    "Goed dat dit er staat.\n\n- eerste punt\n- tweede punt",
    "Dit past niet bij de praktijk in onze regio; zie [de handreiking](https://example.org).",
    "Wij stellen voor de rol van de regiehouder **expliciet** te beschrijven.",
]


@dataclass
class Row:
    reactions: int
    who: str
    page: str
    first_ms: float
    median_ms: float
    kb: float
    statements: int


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def publish_open(app: Flask, source: str) -> tuple[int, list[int], str]:
    """The version (open for feedback), its section ids, and the busiest section's key."""
    with app.app_context():
        ensure_demo_accounts(db.session)
        document = get_or_create_document(db.session, SLUG, "Benchmark")
        meta = VersionMeta(
            label="Dialoogversie 1", status=VersionStatus.OPEN, closes_on=date(2099, 12, 31)
        )
        version = publish_version(db.session, document, source, meta)
        db.session.commit()
        sections = db.session.scalars(
            select(Section).where(Section.version_id == version.id).order_by(Section.position)
        ).all()
        busiest = sections[len(sections) // 3]
        return version.number, [s.id for s in sections], busiest.key


def insert_reactions(
    app: Flask, section_ids: list[int], busiest: str, start: int, end: int
) -> None:
    """Reactions ``start`` to ``end`` (numbered), inserted in bulk through the models."""
    if start >= end:
        return
    with app.app_context():
        session = db.session
        people = {u.email: u for u in session.scalars(select(User))}
        groups = {g.name: g for g in session.scalars(select(Group))}
        partner, reviewer = people[PARTNER], people["reviewer@example.org"]
        author = people["auteur@example.org"]
        twente = groups["Regio Twente"]
        version_id = session.scalar(select(Section.version_id).where(Section.id == section_ids[0]))
        busy_id = session.scalar(
            select(Section.id).where(Section.id.in_(section_ids), Section.key == busiest)
        )
        rendered = {body: render_body(body) for body in BODIES}
        kinds = list(CommentKind)
        at = datetime(2026, 12, 1, tzinfo=UTC)
        rows = []
        for n in range(start, end):
            body = BODIES[n % len(BODIES)]
            by_partner = n % 2 == 1
            rows.append(
                {
                    "section_id": busy_id if n % 3 == 0 else section_ids[n % len(section_ids)],
                    "version_id": version_id,
                    "author_id": partner.id if by_partner else author.id,
                    "group_id": twente.id if by_partner else None,
                    "kind": kinds[n % len(kinds)],
                    "body": body,
                    "body_html": rendered[body],
                    "visibility": CommentVisibility.GROUP
                    if n % 10 == 1
                    else CommentVisibility.PUBLIC,
                    "state": CommentState.PENDING if n % 15 == 4 else CommentState.PUBLISHED,
                    "official": False,
                    "client_token": f"bench-{n}",
                    "created_at": at + timedelta(seconds=n),
                }
            )
        session.execute(insert(Comment), rows)
        parents = session.execute(
            select(Comment.id, Comment.section_id, Comment.visibility, Comment.client_token).where(
                Comment.client_token.in_([f"bench-{n}" for n in range(start, end) if n % 4 == 0])
            )
        ).all()
        answer = "Dank u, dit nemen we mee in de volgende versie."
        session.execute(
            insert(Comment),
            [
                {
                    "section_id": section_id,
                    "version_id": version_id,
                    "parent_id": parent_id,
                    "author_id": reviewer.id,
                    "body": answer,
                    "body_html": render_body(answer),
                    "visibility": visibility,
                    "state": CommentState.PUBLISHED,
                    "official": True,
                    "client_token": f"answer-{token}",
                    "created_at": at + timedelta(seconds=end + i),
                }
                for i, (parent_id, section_id, visibility, token) in enumerate(parents)
            ],
        )
        revisions.bump(session, [version_of(session, section_ids[0])])
        session.commit()


def version_of(session: Any, section_id: int) -> int:
    return session.scalar(select(Section.version_id).where(Section.id == section_id))


def measure(app: Flask, client: FlaskClient, url: str) -> tuple[float, float, float, int]:
    """Ms of the first GET, median ms of RUNS more, size in KB, statements of one GET."""
    first, _response = timed(lambda: client.get(url))
    samples, size = [], 0
    for _ in range(RUNS):
        elapsed, response = timed(lambda: client.get(url))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        samples.append(elapsed)
        size = len(response.data)
    with counted(app) as statements:
        client.get(url)
    return first, statistics.median(samples), size / 1024, len(statements)


def measure_all(
    app: Flask, clients: dict[str, FlaskClient], number: int, busiest: str, reactions: int
) -> list[Row]:
    base = f"/documents/{SLUG}/v/{number}"
    pages = {
        "version page": base,
        "thread fragment": f"{base}/s/{busiest}/reactions",
        "section page": f"{base}/s/{busiest}",
    }
    rows = []
    for page, url in pages.items():
        for who, client in clients.items():
            rows.append(Row(reactions, who, page, *measure(app, client, url)))
    return rows


def print_rows(rows: list[Row]) -> None:
    header = (f"{'reactions':>9}  {'page':<16} {'who':<10} {'first ms':>9} {'median ms':>9} "
              f"{'KB':>7} {'SQL':>4}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.reactions:>9,}  {row.page:<16} {row.who:<10} {row.first_ms:>9.1f} "
            f"{row.median_ms:>9.1f} "
            f"{row.kb:>7.0f} {row.statements:>4}"
        )


def verdicts(rows: list[Row]) -> None:
    page = [row for row in rows if row.page == "version page"]
    limits = {"anonymous": ANONYMOUS_TARGET_MS, "partner": PARTNER_TARGET_MS}
    print()
    for who, limit in limits.items():
        times = [row.median_ms for row in page if row.who == who]
        verdict = "PASS" if max(times) < limit else "FAIL"
        print(f"Version page {who} under {limit:.0f} ms at every count: {verdict} "
              f"(worst {max(times):.1f} ms)")  # fmt: skip
    largest = max(row.kb for row in page)
    print(f"Version page under 1 MB: {'PASS' if largest < SIZE_TARGET_KB else 'FAIL'} "
          f"(largest {largest:.0f} KB)")  # fmt: skip
    for name in ("version page", "thread fragment", "section page"):
        for who in limits:
            by_count = {r.reactions: r.statements for r in rows if r.page == name and r.who == who}
            loaded = {n for count, n in by_count.items() if count}
            # With no reactions at all, what loads threads (authors, groups, replies) never runs.
            verdict = "PASS" if len(loaded) == 1 and by_count.get(0, 0) <= min(loaded) else "FAIL"
            print(f"{name}, {who}: the same SQL statements whatever the count: {verdict} "
                  f"({by_count})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    args = parser.parse_args(argv)
    versions, _logs = make_versions(1, args.seed)
    source = versions[0].render()
    print(
        f"ReviewHub version page benchmark: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="reviewhub-bench-") as directory:
        app = make_app(directory)
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        with app.app_context():
            upgrade()
        number, section_ids, busiest = publish_open(app, source)
        print(f"{len(section_ids)} sections, {len(source.encode()) / 1024:.0f} KB of Markdown; "
              f"busiest section: {busiest}\n")  # fmt: skip
        anonymous, partner = app.test_client(), app.test_client()
        login = partner.post("/login", data={"email": PARTNER, "password": DEMO_PASSWORD})
        if login.status_code != 302:
            raise RuntimeError(f"log-in answered {login.status_code}")
        clients = {"anonymous": anonymous, "partner": partner}
        inserted = 0
        for count in COUNTS:
            insert_reactions(app, section_ids, busiest, inserted, count)
            inserted = count
            rows.extend(measure_all(app, clients, number, busiest, count))
        with app.app_context():
            db.engine.dispose()
    print_rows(rows)
    verdicts(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
