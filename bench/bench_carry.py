"""Benchmark: what carrying reactions forward adds to a publication.

Version 1 of the generated benchmark document (bench_publish.py: about 320 sections) is
published on a fresh SQLite file, open for feedback, and given ``--reactions`` top-level
reactions in bulk, three quarters of them on a passage (a run of 3 to 12 words of the
section's text), a third of those suggestions with proposed wording (the passage with a
clause added), whose incorporation hints carrying works out. Version 2 (the generator's
next version: sections edited, moved, split, removed) is then published twice, each time in
a transaction that is rolled back: once with carrying as the app does it, once with
carrying switched off. The difference is what
carrying costs; the states of the carried reactions are counted. Target (issue 12): 20,000
reactions carried add less than 10 s. It always exits 0: a report, not a test.

    .venv/bin/python bench/bench_carry.py --reactions 20000
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import DEFAULT_SEED, make_app, make_versions, timed

from reviewhub import publishing
from reviewhub.extensions import db
from reviewhub.feedback import carrying
from reviewhub.models import (
    CarriedReaction,
    Comment,
    CommentKind,
    Document,
    Section,
    User,
    VersionStatus,
)
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import ensure_demo_accounts

PASSAGE_SHARE = 0.75
SUGGESTION_SHARE = 1 / 3  # of the reactions on a passage
CLAUSE = "in overleg met het gezin"
_WORDS = re.compile(r"\S+")
OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}


def reaction_rows(sections: list[Section], count: int, author_id: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        section = rng.choice(sections)
        row = {"section_id": section.id, "version_id": section.version_id,
               "author_id": author_id, "kind": CommentKind.QUESTION, "body": f"Reactie {n}",
               "body_html": f"<p>Reactie {n}</p>", "client_token": f"carry-{n}",
               "created_at": datetime(2026, 12, 1, tzinfo=UTC)}  # fmt: skip
        words = [(m.start(), m.end()) for m in _WORDS.finditer(section.text)]
        if len(words) >= 3 and rng.random() < PASSAGE_SHARE:
            size = rng.randint(3, min(12, len(words)))
            first = rng.randrange(len(words) - size + 1)
            start, end = words[first][0], words[first + size - 1][1]
            row.update(quote_exact=section.text[start:end], quote_start=start, quote_end=end,
                       quote_prefix="", quote_suffix="")  # fmt: skip
            if rng.random() < SUGGESTION_SHARE:
                row.update(kind=CommentKind.SUGGESTION,
                           proposed_text=f"{section.text[start:end]} {CLAUSE}")  # fmt: skip
        rows.append(row)
    return rows


def publish_second(app: Flask, document_id: int, source: str, carry: bool) -> tuple[float, int]:
    """Publish ``source`` as the next version and roll it back: ms taken, reactions carried."""
    with app.app_context():
        session = db.session
        document = session.get(Document, document_id)
        original = carrying.carry_forward
        if not carry:
            publishing.carry_forward = lambda *_args: 0  # type: ignore[assignment]
        try:
            meta = VersionMeta(label="Dialoogversie 2", **OPEN)  # type: ignore[arg-type]
            ms, version = timed(lambda: publish_version(session, document, source, meta))
            carried = session.scalar(
                select(func.count()).where(CarriedReaction.version_id == version.id)
            )
            states = Counter(session.scalars(
                select(CarriedReaction.state).where(CarriedReaction.version_id == version.id)
            ))  # fmt: skip
            hints = Counter(session.scalars(
                select(CarriedReaction.hint).where(CarriedReaction.version_id == version.id,
                                                   CarriedReaction.hint.is_not(None))
            ))  # fmt: skip
            if carry:
                print("states:", ", ".join(f"{s.value} {n:,}" for s, n in sorted(states.items())))
                print("hints:", ", ".join(f"{h.value} {n:,}" for h, n in sorted(hints.items())))
        finally:
            publishing.carry_forward = original
            session.rollback()
            session.remove()
    return ms, carried or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reactions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    frameworks, _logs = make_versions(2, args.seed)
    first, second = (framework.render() for framework in frameworks)
    with tempfile.TemporaryDirectory() as directory:
        app = make_app(directory)
        with app.app_context():
            upgrade()
            session = db.session
            ensure_demo_accounts(session)
            document = get_or_create_document(session, "carry-bench", "Benchmark")
            v1 = publish_version(session, document, first, VersionMeta(label="Dialoogversie 1",
                                                                       **OPEN))  # type: ignore[arg-type]  # fmt: skip
            sections = list(session.scalars(select(Section).where(Section.version_id == v1.id)))
            author_id = session.scalar(select(User.id).limit(1))
            session.execute(insert(Comment), reaction_rows(sections, args.reactions,
                                                           author_id, args.seed))  # fmt: skip
            session.commit()
            document_id, count = document.id, len(sections)
            db.session.remove()
        print(f"Version 1: {count} sections, {args.reactions:,} reactions "
              f"({PASSAGE_SHARE:.0%} on a passage); seed {args.seed}")  # fmt: skip
        with_ms, carried = publish_second(app, document_id, second, carry=True)
        without_ms, _none = publish_second(app, document_id, second, carry=False)
        print(f"publish version 2 with carrying:    {with_ms / 1000:6.2f} s ({carried:,} carried)")
        print(f"publish version 2 without carrying: {without_ms / 1000:6.2f} s")
        added = (with_ms - without_ms) / 1000
        verdict = "PASS" if added < 10 else "FAIL"
        print(f"carrying adds {added:.2f} s; target under 10 s: {verdict}")
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
