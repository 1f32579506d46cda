"""Passage anchors: a W3C-style TextQuoteSelector (exact, prefix, suffix) with a
TextPositionSelector (start, end), both measured against a section's plain text.

The browser makes an anchor from a selection (static/js/anchoring.js); the server checks it
here. Both read tests/data/anchoring_cases.json, so the two implementations agree.

When a new version is published, ``reanchor`` finds each passage again in the new text of its
section: exactly, or changed a little (FUZZY), or not at all (ORPHAN). It needs no application:
no message is made on its way. bench/bench_anchoring.py measures it against a known truth.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from diff_match_patch import diff_match_patch
from flask_babel import lazy_gettext

from .words import DELETE, EQUAL, INSERT

CONTEXT_LENGTH = 32
MAX_QUOTE_LENGTH = 2000


class AnchorError(ValueError):
    """The passage cannot be anchored; ``str()`` says why."""


@dataclass(frozen=True)
class Anchor:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def normalise_quote(quote: str) -> str:
    """Whitespace folded as in a section's plain text, so a pasted passage still matches."""
    return " ".join(quote.split())


def anchor_at(text: str, start: int, end: int) -> Anchor:
    if not 0 <= start < end <= len(text):
        raise AnchorError(lazy_gettext("The selected passage lies outside this section."))
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def locate(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
) -> Anchor:
    """Find the passage ``exact`` in ``text``. Where it occurs more than once, the occurrence
    whose surroundings best match ``prefix`` and ``suffix`` wins, then the one nearest to
    ``start``. Raise AnchorError when it does not occur at all."""
    exact = normalise_quote(exact)
    if not exact:
        raise AnchorError(lazy_gettext("Choose the passage you react to."))
    if len(exact) > MAX_QUOTE_LENGTH:
        raise AnchorError(
            lazy_gettext("A passage may be at most %(count)d characters.", count=MAX_QUOTE_LENGTH)
        )
    occurrences = _occurrences(text, exact)
    if not occurrences:
        raise AnchorError(
            lazy_gettext("The passage does not occur in this section. Copy the words exactly.")
        )
    best = _best_occurrence(text, occurrences, len(exact), prefix, suffix, start)
    return anchor_at(text, best, best + len(exact))


def _occurrences(text: str, exact: str, limit: int | None = None) -> list[int]:
    """Where ``exact`` (not empty) starts in ``text``: the first ``limit`` places, or all."""
    found: list[int] = []
    at = text.find(exact)
    while at != -1 and (limit is None or len(found) < limit):
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _context_score(text: str, at: int, length: int, prefix: str, suffix: str) -> int:
    """How many characters of the given prefix and suffix agree with the text around ``at``."""
    before = text[max(0, at - len(prefix)) : at]
    after = text[at + length : at + length + len(suffix)]
    agree_before = next(
        (i for i in range(min(len(before), len(prefix))) if before[-1 - i] != prefix[-1 - i]),
        min(len(before), len(prefix)),
    )
    agree_after = next(
        (i for i in range(min(len(after), len(suffix))) if after[i] != suffix[i]),
        min(len(after), len(suffix)),
    )
    return agree_before + agree_after


# --- Re-anchoring: finding a passage again in a new version of its section ------------------


class AnchorFound(Enum):
    EXACT = "exact"  # the quote occurs as it was
    FUZZY = "fuzzy"  # words of the passage changed; found where it now lies
    ORPHAN = "orphan"  # not found: the passage was deleted or rewritten beyond recognition


@dataclass(frozen=True)
class Reanchored:
    """Where a passage lies in the new text. ``anchor`` is None for an orphan; for a fuzzy
    find its ``exact`` is the new wording, which may differ in length from the old quote."""

    found: AnchorFound
    anchor: Anchor | None = None
    similarity: float = 0.0  # of the new wording to the old: 1.0 when exact

    @property
    def start(self) -> int | None:
        return self.anchor.start if self.anchor else None

    @property
    def end(self) -> int | None:
        return self.anchor.end if self.anchor else None


ORPHANED = Reanchored(AnchorFound.ORPHAN)

