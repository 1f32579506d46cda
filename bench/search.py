"""Benchmark: searching (reviewhub.search) at 50,000 reactions, on SQLite and PostgreSQL.

It fills a fresh database with bench_data.py's generator (the framework in 10 versions,
``--reactions`` top-level reactions plus their replies) or takes one it made (``--url``), then
times a few representative searches: a word in many reactions and sections, a rare phrase
(two words of a section's text, between quotes), a word narrowed to the open version, only
reactions, and page 50 of the common word. Each is timed as the search wing's call (what
the page asks of the database: count, page, objects and snippets) and as the whole page
(``GET /search`` through the test client), as the demo partner and the demo reviewer
(who reads hidden and group-only reactions too): the median and the 95th percentile of
``--runs`` runs after one warm-up. It always exits 0: a report, not a test.

    .venv/bin/python bench/search.py                        # SQLite, 50,000 reactions
    .venv/bin/python bench/search.py --database postgresql  # reviewhub_bench_search
    .venv/bin/python bench/search.py --url postgresql+psycopg://postgres@127.0.0.1/mydb
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import SLUG, Plan, build, make_app, postgres_database
from bench_publish import timed

from reviewhub.extensions import db
from reviewhub.models import Comment, Document, Section, User, Version
from reviewhub.samples import DEMO_PASSWORD
from reviewhub.search import Kind, search

PEOPLE = {"partner": "partner@example.org", "reviewer": "reviewer@example.org"}
# Its own database: bench_data.py's reviewhub_bench may hold a larger data set to keep.
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/reviewhub_bench_search"


def open_version(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(
            select(func.max(Version.number)).join(Document).where(Document.slug == SLUG)
        ) or 1)  # fmt: skip


def rare_phrase(app: Flask) -> str:
    """Two words from the middle of one section of the open version, between quotes."""
    with app.app_context():
        text = db.session.scalar(
            select(Section.text)
            .join(Version)
            .where(Version.number == open_version(app), func.length(Section.text) > 400)
            .order_by(Section.position.desc())
            .limit(1)
        )  # fmt: skip
    words = [word.strip(".,;:()*") for word in (text or "").split()]
    # Two long words side by side, from the middle on: short ones may be Dutch stop words,
    # which PostgreSQL's configuration drops (that case has a query of its own below).
    middle = len(words) // 2
    pairs = zip(words[middle:], words[middle + 1 :], strict=False)
    first, second = next(((a, b) for a, b in pairs if min(len(a), len(b)) >= 6), words[:2])
    return f'"{first} {second}"'


def queries(app: Flask) -> dict[str, dict[str, Any]]:
    number = open_version(app)
    return {
        "common word": {"q": "praktijk"},
        "rare phrase": {"q": rare_phrase(app)},
        "stop words only": {"q": '"meer andere"'},
        "word, open version": {"q": "veiligheid", "document": SLUG, "version": str(number)},
        "word, reactions only": {"q": "termijn", "kind": Kind.REACTION.value},
        "common word, page 50": {"q": "praktijk", "page": "50"},
    }


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def domain_call(app: Flask, email: str, args: dict[str, Any]) -> tuple[list[float], int]:
    """The search wing's own time, as a page asks it."""
    with app.app_context():
        session = db.session
        viewer = session.scalars(select(User).where(User.email == email)).one()
        document = session.scalar(select(Document).where(Document.slug == args.get("document")))
        version = None
        if document is not None and "version" in args:
            version = session.scalar(
                select(Version).where(Version.document_id == document.id,
                                      Version.number == int(args["version"]))
            )  # fmt: skip
        kinds = [Kind(args["kind"])] if "kind" in args else list(Kind)

        def run() -> Any:
            return search(session, viewer, args["q"], document=document, version=version,
                          kinds=kinds, page=int(args.get("page", 1)))  # fmt: skip

        run()
        samples, total = [], 0
        for _ in range(RUNS):
            took, results = timed(run)
            samples.append(took)
            total = results.total
        return samples, total


def page_call(app: Flask, email: str, args: dict[str, Any]) -> list[float]:
    client = app.test_client()
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    url = "/search?" + urlencode(args)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [timed(lambda: client.get(url))[0] for _ in range(RUNS)]


RUNS = 20


def report(url: str) -> None:
    app = make_app(url)
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        reactions = db.session.scalar(select(func.count(Comment.id)))
    print(f"{url.split(':')[0]}: {reactions:,} reactions and replies; {RUNS} runs each\n")
    print(f"{'search':<22} {'who':<9} {'hits':>6} {'call med':>9} {'call p95':>9} "
          f"{'page med':>9} {'page p95':>9}")  # fmt: skip
    for name, args in queries(app).items():
        for who, email in PEOPLE.items():
            samples, total = domain_call(app, email, args)
            pages = page_call(app, email, args)
            print(f"{name:<22} {who:<9} {total:>6} {statistics.median(samples):>9.1f} "
                  f"{percentile(samples, 0.95):>9.1f} {statistics.median(pages):>9.1f} "
                  f"{percentile(pages, 0.95):>9.1f}")  # fmt: skip
    with app.app_context():
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    where.add_argument("--url", help="a database bench_data.py made; it is kept")
    parser.add_argument("--reactions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--keep", action="store_true", help="keep the fresh database")
    args = parser.parse_args(argv)
    RUNS = args.runs
    folder = None
    if args.url:
        url = args.url
    else:
        if args.database == "postgresql":
            url = POSTGRES_URL
            postgres_database(url, create=True)
        else:
            folder = tempfile.mkdtemp(prefix="reviewhub-bench-search-")
            url = f"sqlite:///{folder}/bench.sqlite3"
        took, _summary = timed(lambda: build(url, Plan(args.reactions, 10, 2026)))
        print(f"Made {url} in {took / 1000:.0f} s")
    report(url)
    if folder and not args.keep:
        shutil.rmtree(folder)
    elif not args.url and not args.keep:
        postgres_database(url, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
