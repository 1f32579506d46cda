"""Word-level diffs and similarity through diff-match-patch.

diff-match-patch diffs characters; to diff words we map every distinct word (and every run of
whitespace or punctuation) to one private character, diff those, and map back. That gives
whole-word changes without half-word noise, and is far faster on long texts.
"""

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from functools import lru_cache

from diff_match_patch import diff_match_patch

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)

Diff = list[tuple[int, str]]
EQUAL = diff_match_patch.DIFF_EQUAL
INSERT = diff_match_patch.DIFF_INSERT
DELETE = diff_match_patch.DIFF_DELETE
# A changed stretch whose two sides share less than this share of their words is rewritten
# text: shown as deleted, then inserted (see _word_counts).
REWRITTEN_BELOW = 0.3
# Planes 15 and 16 are private use: no real text contains them.
_FIRST_CODE, _CODE_COUNT = 0xF0000, 0x10FFFD - 0xF0000


# diff-match-patch's bisection costs about the square of the number of edits: a long text with
# many edits kept a worker busy for a minute. Its work on one pair of texts is bounded instead,
# by a count rather than a clock so that the result is the same on every run and machine: at
# most DIFF_BASE_WORK plus DIFF_WORK_PER_ITEM per item (word, character) of the two texts,
# counted in the diagonals its bisection visits (about two million a second here), so the
# work stays linear in the length. Ordinary edits stay well within it: a paragraph of 150
# words keeps its exact word diff with 40% of its words replaced, one of 2,000 words with 10%.
# Past it, the part still to do is shown replaced whole.
DIFF_BASE_WORK = 2_000
DIFF_WORK_PER_ITEM = 20
# Past the bound, words are diffed sentence by sentence first: a sentence ends after one of
# these, or at a line break.
_SENTENCE_END = frozenset(".!?:;")


