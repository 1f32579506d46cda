"""Benchmark: exporting a large round's feedback in every format.

Version 1 of the generated benchmark document (bench_publish.py: about 320 sections) is
published on a fresh SQLite file and given ``--reactions`` top-level reactions in bulk (as
bench_carry.py makes them: three quarters on a passage, a third of those suggestions; here
also a group, a decision with a motivation for two in three, and an objection now and then).
Each format is then exported as the download does it (exports.formats.make_export, every
chunk consumed), in a fresh process of its own, so that its peak memory is its own: wall
time, and the peak resident size of the process (ru_maxrss) against its size before the
export. Targets (issue 13): 20,000 reactions to CSV in under 1 s, XLSX under 5 s, DOCX
under 10 s, each within about 300 MB. It always exits 0: a report, not a test.

    .venv/bin/python bench/bench_exports.py --reactions 20000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_carry import OPEN, reaction_rows
from bench_publish import DEFAULT_SEED, make_app, make_versions

from reviewhub.exports.formats import FORMATS, make_export
from reviewhub.exports.rows import ExportRequest
from reviewhub.extensions import db
from reviewhub.models import Comment, Disposition, Document, Group, GroupKind, Section, User
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import ensure_demo_accounts

TARGETS = {"csv": 1.0, "xlsx": 5.0, "docx": 10.0}
MEMORY_TARGET_MB = 300
DECISIONS = [Disposition.ACCEPTED, Disposition.PARTLY_ACCEPTED, Disposition.NOT_ACCEPTED,
             Disposition.NOTED, Disposition.ANSWERED]  # fmt: skip


def build(directory: str, reactions: int, seed: int) -> None:
    """The benchmark database in ``directory``."""
    frameworks, _logs = make_versions(1, seed)
    app = make_app(directory)
    with app.app_context():
        upgrade()
        session = db.session
        ensure_demo_accounts(session)
        document = get_or_create_document(session, "export-bench", "Benchmark")
        meta = VersionMeta(label="Dialoogversie 1", **OPEN)  # type: ignore[arg-type]
        version = publish_version(session, document, frameworks[0].render(), meta)
        groups = [Group(name=f"Regio {n}", kind=GroupKind.REGION) for n in range(25)]
        session.add_all(groups)
        session.flush()
        sections = list(session.scalars(select(Section).where(Section.version_id == version.id)))
        author_id = session.scalar(select(User.id).limit(1))
        rows = reaction_rows(sections, reactions, author_id, seed)
        rng = random.Random(seed)
        for n, row in enumerate(rows, 1):
            row.update(group_id=rng.choice(groups).id, reference=f"EB-1-{n:05d}")
            if rng.random() < 2 / 3:
                row.update(disposition=rng.choice(DECISIONS), decided_by_id=author_id,
                           decided_at=datetime(2026, 12, 1, tzinfo=UTC),
                           motivation="Besproken in de reviewgroep; zie de toelichting bij "
                                      "deze paragraaf in de volgende versie.")  # fmt: skip
        session.execute(insert(Comment), rows)
        session.execute(update(Comment).values(body=Comment.body + ": " + LONG_TEXT))
        session.commit()
        db.engine.dispose()


LONG_TEXT = (
    "Wij vragen de schrijfgroep deze passage concreter te maken, met een voorbeeld uit de "
    "praktijk van een lokaal team en de rol van het netwerk van het gezin."
)


def export_once(directory: str, fmt: str) -> dict[str, float]:
    """Run in a child process: one export, timed, with its memory."""
    app = make_app(directory)
    with app.app_context(), app.test_request_context():
        session = db.session
        document = session.scalars(select(Document).where(Document.slug == "export-bench")).one()
        version = document.versions[0]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        export = make_export(session, ExportRequest(document, version, None), fmt, date.today())
        size = sum(len(chunk) for chunk in export.chunks)
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "bytes": size, "rss_before_mb": before / 1024,
            "rss_peak_mb": peak / 1024}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reactions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=2, metavar=("DIRECTORY", "FORMAT"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(export_once(*args.child)))
        return 0
    with tempfile.TemporaryDirectory() as directory:
        began = time.perf_counter()
        build(directory, args.reactions, args.seed)
        print(f"{args.reactions:,} reactions on about 320 sections, built in "
              f"{time.perf_counter() - began:.1f} s; seed {args.seed}")  # fmt: skip
        print(f"{'format':<14} {'seconds':>8} {'size':>10} {'memory':>9}  target")
        for fmt in args.formats.split(","):
            child = subprocess.run(
                [sys.executable, __file__, "--child", directory, fmt],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            found = json.loads(child.stdout.strip().splitlines()[-1])
            grown = found["rss_peak_mb"] - found["rss_before_mb"]
            target = TARGETS.get(fmt)
            verdict = ""
            if target is not None:
                ok = found["seconds"] < target and found["rss_peak_mb"] < MEMORY_TARGET_MB
                verdict = f"under {target:.0f} s, {MEMORY_TARGET_MB} MB: {'PASS' if ok else 'FAIL'}"
            print(f"{fmt:<14} {found['seconds']:8.2f} {found['bytes'] / 1e6:8.1f} MB "
                  f"{found['rss_peak_mb']:6.0f} MB  {verdict}  (+{grown:.0f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
