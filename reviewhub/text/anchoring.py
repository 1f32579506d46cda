"""Passage anchors: a W3C-style TextQuoteSelector (exact, prefix, suffix) with a
TextPositionSelector (start, end), both measured against a section's plain text.

The browser makes an anchor from a selection (static/js/anchoring.js); the server checks it
here. Both read tests/data/anchoring_cases.json, so the two implementations agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext

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
    best = max(
        occurrences,
        key=lambda at: (
            _context_score(text, at, len(exact), prefix, suffix),
            -abs(at - start) if start is not None else 0,
        ),
    )
    return anchor_at(text, best, best + len(exact))


def _occurrences(text: str, exact: str) -> list[int]:
    found, at = [], text.find(exact)
    while at != -1:
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
