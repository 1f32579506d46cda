"""Word-level diffs and similarity through diff-match-patch.

diff-match-patch diffs characters; to diff words we map every distinct word (and every run of
whitespace or punctuation) to one private character, diff those, and map back. That gives
whole-word changes without half-word noise, and is far faster on long texts.
"""

import re

from diff_match_patch import diff_match_patch

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

Diff = list[tuple[int, str]]
EQUAL = diff_match_patch.DIFF_EQUAL
INSERT = diff_match_patch.DIFF_INSERT
DELETE = diff_match_patch.DIFF_DELETE
# Planes 15 and 16 are private use: no real text contains them.
_FIRST_CODE, _CODE_COUNT = 0xF0000, 0x10FFFD - 0xF0000


def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # deterministic results; inputs are sections, not books
    return engine


def word_diff(old: str, new: str) -> Diff:
    """Diff two texts word by word, cleaned up for human reading."""
    engine = _engine()
    vocabulary: dict[str, str] = {}
    words: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for token in _TOKEN.findall(text):
            if token not in vocabulary:
                vocabulary[token] = chr(_FIRST_CODE + len(words))
                words.append(token)
            chars.append(vocabulary[token])
        return "".join(chars)

    if len(set(_TOKEN.findall(old)) | set(_TOKEN.findall(new))) > _CODE_COUNT:
        diffs = engine.diff_main(old, new, False)  # too many distinct words to encode
        engine.diff_cleanupSemantic(diffs)
        return diffs
    diffs = engine.diff_main(encode(old), encode(new), False)
    engine.diff_cleanupSemantic(diffs)
    return [(op, "".join(words[ord(c) - _FIRST_CODE] for c in chunk)) for op, chunk in diffs]


def similarity(old: str, new: str) -> float:
    """Share of the two texts that is common, from 0 (nothing) to 1 (identical)."""
    total = len(old) + len(new)
    if total == 0:
        return 1.0
    common = sum(len(text) for op, text in word_diff(old, new) if op == EQUAL)
    return 2 * common / total


def similarity_bound(old: str, new: str) -> float:
    """An upper bound of ``similarity`` that costs nothing: used to skip hopeless pairs."""
    total = len(old) + len(new)
    return 1.0 if total == 0 else 2 * min(len(old), len(new)) / total
