"""Re-anchoring passage quotes in a new version of a section: how often ``reanchor`` finds the
passage where it truly lies now, or declares it orphaned when it is gone, and how fast.

The data has a known truth. Source texts are real section texts: the plain text
(``ParsedSection.text``, what anchors measure against) of every section of the sample
documents in documents/, and of the 300-section benchmark document that bench_publish.py
generates (``make_versions``); each case draws from either half with equal chance. A case cuts a
quote at word boundaries (2 to 60 words, at most MAX_QUOTE_LENGTH characters) and anchors it as
the browser does (``anchor_at``: 32 characters of prefix and suffix, the start), then edits the
text in one controlled way, its *kind*:

* context: words right before and after the intact passage replaced, inserted or deleted, and
  sometimes a sentence inserted before it: it must be found at its new place;
* inside: 1 or 2 words of a quote of at least 6 words replaced or deleted (the first and last
  too) or inserted (between two of its words: one added at an edge may belong to either side):
  it must be found (FUZZY) at the edited passage;
* moved: the passage (half the time one or two whole sentences) cut out and inserted again at
  another sentence boundary of the section;
* duplicate: the same phrase added elsewhere, in a sentence of its own: the original
  occurrence must win;
* deleted: the passage (or the whole sentences holding it) deleted, half the time with a word
  near the cut changed too: it must come out ORPHAN; any anchor is a wrong anchor.

New words come from bench_publish.py's vocabulary; the random streams are fixed per kind
(``--seed``), so a kind's cases do not change with the number of cases of another.

Found spans are compared with the true one by their overlap: the characters in both divided by
the characters in either (intersection over union of the two ranges); at least OVERLAP_NEEDED
(0.8) counts as correct, less as a wrong anchor. For all kinds but duplicate, the quote occurs
exactly once in the original text: a quote also found elsewhere there says nothing about where
the passage went. For duplicate, quotes may occur more than once, but quote and context together
only once (else even the unchanged text is ambiguous). A deletion that leaves the quote in the
text verbatim (the words around the cut may spell it again) is drawn again. A second table runs
the same kinds on one text of about 100 KB (the benchmark document's sections joined) with quotes
of about 2,000 characters: the bound on the work.

The target is at least 99% correct for every kind. The script prints PASS or FAIL for it but
always exits 0: it is a report, not a test (tests/text/test_reanchor.py runs it small).

Run it from the project root::

    .venv/bin/python bench/bench_anchoring.py [--cases 1000] [--large 40] [--seed 2026] [--show 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_publish import DEFAULT_SEED, VOCABULARY, WEIGHTS, make_versions

from reviewhub.text.anchoring import (
    MAX_QUOTE_LENGTH,
    Anchor,
    AnchorFound,
    Reanchored,
    anchor_at,
    reanchor,
)
from reviewhub.text.sections import parse_document

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"
KINDS = ("context", "inside", "moved", "duplicate", "deleted")
OVERLAP_NEEDED = 0.8
TARGET = 0.99
MIN_TEXT = 200  # characters: shorter sections leave no room to move or copy a passage
LARGE_TEXT = 100_000
_SENTENCE_END = re.compile(r"[.!?:;]$")

Words = list[str]


# ---------------------------------------------------------------------------------------------
# Source texts.


@cache
def sample_texts() -> tuple[str, ...]:
    """Section texts of every version of the sample documents, each distinct text once."""
    texts = {
        section.text
        for path in sorted(DOCUMENTS.glob("*/v*.md"))
        for section in parse_document(path.read_text(encoding="utf-8")).sections
    }
    return tuple(sorted(text for text in texts if len(text) >= MIN_TEXT))


@cache
def generated_texts(seed: int) -> tuple[str, ...]:
    """Section texts of bench_publish.py's benchmark document (first version)."""
    versions, _ = make_versions(1, seed)
    sections = parse_document(versions[0].render()).sections
    return tuple(section.text for section in sections if len(section.text) >= MIN_TEXT)


# ---------------------------------------------------------------------------------------------
# Cases: a text as words (plain text has single spaces), cut into before, passage and after.


@dataclass(frozen=True)
class Case:
    kind: str
    old_text: str
    anchor: Anchor
    new_text: str
    truth: tuple[int, int] | None  # None: the passage is gone


def join(*parts: Words) -> str:
    return " ".join(word for part in parts for word in part)