class _WorkClock:
    """Stands in for diff-match-patch's deadline. The library asks ``time.time() > deadline``
    before each step of its bisection, which Python answers with ``deadline < time.time()``:
    the step is charged here, or, if the budget cannot pay for it, the answer is "past the
    deadline". The library then returns the part it was bisecting as deleted and inserted
    whole, and so every part still to do: a correct diff, only a coarser one."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.step = 0  # of the bisection under way
        self.ran_out = False

    def __lt__(self, now: object) -> bool:
        cost = 2 * self.step + 1  # the diagonals the step walks, in each direction
        self.ran_out = self.ran_out or cost > self.left
        if not self.ran_out:
            self.left -= cost
            self.step += 1
        return self.ran_out


class _Engine(diff_match_patch):  # the library has no type hints: to mypy, it is Any
    def __init__(self, clock: _WorkClock) -> None:
        super().__init__()
        self.Diff_Timeout = 0  # its own clock off; that also keeps its inexact half-match off
        self.clock = clock

    def diff_bisect(self, text1: str, text2: str, deadline: _WorkClock) -> Diff:
        self.clock.step = 0  # a bisection starts at one diagonal
        return super().diff_bisect(text1, text2, deadline)


class WorkBudget:
    """Diff work shared by many diffs, such as all the similarity scores of one matching: each
    may use at most what is left, so that their number cannot multiply the bound of one."""

    def __init__(self, units: int) -> None:
        self.left = units


def _bounded_diff(
    old: str, new: str, clean_up: bool, shared: WorkBudget | None = None, size: int = 0
) -> tuple[Diff, bool]:
    """diff-match-patch's diff of two strings within the work bound, and whether it stayed
    within it (False: some part is shown replaced whole). ``size``: the number of items the
    bound is for, if more than the characters (a character may stand for a sentence)."""
    allowed = DIFF_BASE_WORK + DIFF_WORK_PER_ITEM * max(size, len(old) + len(new))
    if shared is not None:
        allowed = min(allowed, max(shared.left, 0))
    clock = _WorkClock(allowed)
    engine = _Engine(clock)
    diffs: Diff = engine.diff_main(old, new, False, clock)
    if shared is not None:
        shared.left -= allowed - clock.left
    if clean_up:
        engine.diff_cleanupSemantic(diffs)
    return diffs, not clock.ran_out


def word_diff(
    old: str, new: str, ignore_whitespace: bool = False, shared: WorkBudget | None = None
) -> Diff:
    """Diff two texts word by word, cleaned up for human reading.

    ``ignore_whitespace``: a run of spaces or a single line break counts as one space, so a
    re-wrapped paragraph is no change (a blank line, which separates paragraphs, still is);
    unchanged text then comes with the newer text's white space. ``shared``: work to draw on
    besides the bound of this diff."""
    old_words, new_words = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(old_words) + len(new_words) > _CODE_COUNT and (
        len(set(old_words) | set(new_words)) > _CODE_COUNT
    ):
        # More distinct words than there are codes (a megabyte of them): only the common start
        # and end are found, the rest is shown replaced.
        whole, _ = _bounded_diff(old, new, True, WorkBudget(0))
        return _without_whitespace_changes(whole) if ignore_whitespace else whole
    old_keys, new_keys = old_words, new_words
    if ignore_whitespace:
        old_keys, new_keys = (
            [_whitespace_key(w) for w in old_words],
            [_whitespace_key(w) for w in new_words],
        )
    diffs: Diff = []
    old_at = new_at = 0
    for op, count in _word_counts(old_keys, new_keys, shared):
        if op == DELETE:
            diffs.append((op, "".join(old_words[old_at : old_at + count])))
            old_at += count
        else:  # unchanged text comes from the newer side
            diffs.append((op, "".join(new_words[new_at : new_at + count])))
            new_at += count
            old_at += count if op == EQUAL else 0
    return _without_whitespace_changes(diffs) if ignore_whitespace else diffs


def _word_counts(
    old: list[str], new: list[str], shared: WorkBudget | None
) -> list[tuple[int, int]]:
    """diff_counts for words, with a short cut: when the changed stretch between the common
    start and end shares few words (a sentence rewritten), it is one deletion and one
    insertion. Semantic clean-up makes the same of it, but only after diff-match-patch has
    searched through every little word ("de", "en", a space) the two happen to share."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    if _shared_words(old_middle, new_middle) >= REWRITTEN_BELOW:
        return _bounded_word_counts(old, new, shared)
    counts = [(EQUAL, start), (DELETE, len(old_middle)), (INSERT, len(new_middle)), (EQUAL, end)]
    return [(op, count) for op, count in counts if count]


def _shared_words(old: list[str], new: list[str]) -> float:
    """Dice's coefficient of the two word sets (white space and punctuation left out)."""
    old_words = {word for word in old if word[0].isalnum() or word[0] == "_"}
    new_words = {word for word in new if word[0].isalnum() or word[0] == "_"}
    total = len(old_words) + len(new_words)
    return 2 * len(old_words & new_words) / total if total else 1.0


def _whitespace_key(token: str) -> str:
    if token.strip():
        return token
    return "\n\n" if token.count("\n") > 1 else " "


def diff_counts(
    old: Sequence[str], new: Sequence[str], clean_up: bool = True
) -> list[tuple[int, int]]:
    """(op, number of items) of the diff of two sequences (words, or block signatures).

    Each distinct item becomes one private-use character and diff-match-patch diffs those
    strings. ``clean_up`` applies its semantic clean-up, which makes word diffs readable;
    aligning blocks wants the exact common items instead."""
    return _item_counts(old, new, clean_up)[0]


def _item_counts(
    old: Sequence[Hashable],
    new: Sequence[Hashable],
    clean_up: bool,
    shared: WorkBudget | None = None,
    size: int = 0,
) -> tuple[list[tuple[int, int]], bool]:
    """diff_counts, and whether it stayed within the work bound (see _bounded_diff)."""
    codes = {item: chr(_FIRST_CODE + i) for i, item in enumerate(dict.fromkeys([*old, *new]))}
    diffs, complete = _bounded_diff(
        "".join(map(codes.__getitem__, old)),
        "".join(map(codes.__getitem__, new)),
        clean_up,
        shared,
        size,
    )
    return [(op, len(chunk)) for op, chunk in diffs], complete


