"""Benchmark: the expensive paths an outside probe found (issue 8), timed one by one.

What is measured, and why
-------------------------
Each case publishes generated versions into a temporary SQLite database and then asks for
what an anonymous visitor may ask for, through Flask's test client with an empty comparison
cache, the way the probe did:

* section: one section of 20,000 words (one long paragraph of sentences), then a version with
  half of its words replaced. Times the comparison proper (``versions.align_and_diff``), the
  compare page, its Markdown-source view and the section's history page;
* export: a document of N sections (default: the section limit, 2,000) and a version with
  every tenth section edited. Times the Word export of the comparison and the version page;
  ``--export-sizes 500,1000,2000`` shows whether the cost is linear in the sections;
* headings: 50,000 sections with the same heading: the time until publishing is refused
  (the section limit), then as many as the limit allows, published twice (the second version
  with one more section first, so every key moves): fresh keys and matching;
* rename: 400 sections with the same 150-word text, every heading renamed in the next version:
  parse + match, and publishing;
* table: a table of 1,000 columns and 60 rows of one cell, which markdown-it fills up to
  60,000 cells (6 KB of Markdown): publishing it (refused now); then the largest table the
  limits allow, filled up the same way, and a version with one cell edited: publishing, the
  version page, the compare page and the Word export;
* dense: the worst input for the bounded word diff that the limits allow: N sections
  (default 2,000) of one 150-word paragraph, about 2 MB, and a version with the words of every
  paragraph in reverse order. Times the comparison proper and the compare page.

``--max-sections N`` raises the section limit for the cases, to measure past it.

The code under test is whatever ``reviewhub`` imports: run it with ``PYTHONPATH`` pointing at
an older checkout to measure that one. The script always exits 0: it is a report, not a test.
Run it from the project root: ``.venv/bin/python bench/bench_bounds.py [--cases a,b]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import DEFAULT_SEED, Writer, cpu_model, make_app, timed

from reviewhub.compare import versions
from reviewhub.extensions import db
from reviewhub.models import Version, VersionStatus
from reviewhub.publishing import PublishError, VersionMeta, get_or_create_document, publish_version
from reviewhub.text.matching import match_sections, prior_sections
from reviewhub.text.sections import parse_document

SLUG = "bench-bounds"
CASES = ("section", "export", "headings", "rename", "table", "dense")


@dataclass
class Row:
    case: str
    what: str
    ms: float
    note: str = ""


class Site:
    """An app on a temporary SQLite file, one document, and the test client."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.versions = 0

    def publish(self, source: str) -> tuple[float, str]:
        """Publish the next version; the time, and the refusal message if it was refused."""
        with self.app.app_context():
            document = get_or_create_document(db.session, SLUG, "Benchmark")
            meta = VersionMeta(label=f"Versie {self.versions + 1}", status=VersionStatus.CLOSED)

            def publish() -> str:
                try:
                    publish_version(db.session, document, source, meta)
                except PublishError as error:
                    db.session.rollback()
                    return str(error)
                db.session.commit()
                self.versions += 1
                return ""

            return timed(publish)

    def get(self, path: str) -> tuple[float, int, int]:
        """One GET with an empty comparison cache: time, status and size in bytes."""
        versions.clear_cache()
        elapsed, response = timed(lambda: self.client.get(path))
        return elapsed, response.status_code, len(response.data)

    def compare(self) -> float:
        """The comparison proper of the last two versions, sections read beforehand."""
        with self.app.app_context():
            old, new = db.session.scalars(select(Version).order_by(Version.number)).all()[-2:]
            loaded = versions.load(db.session, old, new)
            elapsed, _ = timed(lambda: versions.align_and_diff(loaded))
            return elapsed


@contextmanager
def site(max_sections: int | None = None) -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix="reviewhub-bench-") as directory:
        app = make_app(directory)
        if max_sections:
            app.config["MAX_SECTIONS"] = max_sections
        with app.app_context():
            upgrade()
        try:
            yield Site(app)
        finally:
            with app.app_context():
                db.engine.dispose()


def page_row(case: str, what: str, result: tuple[float, int, int]) -> Row:
    elapsed, status, size = result
    return Row(case, what, elapsed, f"status {status}, {size / 1024:.0f} KB")