def span_after(before: Words, passage: Words) -> tuple[int, int]:
    """Characters of ``passage`` in join(before, passage, ...)."""
    start = len(join(before)) + (1 if before else 0)
    return start, start + len(join(passage))


def fresh_words(rng: Random, count: int) -> Words:
    return rng.choices(VOCABULARY, WEIGHTS, k=count)


def sentence_starts(words: Words) -> list[int]:
    """Word positions where a sentence starts, and the end."""
    inner = [i for i in range(1, len(words)) if _SENTENCE_END.search(words[i - 1])]
    return [0, *inner, len(words)]


class Cutter:
    """Picks the quote of a case: a run of words, or one or two whole sentences."""

    def __init__(self, rng: Random, text: str) -> None:
        self.rng, self.text, self.words = rng, text, text.split(" ")

    def run(self, shortest: int, longest: int) -> tuple[int, int]:
        drawn = self.rng.randint(*self.rng.choice([(2, 4), (5, 15), (16, 60)]))
        count = max(shortest, min(longest, drawn, len(self.words)))
        first = self.rng.randrange(len(self.words) - count + 1)
        return first, first + count

    def sentences(self) -> tuple[int, int]:
        starts = sentence_starts(self.words)
        if len(starts) < 3:
            return self.run(2, 60)
        first = self.rng.randrange(len(starts) - 1)
        last = min(len(starts) - 1, first + self.rng.choice([1, 1, 2]))
        return starts[first], starts[last]

    def anchor(self, first: int, last: int) -> Anchor:
        start, end = span_after(self.words[:first], self.words[first:last])
        return anchor_at(self.text, start, end)


def unique(text: str, part: str) -> bool:
    first = text.find(part)
    return first != -1 and text.find(part, first + 1) == -1


def edit_near(rng: Random, words: Words, at: int) -> None:
    """Replace, insert or delete a word at ``at`` (a position in ``words``), in place."""
    action = rng.choice(["replace", "insert", "delete"] if len(words) > 1 else ["insert"])
    at = min(at, len(words) - (0 if action == "insert" else 1))
    if action == "replace":
        words[at] = rng.choice([w for w in fresh_words(rng, 3) if w != words[at]] or ["nieuw"])
    elif action == "insert":
        words[at:at] = fresh_words(rng, rng.randint(1, 2))
    else:
        del words[at]


def context_case(rng: Random, cut: Cutter) -> Case | None:
    first, last = cut.run(2, 60)
    before, passage, after = cut.words[:first], cut.words[first:last], cut.words[last:]
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5 and before:
            edit_near(rng, before, len(before) - rng.randint(1, min(4, len(before))))
        elif after:
            edit_near(rng, after, rng.randrange(min(4, len(after))))
    if rng.random() < 0.3:  # a new sentence somewhere before: the passage shifts
        at = rng.choice(sentence_starts(before))
        before[at:at] = [*fresh_words(rng, rng.randint(5, 15)), "ingevoegd."]
    return make_case("context", cut, (first, last), *placed(before, passage, after))


def inside_case(rng: Random, cut: Cutter) -> Case | None:
    first, last = cut.run(6, 60)
    if last - first < 6:
        return None
    before, passage, after = cut.words[:first], cut.words[first:last], cut.words[last:]
    for _ in range(rng.randint(1, 2)):
        action = rng.choice(["replace", "insert", "delete"])
        if action == "replace":
            at = rng.randrange(len(passage))
            passage[at] = rng.choice([w for w in fresh_words(rng, 3) if w != passage[at]] or ["x"])
        elif action == "insert":  # inside: a word added at an edge may belong to either side
            at = rng.randint(1, len(passage) - 1)
            passage[at:at] = fresh_words(rng, 1)
        elif len(passage) > 5:
            del passage[rng.randrange(len(passage))]
    if passage == cut.words[first:last]:
        return None
    return make_case("inside", cut, (first, last), *placed(before, passage, after))


def moved_case(rng: Random, cut: Cutter) -> Case | None:
    first, last = cut.sentences() if rng.random() < 0.5 else cut.run(2, 60)
    passage, rest = cut.words[first:last], cut.words[:first] + cut.words[last:]
    places = [at for at in sentence_starts(rest) if abs(at - first) >= 3]
    if not places:
        return None
    at = rng.choice(places)
    return make_case("moved", cut, (first, last), *placed(rest[:at], passage, rest[at:]))


