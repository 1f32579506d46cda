"""Word-level diffs and similarity through diff-match-patch.

diff-match-patch diffs characters; to diff words we map every distinct word (and every run of
whitespace or punctuation) to one private character, diff those, and map back. That gives
whole-word changes without half-word noise, and is far faster on long texts.
"""

import re
from collections import Counter
from collections.abc import Sequence
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


def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # deterministic results; inputs are sections, not books
    return engine


def word_diff(old: str, new: str, ignore_whitespace: bool = False) -> Diff:
    """Diff two texts word by word, cleaned up for human reading.

    ``ignore_whitespace``: a run of spaces or a single line break counts as one space, so a
    re-wrapped paragraph is no change (a blank line, which separates paragraphs, still is);
    unchanged text then comes with the newer text's white space."""
    old_words, new_words = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(old_words) + len(new_words) > _CODE_COUNT and (
        len(set(old_words) | set(new_words)) > _CODE_COUNT
    ):
        engine = _engine()
        diffs = engine.diff_main(old, new, False)  # too many distinct words to encode
        engine.diff_cleanupSemantic(diffs)
        return _without_whitespace_changes(diffs) if ignore_whitespace else diffs
    old_keys, new_keys = old_words, new_words
    if ignore_whitespace:
        old_keys, new_keys = (
            [_whitespace_key(w) for w in old_words],
            [_whitespace_key(w) for w in new_words],
        )
    diffs: Diff = []
    old_at = new_at = 0
    for op, count in _word_counts(old_keys, new_keys):
        if op == DELETE:
            diffs.append((op, "".join(old_words[old_at : old_at + count])))
            old_at += count
        else:  # unchanged text comes from the newer side
            diffs.append((op, "".join(new_words[new_at : new_at + count])))
            new_at += count
            old_at += count if op == EQUAL else 0
    return _without_whitespace_changes(diffs) if ignore_whitespace else diffs


def _word_counts(old: list[str], new: list[str]) -> list[tuple[int, int]]:
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
        return diff_counts(old, new)
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
    codes = {item: chr(_FIRST_CODE + i) for i, item in enumerate(dict.fromkeys([*old, *new]))}
    engine = _engine()
    diffs = engine.diff_main(
        "".join(map(codes.__getitem__, old)), "".join(map(codes.__getitem__, new)), False
    )
    if clean_up:
        engine.diff_cleanupSemantic(diffs)
    return [(op, len(chunk)) for op, chunk in diffs]


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


def similarity(old: str, new: str) -> float:
    """Share of the two texts that is common, from 0 (nothing) to 1 (identical)."""
    total = len(old) + len(new)
    if total == 0:
        return 1.0
    common = sum(len(text) for op, text in word_diff(old, new) if op == EQUAL)
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