def publish_row(case: str, what: str, result: tuple[float, str]) -> Row:
    elapsed, refused = result
    return Row(case, what, elapsed, f"refused: {refused}" if refused else "published")


# ---------------------------------------------------------------------------------------------
# The cases.


def half_changed(rng: random.Random, writer: Writer, words: list[str]) -> list[str]:
    return [writer.words(1)[0] if rng.random() < 0.5 else word for word in words]


def case_section(rng: random.Random, writer: Writer, _: argparse.Namespace) -> list[Row]:
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < 20_000:
        sentences.append(writer.sentence())
    old_words = " ".join(sentences).split()[:20_000]
    new_words = half_changed(rng, writer, old_words)
    old, new = (f"# Werkwijze\n\n{' '.join(words)}\n" for words in (old_words, new_words))
    rows = []
    with site() as bench:
        rows.append(publish_row("section", "publish v1", bench.publish(old)))
        rows.append(
            publish_row("section", "publish v2 (half the words changed)", bench.publish(new))
        )
        rows.append(Row("section", "compare proper (align_and_diff)", bench.compare()))
        url = f"/documents/{SLUG}/compare/1...2"
        rows.append(page_row("section", "compare page", bench.get(url)))
        rows.append(
            page_row("section", "compare page, source view", bench.get(f"{url}?view=source"))
        )
        history = f"/documents/{SLUG}/sections/werkwijze/history"
        rows.append(page_row("section", "section history page", bench.get(history)))
    return rows


def sections_source(count: int, edited: Callable[[int], bool]) -> str:
    """``count`` sections, each a heading and a paragraph; ``edited`` ones get one more word."""
    writer = Writer(random.Random(count))  # the same text for both versions
    parts = []
    for index in range(count):
        text = " ".join(writer.sentence() for _ in range(2))
        parts.append(f"## Onderdeel {index + 1}\n\n{text}{' Aangepast.' if edited(index) else ''}")
    return "\n\n".join(parts) + "\n"


def case_export(_: random.Random, __: Writer, args: argparse.Namespace) -> list[Row]:
    rows = []
    for count in args.export_sizes:
        with site(args.max_sections) as bench:
            bench.publish(sections_source(count, lambda index: False))
            result = bench.publish(sections_source(count, lambda index: index % 10 == 0))
            rows.append(publish_row("export", f"publish v2 of {count} sections", result))
            if result[1]:
                continue
            url = f"/documents/{SLUG}/compare/1...2/export.docx"
            elapsed, status, size = bench.get(url)
            per_section = f"{elapsed / count:.2f} ms per section"
            note = f"status {status}, {size / 1024:.0f} KB, {per_section}"
            rows.append(Row("export", f"Word export, {count} sections", elapsed, note))
            page = bench.get(f"/documents/{SLUG}/v/2")
            rows.append(page_row("export", f"version page, {count} sections", page))
    return rows


def identical_headings(count: int, first: str = "") -> str:
    return first + "".join("## Toelichting\n\nZie de bijlage.\n\n" for _ in range(count))


def case_headings(_: random.Random, __: Writer, args: argparse.Namespace) -> list[Row]:
    rows = []
    with site() as bench:
        result = bench.publish(identical_headings(args.headings))
        rows.append(publish_row("headings", f"publish {args.headings} identical headings", result))
        limit = int(bench.app.config.get("MAX_SECTIONS", 2000))
        at_limit = identical_headings(limit - 1)
        rows.append(publish_row("headings", f"publish v1: {limit - 1}", bench.publish(at_limit)))
        moved = identical_headings(limit - 1, first="## Inleiding\n\nNieuw.\n\n")
        rows.append(
            publish_row("headings", f"publish v2: {limit} (one first)", bench.publish(moved))
        )
    return rows


def renamed_sections(prefix: str, text: str) -> str:
    return "".join(f"## {prefix} {index + 1}\n\n{text}\n\n" for index in range(400))