# A changed passage is taken where its wording is at least FUZZY_ALONE similar to the old
# quote (2 x common characters / both lengths, by whole words) less CONTEXT_CREDIT x how far
# its surroundings agree with the old prefix and suffix (0 to 1), if that is at least
# CONTEXT_AGREES: 0.4 in an intact context, 0.6 with half of it. Elsewhere, as when it moved,
# it must be FUZZY_ALONE similar and MIN_WORDS_ALONE words long. A quote of fewer than
# MIN_WORDS_FUZZY words is only found exactly: changed, such a phrase resembles too many others
# ("Raad voor de" in "De Raad kan de"). Tuned on bench/bench_anchoring.py.
FUZZY_ALONE = 0.8
CONTEXT_CREDIT = 0.4
CONTEXT_AGREES = 0.5
MIN_WORDS_ALONE = 6
MIN_WORDS_FUZZY = 4
# New words at the edge of a changed passage (up to this many characters) belong to it when
# the old context follows right after them.
EDGE_GAP = 32
CONTEXT_KEY = 12  # characters of the prefix's end and the suffix's start sought as landmarks
# diff-match-patch's bitap compares at most 32 characters (its Match_MaxBits).
PATTERN_LENGTH = 32
MATCH_DISTANCE = 1000
MATCH_THRESHOLD = 0.4
MAX_CANDIDATES = 6  # places refined per way of finding them
MAX_LANDMARKS = 50  # occurrences of the prefix's end or the suffix's start considered
# Word pairs of the quote that vote for where it starts (per SEED_BUCKET characters), and how
# often one may occur and still vote: one on every line says nothing.
MAX_SEEDS = 40
MAX_SEED_HITS = 12
SEED_BUCKET = 64
# A long quote (this many word pairs or more) is only diffed against a stretch of text that
# holds at least this share of its word pairs.
PREFILTER_PAIRS = 12
PREFILTER_SHARE = 1 / 3
MAX_ROUNDS = 8  # of Dinkelbach's method in _most_similar_run; it takes three or four
# Wall-clock budget of one re-anchoring's word diffs: dissimilar windows cost diff-match-patch
# the most; past the budget it reports them coarsely, which only lowers their similarity.
REANCHOR_SECONDS = 0.05

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
_FIRST_CODE = 0xF0000  # private use: one character per distinct token in a token diff


def reanchor(
    new_text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
) -> Reanchored:
    """Find the passage quoted as ``exact`` (with its old ``prefix``, ``suffix`` and ``start``)
    in ``new_text``, a new version of its section's plain text. Exact occurrences come first,
    the one whose context agrees best winning as in ``locate``; else a changed version of the
    passage near its old context or position, or anywhere if long enough; else an orphan.
    An empty quote or text gives an orphan. Quotes longer than MAX_QUOTE_LENGTH are only
    sought exactly."""
    quote = normalise_quote(exact)
    if not quote or not new_text:
        return ORPHANED
    occurrences = _occurrences(new_text, quote)
    if occurrences:
        at = _best_occurrence(new_text, occurrences, len(quote), prefix, suffix, start)
        return _found(AnchorFound.EXACT, new_text, at, at + len(quote), 1.0)
    if len(quote) > MAX_QUOTE_LENGTH:
        return ORPHANED
    changed = _Search(new_text, quote, prefix, suffix, start).best()
    if changed is None:
        return ORPHANED
    return _found(AnchorFound.FUZZY, new_text, changed.start, changed.end, changed.similarity)


def _found(how: AnchorFound, text: str, start: int, end: int, similarity: float) -> Reanchored:
    return Reanchored(how, anchor_at(text, start, end), similarity)


def _occurrences_near(text: str, part: str, around: int) -> list[int]:
    """Up to MAX_LANDMARKS places of ``part`` (not empty) in ``text``, the nearest to
    ``around`` first: in a long text, those far from the old place are seldom the new one."""
    after: list[int] = []
    at = text.find(part, max(0, around))
    while at != -1 and len(after) < MAX_LANDMARKS:
        after.append(at)
        at = text.find(part, at + 1)
    before: list[int] = []
    at = text.rfind(part, 0, max(0, around) + len(part) - 1)
    while at != -1 and len(before) < MAX_LANDMARKS:
        before.append(at)
        at = text.rfind(part, 0, at + len(part) - 1)
    return sorted(after + before, key=lambda place: abs(place - around))[:MAX_LANDMARKS]


def _best_occurrence(
    text: str, occurrences: list[int], length: int, prefix: str, suffix: str, start: int | None
) -> int:
    """The occurrence whose surroundings agree best with prefix and suffix, then the nearest
    to the old start."""
    return max(
        occurrences,
        key=lambda at: (
            _context_score(text, at, length, prefix, suffix),
            -abs(at - start) if start is not None else 0,
        ),
    )


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    similarity: float  # of text[start:end] to the quote
    context: float  # agreement of its surroundings with the old prefix and suffix, 0 to 1