def duplicate_case(rng: Random, cut: Cutter) -> Case | None:
    first, last = cut.run(2, 60)
    before, passage, after = cut.words[:first], cut.words[first:last], cut.words[last:]
    copy = [*fresh_words(rng, rng.randint(2, 5)), *passage, *fresh_words(rng, rng.randint(2, 5))]
    copy[0], copy[-1] = copy[0].capitalize(), copy[-1] + "."
    # Not right before or after the passage: that would change its own context.
    side = before if before and rng.random() < 0.5 else after
    places = sentence_starts(side)[:-1] if side is before else sentence_starts(side)[1:]
    if not places:
        return None
    at = rng.choice(places)
    side[at:at] = copy
    anchor = cut.anchor(first, last)
    if not unique(cut.text, anchor.prefix + anchor.exact + anchor.suffix):
        return None
    new_words, truth = placed(before, passage, after)
    return make_case("duplicate", cut, (first, last), new_words, truth, need_unique=False)


def deleted_case(rng: Random, cut: Cutter) -> Case | None:
    first, last = cut.run(2, 60)
    gone_first, gone_last = first, last
    if rng.random() < 0.5:  # the whole sentences holding it
        starts = sentence_starts(cut.words)
        gone_first = max(s for s in starts if s <= first)
        gone_last = min(s for s in starts if s >= last)
    rest = cut.words[:gone_first] + cut.words[gone_last:]
    if rest and rng.random() < 0.5:
        edit_near(rng, rest, max(0, min(len(rest) - 1, gone_first + rng.randint(-4, 3))))
    return make_case("deleted", cut, (first, last), rest, None)


def placed(before: Words, passage: Words, after: Words) -> tuple[Words, tuple[int, int]]:
    """The new text's words, and the passage's characters in it."""
    return [*before, *passage, *after], span_after(before, passage)


def make_case(
    kind: str,
    cut: Cutter,
    quote: tuple[int, int],
    new_words: Words,
    truth: tuple[int, int] | None,
    need_unique: bool = True,
) -> Case | None:
    """The case, or None if degenerate: a quote too long, or not unique where it must be, or a
    deleted quote that the text still holds verbatim."""
    anchor = cut.anchor(*quote)
    if len(anchor.exact) > MAX_QUOTE_LENGTH or (need_unique and not unique(cut.text, anchor.exact)):
        return None
    new_text = join(new_words)
    if truth is None and anchor.exact in new_text:
        return None
    return Case(kind, cut.text, anchor, new_text, truth)


MAKERS: dict[str, Callable[[Random, Cutter], Case | None]] = {
    "context": context_case,
    "inside": inside_case,
    "moved": moved_case,
    "duplicate": duplicate_case,
    "deleted": deleted_case,
}


def make_cases(kind: str, count: int, seed: int, texts: list[tuple[str, ...]]) -> list[Case]:
    """``count`` cases of a kind, each from a text drawn from one of ``texts`` (groups drawn
    with equal chance). Each kind has a random stream of its own."""
    rng = Random(f"{seed}:{kind}")
    cases: list[Case] = []
    for _ in range(50 * count):
        if len(cases) == count:
            break
        text = rng.choice(rng.choice(texts))
        case = MAKERS[kind](rng, Cutter(rng, text))
        if case is not None:
            cases.append(case)
    return cases


def large_text(seed: int) -> str:
    """About LARGE_TEXT characters: the benchmark document's sections joined, cut after a
    sentence."""
    joined = " ".join(generated_texts(seed))[:LARGE_TEXT]
    return joined[: joined.rindex(". ") + 1]


