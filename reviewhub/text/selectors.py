"""A passage as W3C Web Annotation selectors (https://www.w3.org/TR/annotation-model/#selectors):
the words with what precedes and follows them (TextQuoteSelector) and, when known, their place
(TextPositionSelector, code points in the section's plain text). Shared by the JSON API and
the W3C annotation export, so that both describe a passage alike."""

from __future__ import annotations

from typing import Any


def passage_selectors(
    exact: str | None,
    prefix: str | None = None,
    suffix: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> list[dict[str, Any]]:
    """The selectors of a passage; none for a reaction on the whole section. Empty context
    is left out (optional in the model)."""
    if not exact:
        return []
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": exact}
    if prefix:
        quote["prefix"] = prefix
    if suffix:
        quote["suffix"] = suffix
    found = [quote]
    if start is not None and end is not None:
        found.append({"type": "TextPositionSelector", "start": start, "end": end})
    return found