class _Search:
    """The approximate search for one quote in one text. Candidate places come three ways:
    where the old context now is, near the old position (diff-match-patch's bitap on the
    quote's head and tail), and where word pairs of the quote occur; each is refined by a word
    diff to the stretch of text most similar to the quote, then verified."""

    def __init__(self, text: str, quote: str, prefix: str, suffix: str, start: int | None):
        self.text, self.quote, self.prefix, self.suffix = text, quote, prefix, suffix
        self.start = start
        words = list(_WORD.finditer(quote))
        self.words = len(words)
        # Word pairs with their offsets in the quote, at most MAX_SEEDS spread over it.
        pairs = [(a.start(), quote[a.start() : b.end()]) for a, b in itertools.pairwise(words)]
        self.pairs = pairs[:: max(1, math.ceil(len(pairs) / MAX_SEEDS))]
        self.slack = 2 * EDGE_GAP + len(quote) // 20  # how far a candidate place may be off
        self.tried: list[int] = []
        self.deadline = time.time() + REANCHOR_SECONDS
        self.engine = diff_match_patch()
        self.engine.Match_Distance = MATCH_DISTANCE
        self.engine.Match_Threshold = MATCH_THRESHOLD

    def best(self) -> _Candidate | None:
        """The best verified candidate of the first way that yields one."""
        if self.words < MIN_WORDS_FUZZY:
            return None
        for places in (self._context_places, self._nearby_places, self._seed_places):
            found = self._best_of(places())
            if found:
                return found
        return None

    # Candidate places: where the quote may start.

    def _context_places(self) -> list[int]:
        """After the prefix's end and before the suffix's start; first where both are."""
        prefix_key, suffix_key = self.prefix[-CONTEXT_KEY:], self.suffix[:CONTEXT_KEY]
        expected = self.start or 0
        after_prefix = [0]  # with no prefix, the passage opened the section
        if prefix_key:
            found = _occurrences_near(self.text, prefix_key, expected - len(prefix_key))
            after_prefix = [at + len(prefix_key) for at in found]
        before_suffix = [len(self.text)]
        if suffix_key:
            before_suffix = _occurrences_near(self.text, suffix_key, expected + len(self.quote))
        longest = 2 * len(self.quote) + 2 * EDGE_GAP
        both = [p for p in after_prefix if any(0 <= s - p <= longest for s in before_suffix)]
        either = [*after_prefix, *(at - len(self.quote) for at in before_suffix)]
        return both + self._nearest_first(either)

    def _nearby_places(self) -> list[int]:
        """The old start, and where the quote's head and tail now best match near it."""
        if self.start is None:
            return []
        head, tail = self.quote[:PATTERN_LENGTH], self.quote[-PATTERN_LENGTH:]
        places = [self.start]
        head_at = self._bitap(head, self.start)
        if head_at != -1:
            places.append(head_at)
        tail_at = self._bitap(tail, self.start + len(self.quote) - len(tail))
        if tail_at != -1:
            places.append(tail_at + len(tail) - len(self.quote))
        return places

    def _bitap(self, pattern: str, loc: int) -> int:
        """diff-match-patch's match_main, on the part of the text it can reach from ``loc``
        (it allocates arrays as long as the text before it)."""
        reach = int(MATCH_DISTANCE * MATCH_THRESHOLD) + len(pattern)
        loc = max(0, min(loc, len(self.text)))
        low = max(0, loc - reach)
        found: int = self.engine.match_main(self.text[low : loc + reach], pattern, loc - low)
        return low + found if found != -1 else -1

    def _seed_places(self) -> list[int]:
        """Places where several of the quote's word pairs occur at their offset in it."""
        votes: Counter[int] = Counter()
        for offset, pair in self.pairs:
            hits = _occurrences(self.text, pair, MAX_SEED_HITS + 1)
            if len(hits) <= MAX_SEED_HITS:
                votes.update({(at - offset) // SEED_BUCKET for at in hits})
        needed = 1 if len(self.pairs) < 3 else 2
        return [bucket * SEED_BUCKET for bucket, n in votes.most_common(3) if n >= needed]

    def _nearest_first(self, places: list[int]) -> list[int]:
        if self.start is None:
            return places
        start = self.start
        return sorted(places, key=lambda at: abs(at - start))

    # Refining and verifying.

    def _best_of(self, places: list[int]) -> _Candidate | None:
        """The best credible candidate refined from the first MAX_CANDIDATES new places. A
        place less than a quote's length from a credible one is the same passage: skipped."""
        found: list[_Candidate] = []
        refined = 0
        for place in places:
            if refined == MAX_CANDIDATES:
                break
            if any(abs(place - c.start) < len(self.quote) for c in found):
                continue
            if self._is_new(place):
                refined += 1
                candidate = self._refine(place)
                if candidate and self._credible(candidate):
                    found.append(candidate)
        return max(found, key=self._rank, default=None)

    def _is_new(self, place: int) -> bool:
        """Not within half the slack of a place tried before, whose refining would find the
        same span; remembered as tried."""
        if any(abs(place - tried) <= self.slack // 2 for tried in self.tried):
            return False
        self.tried.append(place)
        return True

    def _credible(self, candidate: _Candidate) -> bool:
        """Similar enough, the more so the less its surroundings agree (see FUZZY_ALONE)."""
        if candidate.context >= CONTEXT_AGREES:
            needed = FUZZY_ALONE - CONTEXT_CREDIT * candidate.context
            return candidate.similarity >= needed
        return self.words >= MIN_WORDS_ALONE and candidate.similarity >= FUZZY_ALONE

    def _rank(self, candidate: _Candidate) -> tuple[float, int]:
        distance = abs(candidate.start - self.start) if self.start is not None else 0
        return candidate.similarity + candidate.context, -distance

    def _refine(self, place: int) -> _Candidate | None:
        """The span near ``place`` most similar to the quote, verified. The window is diffed
        against prefix + quote + suffix, so that where the context still stands it pins the
        quote's words to their own place rather than to the same words nearby."""
        prefix, suffix = self.prefix, self.suffix
        low = max(0, min(place, len(self.text)) - self.slack - len(prefix))
        high = min(len(self.text), max(place, 0) + len(self.quote) + self.slack + len(suffix))
        window = self.text[low:high]
        if not self._may_hold(window):
            return None
        diffs = self._token_diff(window, prefix + self.quote + suffix)
        quote_part = (len(prefix), len(prefix) + len(self.quote))
        core = _most_similar_run(list(_blocks(diffs, *quote_part)), len(self.quote))
        if core is None:
            return None
        start, end = _strip(self.text, *self._widen_to_context(low, core))
        if start >= end:
            return None
        similarity = self._likeness(self.quote, self.text[start:end])
        return _Candidate(start, end, similarity, self._context_agreement(start, end))

    def _may_hold(self, window: str) -> bool:
        """A cheap test before the word diff, which costs most where the two have least in
        common: a long quote keeps most of its word pairs through a few changed words."""
        if len(self.pairs) < PREFILTER_PAIRS:
            return True
        present = sum(pair in window for _, pair in self.pairs)
        return present >= PREFILTER_SHARE * len(self.pairs)

    def _widen_to_context(self, low: int, core: _Run) -> tuple[int, int]:
        """The span of ``core`` (a run in the window at ``low``), widened over changed words
        at its edges up to the old context, where that lies within EDGE_GAP characters plus
        the part of the quote the run leaves out at that edge: a replaced first or last word
        is still part of the passage."""
        start, end = _strip(self.text, low + core.start, low + core.end)  # context's spaces
        start = self._after_prefix(start, EDGE_GAP + core.quote_start)
        end = self._before_suffix(end, EDGE_GAP + len(self.quote) - core.quote_end)
        return start, end

    def _after_prefix(self, start: int, gap: int) -> int:
        key = self.prefix[-CONTEXT_KEY:]
        if not key:  # the passage opened the section
            return 0 if start <= gap else start
        at = self.text.rfind(key, max(0, start - gap - len(key)), start)
        return at + len(key) if at != -1 else start

    def _before_suffix(self, end: int, gap: int) -> int:
        key = self.suffix[:CONTEXT_KEY]
        if not key:  # the passage closed the section
            return len(self.text) if len(self.text) - end <= gap else end
        at = self.text.find(key, end, end + gap + len(key))
        return at if at != -1 else end

    def _context_agreement(self, start: int, end: int) -> float:
        """How alike the text around the span is to the old prefix and suffix, 0 to 1, each
        side weighing by its length: three characters of prefix say little. An empty prefix
        stands for the start of the section, an empty suffix for its end, each as much as a
        full context."""
        sides = []
        if self.prefix:
            before = self.text[max(0, start - len(self.prefix)) : start]
            sides.append((len(self.prefix), self._likeness(self.prefix, before)))
        else:
            sides.append((CONTEXT_LENGTH, float(start == 0)))
        if self.suffix:
            after = self.text[end : end + len(self.suffix)]
            sides.append((len(self.suffix), self._likeness(self.suffix, after)))
        else:
            sides.append((CONTEXT_LENGTH, float(end == len(self.text))))
        return sum(weight * agreement for weight, agreement in sides) / sum(w for w, _ in sides)

    def _likeness(self, old: str, new: str) -> float:
        """2 x the characters the two have in common, by whole words, / both lengths (the
        measure of words.similarity). Common runs of a token or two between changes are
        cleaned up as chance, as diff-match-patch's semantic clean-up does."""
        if not old and not new:
            return 1.0
        common = sum(len(part) for op, part in self._token_diff(old, new, True) if op == EQUAL)
        return 2 * common / (len(old) + len(new))

    def _token_diff(self, old: str, new: str, clean_up: bool = False) -> list[tuple[int, str]]:
        """diff-match-patch's diff of two texts by whole tokens (word, white space, sign), each
        distinct token diffed as one private character; EQUAL parts in old's spelling."""
        codes: dict[str, str] = {}

        def encode(text: str) -> tuple[str, list[str]]:
            tokens = _TOKEN.findall(text)
            code = "".join(codes.setdefault(t, chr(_FIRST_CODE + len(codes))) for t in tokens)
            return code, tokens

        old_codes, old_tokens = encode(old)
        new_codes, new_tokens = encode(new)
        diffs = self.engine.diff_main(old_codes, new_codes, False, self.deadline)
        if clean_up:
            self.engine.diff_cleanupSemantic(diffs)
        result, old_at, new_at = [], 0, 0
        for op, part in diffs:
            if op == INSERT:
                result.append((op, "".join(new_tokens[new_at : new_at + len(part)])))
                new_at += len(part)
            else:
                result.append((op, "".join(old_tokens[old_at : old_at + len(part)])))
                old_at += len(part)
                new_at += len(part) if op == EQUAL else 0
        return result


class _Block(NamedTuple):
    common: bool  # with the quote; else other text of the window
    length: int
    quote_at: int  # where a common block starts in the quote


class _Run(NamedTuple):
    start: int  # in the window
    end: int
    common: int  # characters in common with the quote
    quote_start: int  # the part of the quote it covers
    quote_end: int


def _blocks(diffs: list[tuple[int, str]], start: int, end: int) -> Iterator[_Block]:
    """The old text of a diff as blocks: common where it equals the new text's characters
    ``start`` to ``end`` (the quote), other for the rest (differing, or the context)."""
    other = new_at = 0
    for op, part in diffs:
        if op == INSERT:
            new_at += len(part)
            continue
        if op == DELETE:
            other += len(part)
            continue
        before = max(0, min(start, new_at + len(part)) - new_at)
        inside = max(0, min(end, new_at + len(part)) - max(start, new_at))
        other += before
        if inside:
            if other:
                yield _Block(False, other, -1)
            yield _Block(True, inside, new_at + before - start)
            other = 0
        other += len(part) - before - inside
        new_at += len(part)
    if other:
        yield _Block(False, other, -1)


def _most_similar_run(blocks: list[_Block], length: int) -> _Run | None:
    """The stretch of the blocks' text most similar to a quote of ``length`` characters: of
    all runs from one common block to another, the one with the highest 2 x common characters
    / (its length + the quote's). Dinkelbach's method: the best run for a trial similarity r
    maximises (2 - r) x common - r x other characters, a best-scoring run found in one pass;
    its similarity is the next r, until it stops rising. A word that happens to occur near the
    passage stays out; a changed word inside it stays in."""
    best, ratio = None, 0.0
    for _ in range(MAX_ROUNDS):
        run = _best_run(blocks, ratio)
        if run is None:
            break
        better = 2 * run.common / (length + run.end - run.start)
        if better <= ratio:
            break
        best, ratio = run, better
    return best


def _best_run(blocks: list[_Block], ratio: float) -> _Run | None:
    """The run of blocks scoring best for ``ratio`` (see _most_similar_run)."""
    best, best_score = None, 0.0
    begin, score, common, quote_start, at = -1, 0.0, 0, 0, 0
    for block in blocks:
        if block.common:
            if begin == -1:
                begin, score, common, quote_start = at, 0.0, 0, block.quote_at
            score += (2 - ratio) * block.length
            common += block.length
            if score > best_score:
                quote_end = block.quote_at + block.length
                best = _Run(begin, at + block.length, common, quote_start, quote_end)
                best_score = score
        elif begin != -1:
            score -= ratio * block.length
            begin = begin if score > 0 else -1
        at += block.length
    return best


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
