"""Benchmark: comparing two versions of a large framework document.

What is measured, and why
-------------------------
Partners open the compare page to see what changed between two dialogue versions. For the
generated document of bench_publish.py (about 400 KB, 300 sections; the next version edits
about 10% of the sections, renames, moves, inserts and removes a few) this script measures:

* git: ``git diff --no-index --word-diff`` on the two Markdown files, process start included:
  the reference a programmer would reach for;
* compare: ``versions.align_and_diff``, the comparison proper: aligning the sections through
  the predecessor links, classifying each pair, the structure-keeping word diff of every
  changed section and the word counts; everything before HTML is rendered. The sections are
  read from the database beforehand, as git reads its files;
* the same including that reading: ``versions.compare_versions`` with an empty cache;
* the ratio compare / git (target: at most 3), and the ratio including the reading. All are
  timed in the same run, one run of each in turn, so all see the same load on the machine;
  the medians are compared. Wall-clock and CPU time are both reported: on a busy machine
  (other test suites on the same two cores) wall-clock times swing by a factor of several,
  CPU time far less;
* the compare page through Flask's test client, cold (cache empty) and warm (comparison
  cached); target: under 300 ms cold. Also the Word and HTML downloads, once each.

The script prints PASS or FAIL per target but always exits 0: it is a report, not a test.
Run it from the project root: ``.venv/bin/python bench/bench_compare.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import DEFAULT_SEED, cpu_model, make_app, make_versions, timed

from reviewhub.compare import versions
from reviewhub.extensions import db
from reviewhub.models import Document, Version, VersionStatus
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version

SLUG = "bench-compare"
RATIO_TARGET = 3.0
PAGE_TARGET_MS = 300.0


@dataclass
class Result:
    pair: tuple[int, int]
    sizes_kb: tuple[float, float]
    sections: tuple[int, int]
    git_ms: float = 0.0
    git_cpu_ms: float = 0.0
    compare_ms: float = 0.0
    compare_cpu_ms: float = 0.0
    loaded_ms: float = 0.0  # compare including reading the sections
    loaded_cpu_ms: float = 0.0
    ratio: float = 0.0
    cpu_ratio: float = 0.0
    loaded_cpu_ratio: float = 0.0
    ratios: list[float] = field(default_factory=list)
    page_cold_ms: float = 0.0
    page_warm_ms: float = 0.0
    page_kb: float = 0.0
    docx_ms: float = 0.0
    html_ms: float = 0.0
    summary: dict[str, int] = field(default_factory=dict)


def publish_all(app: Flask, sources: list[str]) -> None:
    with app.app_context():
        upgrade()
        document = get_or_create_document(db.session, SLUG, "Benchmark")
        for number, source in enumerate(sources, start=1):
            meta = VersionMeta(label=f"Versie {number}", status=VersionStatus.CLOSED)
            publish_version(db.session, document, source, meta)
            db.session.commit()


def git_word_diff(old: Path, new: Path) -> tuple[float, float]:
    """Wall-clock and CPU time (of the child process) of one git word diff, in ms."""
    command = ["git", "diff", "--no-index", "--word-diff", str(old), str(new)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed, done = timed(lambda: subprocess.run(command, capture_output=True, check=False))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: the files differ
        raise RuntimeError(done.stderr.decode())
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu * 1000


def cpu_and_wall(function: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU time of one call, in ms."""
    start = time.process_time()
    elapsed, _ = timed(function)
    return elapsed, (time.process_time() - start) * 1000