def _bounded_word_counts(
    old: list[str], new: list[str], shared: WorkBudget | None
) -> list[tuple[int, int]]:
    """diff_counts of words. Past the work bound, the sentences are aligned first and only the
    stretches of changed sentences are diffed word by word, each within a bound of its own: a
    long text with many edits still shows which sentences stayed."""
    counts, complete = _item_counts(old, new, True, shared)
    if complete:
        return counts
    old_sentences, new_sentences = _sentences(old), _sentences(new)
    # Within the bound of the words: a sentence edited is some twenty words' worth of edits.
    aligned, _ = _item_counts(old_sentences, new_sentences, False, shared, len(old) + len(new))
    if not any(op == EQUAL for op, _ in aligned):
        return counts  # no sentence in common: diffing them all again would gain nothing
    return _merge_counts(_by_sentence(aligned, old_sentences, new_sentences, shared))


def _sentences(words: list[str]) -> list[tuple[str, ...]]:
    """The words cut after the white space that follows a sentence's end or holds a line break."""
    sentences, start = [], 0
    for index, word in enumerate(words):
        if word.isspace() and ("\n" in word or (index and words[index - 1] in _SENTENCE_END)):
            sentences.append(tuple(words[start : index + 1]))
            start = index + 1
    return [*sentences, tuple(words[start:])] if start < len(words) else sentences


def _by_sentence(
    aligned: list[tuple[int, int]],
    old: list[tuple[str, ...]],
    new: list[tuple[str, ...]],
    shared: WorkBudget | None,
) -> list[tuple[int, int]]:
    """Word counts from a diff of sentences: unchanged sentences as they are, each stretch of
    changed ones diffed word by word."""
    counts: list[tuple[int, int]] = []
    old_at = new_at = 0
    changed_old: list[str] = []
    changed_new: list[str] = []
    for op, count in [*aligned, (EQUAL, 0)]:  # the last one flushes the final stretch
        if op == DELETE:
            changed_old += [word for sentence in old[old_at : old_at + count] for word in sentence]
            old_at += count
        elif op == INSERT:
            changed_new += [word for sentence in new[new_at : new_at + count] for word in sentence]
            new_at += count
        else:
            counts += _item_counts(changed_old, changed_new, True, shared)[0]
            changed_old, changed_new = [], []
            counts.append((EQUAL, sum(len(sentence) for sentence in new[new_at : new_at + count])))
            old_at, new_at = old_at + count, new_at + count
    return counts


def _merge_counts(counts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for op, count in counts:
        if not count:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + count)
        else:
            merged.append((op, count))
    return merged


def _without_whitespace_changes(diffs: Diff) -> Diff:
    """An insertion of white space only is kept as unchanged text, such a deletion goes; but
    not when it adds or removes a blank line, which separates paragraphs."""
    result: Diff = []
    for op, text in diffs:
        if op != EQUAL and _whitespace_key(text) == " ":
            if op == DELETE:
                continue
            op = EQUAL
        if result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + text)
        else:
            result.append((op, text))
    return result


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def similarity(old: str, new: str, shared: WorkBudget | None = None) -> float:
    """Share of the two texts that is common, from 0 (nothing) to 1 (identical); ``shared``:
    work to draw on (see word_diff)."""
    total = len(old) + len(new)
    if total == 0:
        return 1.0
    common = sum(len(text) for op, text in word_diff(old, new, shared=shared) if op == EQUAL)
    return 2 * common / total


def similarity_bound(old: str, new: str) -> float:
    """A cheap upper bound of ``similarity``, used to skip hopeless pairs: a word diff can
    keep at most the words the two texts share, however they are ordered."""
    total = len(old) + len(new)
    if total == 0:
        return 1.0
    shared = _token_counts(old) & _token_counts(new)
    return 2 * sum(len(token) * count for token, count in shared.items()) / total


@lru_cache(maxsize=4096)
def _token_counts(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text))