class LongCutter(Cutter):
    """Quotes of about MAX_QUOTE_LENGTH characters."""

    def run(self, shortest: int, longest: int) -> tuple[int, int]:
        first = self.rng.randrange(len(self.words) // 2)
        last = first
        while len(" ".join(self.words[first : last + 1])) <= MAX_QUOTE_LENGTH - 20:
            last += 1
        return first, last

    def sentences(self) -> tuple[int, int]:
        return self.run(0, 0)


def make_large_cases(kind: str, count: int, seed: int, text: str) -> list[Case]:
    rng = Random(f"{seed}:large:{kind}")
    cases: list[Case] = []
    for _ in range(50 * count):
        if len(cases) == count:
            break
        case = MAKERS[kind](rng, LongCutter(rng, text))
        if case is not None:
            cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------------
# Running and scoring.


def overlap(found: tuple[int, int], truth: tuple[int, int]) -> float:
    """Characters in both ranges / characters in either."""
    both = max(0, min(found[1], truth[1]) - max(found[0], truth[0]))
    either = max(found[1], truth[1]) - min(found[0], truth[0])
    return both / either if either else 1.0


@dataclass
class Outcome:
    case: Case
    result: Reanchored
    ms: float

    @property
    def orphan(self) -> bool:
        return self.result.found is AnchorFound.ORPHAN

    @property
    def correct(self) -> bool:
        if self.case.truth is None or self.orphan:
            return self.case.truth is None and self.orphan
        assert self.result.start is not None and self.result.end is not None
        return overlap((self.result.start, self.result.end), self.case.truth) >= OVERLAP_NEEDED

    @property
    def wrong_anchor(self) -> bool:
        return not self.orphan and not self.correct


def run_cases(cases: list[Case]) -> list[Outcome]:
    return [run_case(case) for case in cases]


def run_case(case: Case) -> Outcome:
    anchor = case.anchor
    began = time.perf_counter()
    result = reanchor(case.new_text, anchor.exact, anchor.prefix, anchor.suffix, anchor.start)
    return Outcome(case, result, (time.perf_counter() - began) * 1000)


@dataclass
class Row:
    kind: str
    outcomes: list[Outcome]

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes)

    def count(self, test: Callable[[Outcome], bool]) -> int:
        return sum(1 for o in self.outcomes if test(o))

    def line(self) -> str:
        times = [o.ms for o in self.outcomes]
        exact = self.count(lambda o: o.result.found is AnchorFound.EXACT)
        fuzzy = self.count(lambda o: o.result.found is AnchorFound.FUZZY)
        return (
            f"{self.kind:<10} {len(self.outcomes):>6} {100 * self.accuracy:>8.1f}% "
            f"{self.count(lambda o: o.wrong_anchor):>6} {self.count(lambda o: o.orphan):>7} "
            f"{exact:>6} {fuzzy:>6} {statistics.median(times):>8.2f} {max(times):>8.2f}"
        )


HEADER = (
    f"{'kind':<10} {'cases':>6} {'accuracy':>9} {'wrong':>6} {'orphans':>7} {'exact':>6} "
    f"{'fuzzy':>6} {'med ms':>8} {'max ms':>8}"
)


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}\n{HEADER}\n{'-' * len(HEADER)}")
    for row in rows:
        print(row.line())


def describe(outcome: Outcome) -> str:
    case, result = outcome.case, outcome.result
    truth = case.new_text[slice(*case.truth)] if case.truth else "(gone)"
    found = result.anchor.exact if result.anchor else "(orphan)"
    return (
        f"[{case.kind}] quote: {case.anchor.exact!r}\n    truth: {truth!r}\n"
        f"    found: {found!r} ({result.found.value}, similarity {result.similarity:.2f})"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1000, help="cases per kind")
    parser.add_argument("--large", type=int, default=40, help="cases per kind on the 100 KB text")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--show", type=int, default=5, help="failures to print per kind")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = [sample_texts(), generated_texts(args.seed)]
    print(
        f"ReviewHub re-anchoring benchmark: seed {args.seed}; {len(texts[0])} sample and "
        f"{len(texts[1])} generated section texts of at least {MIN_TEXT} characters"
    )
    rows = [Row(k, run_cases(make_cases(k, args.cases, args.seed, texts))) for k in KINDS]
    print_table("Section texts, quotes of 2 to 60 words:", rows)
    large: list[Row] = []
    if args.large:
        big = large_text(args.seed)
        large = [Row(k, run_cases(make_large_cases(k, args.large, args.seed, big))) for k in KINDS]
        print_table(f"One text of {len(big) // 1000} KB, quotes of about 2,000 characters:", large)
    worst = min(rows + large, key=lambda row: row.accuracy)
    passed = worst.accuracy >= TARGET
    print(
        f"\nTarget: at least {100 * TARGET:.0f}% correct for every kind: "
        f"{'PASS' if passed else 'FAIL'} (worst: {worst.kind}, {100 * worst.accuracy:.1f}%)"
    )
    for row in rows + large:
        for outcome in [o for o in row.outcomes if not o.correct][: args.show]:
            print(describe(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