def case_rename(_: random.Random, writer: Writer, __: argparse.Namespace) -> list[Row]:
    text = " ".join(writer.words(150))
    old, new = renamed_sections("Onderdeel", text), renamed_sections("Hoofdstuk", text)
    first = parse_document(old).sections
    keys = [match.key for match in match_sections([], first).matches]
    prior = prior_sections(first, keys)
    second = parse_document(new).sections
    elapsed, result = timed(lambda: match_sections(prior, second))
    continued = sum(match.predecessor is not None for match in result.matches)
    rows = [Row("rename", "match 400 renamed sections", elapsed, f"{continued} continued")]
    with site() as bench:
        bench.publish(old)
        rows.append(publish_row("rename", "publish v2 (all renamed)", bench.publish(new)))
    return rows


def filled_table(columns: int, rows: int, edited: bool) -> str:
    """A header of ``columns`` cells over ``rows`` rows of one cell each, which markdown-it
    fills up with empty cells; ``edited``: one cell says more."""
    lines = ["| " + " | ".join(f"K{c}" for c in range(columns)) + " |", "|" + "-|" * columns]
    lines += [f"| a{row}{'x' if edited and row == rows // 2 else ''} |" for row in range(rows)]
    return "# Overzicht\n\n" + "\n".join(lines) + "\n"


def case_table(_: random.Random, __: Writer, args: argparse.Namespace) -> list[Row]:
    columns, limit_columns, limit_cells = args.columns, 64, 20_000
    shapes = [
        (columns, 60, "the probe's"),
        (limit_columns, limit_cells // limit_columns - 1, "at the limits"),
    ]
    rows = []
    for columns, height, name in shapes:
        with site(args.max_sections) as bench:
            for number, edited in ((1, False), (2, True)):
                result = bench.publish(filled_table(columns, height, edited))
                what = f"publish v{number}, {name}: {columns} x {height + 1}"
                rows.append(publish_row("table", what, result))
            if bench.versions < 2:
                continue
            rows.append(page_row("table", "version page", bench.get(f"/documents/{SLUG}/v/2")))
            url = f"/documents/{SLUG}/compare/1...2"
            rows.append(page_row("table", "compare page", bench.get(url)))
            rows.append(page_row("table", "Word export", bench.get(f"{url}/export.docx")))
    return rows


def case_dense(_: random.Random, __: Writer, args: argparse.Namespace) -> list[Row]:
    writer = Writer(random.Random(args.seed))
    paragraphs = [writer.words(150) for _ in range(args.dense)]
    old, new = (
        "".join(
            f"## Onderdeel {index + 1}\n\n{' '.join(words[::step])}\n\n"
            for index, words in enumerate(paragraphs)
        )
        for step in (1, -1)
    )
    rows = []
    with site(args.max_sections) as bench:
        note = f"{len(old.encode()) / 1024:.0f} KB"
        rows.append(Row("dense", f"publish v1, {args.dense} sections", bench.publish(old)[0], note))
        rows.append(
            publish_row("dense", "publish v2 (every paragraph reversed)", bench.publish(new))
        )
        rows.append(Row("dense", "compare proper (align_and_diff)", bench.compare()))
        rows.append(
            page_row("dense", "compare page", bench.get(f"/documents/{SLUG}/compare/1...2"))
        )
    return rows


RUNNERS: dict[str, Callable[[random.Random, Writer, argparse.Namespace], list[Row]]] = {
    "section": case_section,
    "export": case_export,
    "headings": case_headings,
    "rename": case_rename,
    "table": case_table,
    "dense": case_dense,
}


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES)
    )
    parser.add_argument(
        "--export-sizes", default="2000", help="sections of the export case, comma-separated"
    )
    parser.add_argument("--headings", type=int, default=50_000, help="identical headings")
    parser.add_argument("--columns", type=int, default=1000, help="columns of the table case")
    parser.add_argument("--dense", type=int, default=2000, help="sections of the dense case")
    parser.add_argument("--max-sections", type=int, help="raise the section limit to this")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    args.cases = [case for case in args.cases.split(",") if case]
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    args.export_sizes = [int(size) for size in args.export_sizes.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"ReviewHub bounds benchmark: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, seed {args.seed}\n"
    )
    rows: list[Row] = []
    for case in args.cases:
        rng = random.Random(args.seed)
        for row in RUNNERS[case](rng, Writer(rng), args):
            print(f"{row.case:9} {row.what:42} {row.ms:10.0f} ms  {row.note}", flush=True)
            rows.append(row)
    if args.json:
        data = {
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": sys.version},
            "seed": args.seed,
            "rows": [asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
