"""Benchmark: the main pages on a database made by bench_data.py, at any size.

bench_version_page.py grows the feedback step by step on SQLite; this script takes a database
as bench_data.py leaves it (say a million reactions on PostgreSQL) and measures each main
page as it is read there: anonymous, as the demo partner and as the demo reviewer. Per page:
the first request (what is kept is made then), the median of ``--runs`` more, the HTML size
and the number of SQL statements. The busiest section of the open version is the one whose
threads are read. It always exits 0: a report, not a test.

    .venv/bin/python bench/bench_data.py --database postgresql --reactions 1000000 --keep
    .venv/bin/python bench/bench_pages.py --url postgresql+psycopg://postgres@127.0.0.1:5432/reviewhub_bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import SLUG, make_app
from bench_publish import timed
from bench_version_page import counted

from reviewhub.extensions import db
from reviewhub.models import Comment, Document, Section, Version
from reviewhub.samples import DEMO_PASSWORD

PEOPLE = {"anonymous": None, "partner": "partner@example.org", "reviewer": "reviewer@example.org"}


def a_group(app: Flask) -> int:
    with app.app_context():
        return (
            db.session.scalar(
                select(Comment.group_id).where(Comment.group_id.is_not(None)).limit(1)
            )
            or 0
        )


def open_version_and_busiest(app: Flask) -> tuple[int, str, int]:
    """The last version's number, its busiest section's key and its reactions."""
    with app.app_context():
        session = db.session
        version = session.scalars(
            select(Version).join(Document).where(Document.slug == SLUG)
            .order_by(Version.number.desc()).limit(1)
        ).one()  # fmt: skip
        key, count = session.execute(
            select(Section.key, func.count(Comment.id))
            .join(Comment, Comment.section_id == Section.id)
            .where(Section.version_id == version.id)
            .group_by(Section.key).order_by(func.count(Comment.id).desc()).limit(1)
        ).one()  # fmt: skip
        total = session.scalar(
            select(func.count(Comment.id)).join(Section).where(Section.version_id == version.id)
        )
        print(f"version {version.number}: {total:,} reactions and replies; busiest section "
              f"{key} ({count:,})\n")  # fmt: skip
        return version.number, key, count


def pages(number: int, key: str) -> dict[str, str]:
    base = f"/documents/{SLUG}/v/{number}"
    return {
        "version page": base,
        "thread fragment": f"{base}/s/{key}/reactions",
        "thread fragment p.5": f"{base}/s/{key}/reactions?page=5",
        "section page": f"{base}/s/{key}",
        "compare": f"/documents/{SLUG}/compare/{number - 1}...{number}",
        "section history": f"/documents/{SLUG}/sections/{key}/history",
        "document list": "/documents/",
        "my reactions": "/me/feedback",
        "moderation": f"/documents/{SLUG}/moderation",
        "workspace": f"{base}/feedback",
        "workspace, new only": f"{base}/feedback?status=new&sort=section",
        "workspace, text search": f"{base}/feedback?q=veiligheid",
        "workspace, page 100": f"{base}/feedback?page=100",
        "workspace, one group": f"{base}/feedback?group={{group}}&sort=created&order=desc",
        "progress": f"{base}/progress",
    }


def client_for(app: Flask, email: str | None) -> FlaskClient:
    client = app.test_client()
    if email:
        login = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        if login.status_code != 302:
            raise RuntimeError(f"log-in of {email} answered {login.status_code}")
    return client


def measure(app: Flask, client: FlaskClient, url: str, runs: int) -> tuple[Any, ...] | None:
    first, response = timed(lambda: client.get(url))
    if response.status_code != 200:
        return None  # not for this visitor (log-in asked, refused)
    samples = [timed(lambda: client.get(url))[0] for _ in range(runs)]
    with counted(app) as statements:
        client.get(url)
    return first, statistics.median(samples), len(response.data) / 1024, len(statements)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="a database made by bench_data.py")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    app = make_app(args.url)
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    app.config["WTF_CSRF_ENABLED"] = False  # the test client logs in without the form's token
    number, key, _count = open_version_and_busiest(app)
    group = a_group(app)
    print(f"{'page':<24} {'who':<10} {'first ms':>9} {'median ms':>9} {'KB':>7} {'SQL':>4}")
    for who, email in PEOPLE.items():
        client = client_for(app, email)
        for name, url in pages(number, key).items():
            found = measure(app, client, url.format(group=group), args.runs)
            if found:
                first, median, kb, statements = found
                print(f"{name:<24} {who:<10} {first:>9.1f} {median:>9.1f} {kb:>7.0f} "
                      f"{statements:>4}")  # fmt: skip
    with app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
