"""The version page's text, rendered once per version and language and kept: the table of
contents and the sections never change after publication, and rendering them (a few hundred
sections) cost more than all the rest of the page. Where a request puts what depends on the
visitor (the number of reactions in the contents, the reactions and the link to react under a
section) the kept text has a mark; ``VersionText.fill`` puts each request's parts there."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from ..models import Section, Version

# Section text is Markdown rendered without raw HTML, so no section can write such a comment.
_MARK = re.compile(r"<!--rh:(badge|feedback):(\d+)-->")
MAX_KEPT = 16  # texts (a version in a language) kept per process; a 300-section text is some 700 KB


def mark(place: str, section: Section) -> Markup:
    """Where ``VersionText.fill`` puts a request's part (``badge`` or ``feedback``)."""
    return Markup(f"<!--rh:{place}:{section.id}-->")


@dataclass(frozen=True)
class SectionInfo:
    """What a request's parts need to know of a section, kept with the text."""

    id: int
    key: str
    title: str  # its number and heading, as screen readers hear it after a link's words


@dataclass(frozen=True)
class VersionText:
    pieces: tuple[str, ...]  # text, then (place, section id) marks, alternately
    sections: dict[int, SectionInfo]

    def fill(self, part: Callable[[str, SectionInfo], str]) -> Markup:
        """The text with ``part(place, section)`` at each mark (escaped by its maker)."""
        out = [self.pieces[0]]
        for index in range(1, len(self.pieces), 3):
            place, section_id = self.pieces[index], int(self.pieces[index + 1])
            out.append(part(place, self.sections[section_id]))
            out.append(self.pieces[index + 2])
        return Markup("".join(out))


_kept: OrderedDict[tuple[Any, ...], VersionText] = OrderedDict()
_lock = threading.Lock()


def version_text(
    version: Version, context: Callable[[], dict[str, Any]], title: Callable[[Section], str]
) -> VersionText:
    """The text of ``version`` in the visitor's language, from
    ``documents/_version_text.html`` with what ``context()`` gives it: rendered on the first
    request, kept for the next ones. Keyed by what could make it differ (a version id of a
    rolled-back test can come back with another text; its publication time cannot)."""
    key = (version.id, version.published_at, version.source_hash, str(get_locale()),
           request.script_root)  # fmt: skip
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    values = context()
    html = render_template("documents/_version_text.html", mark=mark, **values)
    sections = {s.id: SectionInfo(s.id, s.key, title(s)) for s in values["sections"]}
    kept = VersionText(tuple(_MARK.split(html)), sections)
    with _lock:
        _kept[key] = kept
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return kept