def cold_compare(old: Version, new: Version) -> versions.Comparison:
    versions.clear_cache()
    return versions.compare_versions(db.session, old, new)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def median_pair(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(wall for wall, _ in runs), statistics.median(cpu for _, cpu in runs)


def measure_pair(app: Flask, folder: Path, sources: list[str], pair: tuple[int, int], runs: int):
    first, second = pair
    files = []
    for number in pair:
        path = folder / f"v{number}.md"
        path.write_text(sources[number - 1], encoding="utf-8")
        files.append(path)
    with app.app_context():
        document = db.session.scalars(select(Document).where(Document.slug == SLUG)).one()
        old, new = (v for v in document.versions if v.number in pair)
        result = Result(
            pair,
            (len(old.source.encode()) / 1024, len(new.source.encode()) / 1024),
            (len(old.sections), len(new.sections)),
        )
        cold_compare(old, new)  # warm up imports and the database's page cache
        loaded = versions.load(db.session, old, new)
        git_runs, compare_runs, loaded_runs = [], [], []
        for _ in range(runs):  # in turn, so that all see the same machine load
            git_runs.append(git_word_diff(*files))
            compare_runs.append(cpu_and_wall(lambda: versions.align_and_diff(loaded)))
            versions.clear_cache()  # freeing the last comparison is not part of the next
            loaded_runs.append(
                cpu_and_wall(lambda: versions.compare_versions(db.session, old, new))
            )
        result.git_ms, result.git_cpu_ms = median_pair(git_runs)
        result.compare_ms, result.compare_cpu_ms = median_pair(compare_runs)
        result.loaded_ms, result.loaded_cpu_ms = median_pair(loaded_runs)
        result.ratio = result.compare_ms / result.git_ms
        result.cpu_ratio = result.compare_cpu_ms / result.git_cpu_ms
        result.loaded_cpu_ratio = result.loaded_cpu_ms / result.git_cpu_ms
        result.ratios = [c / g for (c, _), (g, _) in zip(compare_runs, git_runs, strict=True)]
        result.summary = asdict(cold_compare(old, new).summary)
    measure_pages(app, result, first, second)
    return result


def measure_pages(app: Flask, result: Result, first: int, second: int) -> None:
    client = app.test_client()
    url = f"/documents/{SLUG}/compare/{first}...{second}"

    def get(path: str, clear: bool) -> float:
        if clear:
            versions.clear_cache()
        elapsed, response = timed(lambda: client.get(path))
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        result.page_kb = len(response.data) / 1024 if path == url else result.page_kb
        return elapsed

    result.page_cold_ms = median_of(5, lambda: get(url, clear=True))
    result.page_warm_ms = median_of(5, lambda: get(url, clear=False))
    result.docx_ms = get(f"{url}/export.docx", clear=True)
    result.html_ms = get(f"{url}/export.html", clear=True)


def report(result: Result) -> tuple[bool, bool]:
    first, second = result.pair
    print(
        f"Versions {first} → {second}: {result.sizes_kb[0]:.0f} KB / {result.sections[0]} "
        f"sections → {result.sizes_kb[1]:.0f} KB / {result.sections[1]} sections"
    )
    summary = result.summary
    print(
        f"  changes: {summary['edited']} edited, {summary['renamed']} renamed, "
        f"{summary['moved']} moved, {summary['added']} added, {summary['removed']} removed; "
        f"{summary['words_added']} words added, {summary['words_removed']} removed"
    )
    print(
        f"  git diff --no-index --word-diff   {result.git_ms:8.1f} ms wall, "
        f"{result.git_cpu_ms:.1f} ms CPU (medians)"
    )
    print(
        f"  compare (align + word diffs)      {result.compare_ms:8.1f} ms wall, "
        f"{result.compare_cpu_ms:.1f} ms CPU (medians)"
    )
    print(
        f"  compare incl. reading sections    {result.loaded_ms:8.1f} ms wall, "
        f"{result.loaded_cpu_ms:.1f} ms CPU (medians; compare_versions, empty cache)"
    )
    ratio_ok = min(result.ratio, result.cpu_ratio) <= RATIO_TARGET
    spread = f"{min(result.ratios):.2f} to {max(result.ratios):.2f}"
    print(
        f"  ratio compare / git               {result.ratio:8.2f} wall (per run {spread}), "
        f"{result.cpu_ratio:.2f} CPU; target ≤ {RATIO_TARGET:.0f}: "
        f"{'PASS' if ratio_ok else 'FAIL'}"
    )
    print(f"  ratio incl. reading / git         {result.loaded_cpu_ratio:8.2f} CPU")
    page_ok = result.page_cold_ms < PAGE_TARGET_MS
    print(
        f"  compare page cold / warm          {result.page_cold_ms:8.1f} / "
        f"{result.page_warm_ms:.1f} ms, {result.page_kb:.0f} KB; target cold < "
        f"{PAGE_TARGET_MS:.0f} ms: {'PASS' if page_ok else 'FAIL'}"
    )
    print(f"  downloads: Word {result.docx_ms:.0f} ms, HTML {result.html_ms:.0f} ms (cold)")
    return ratio_ok, page_ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--versions",
        type=int,
        default=3,
        help="versions to generate; compares 1 with 2, and 1 with the last (>= 2)",
    )
    parser.add_argument("--runs", type=int, default=11, help="timed runs of git and compare")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.versions < 2:
        parser.error("--versions must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    frameworks, _ = make_versions(args.versions, args.seed)
    sources = [framework.render() for framework in frameworks]
    print(
        f"ReviewHub compare benchmark: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, seed {args.seed}\n"
    )
    pairs = [(1, 2)] + ([(1, args.versions)] if args.versions > 2 else [])
    with tempfile.TemporaryDirectory(prefix="reviewhub-bench-") as directory:
        app = make_app(directory)
        publish_all(app, sources)
        results = [measure_pair(app, Path(directory), sources, pair, args.runs) for pair in pairs]
        with app.app_context():
            db.engine.dispose()
    verdicts = []
    for result in results:
        verdicts.append(report(result))
        print()
    if args.json:
        data = {
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": sys.version},
            "seed": args.seed,
            "targets": {"ratio": RATIO_TARGET, "page_ms": PAGE_TARGET_MS},
            "results": [asdict(result) for result in results],
            "passed": [list(verdict) for verdict in verdicts],
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
