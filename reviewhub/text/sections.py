"""Split a Markdown document into an ordered, numbered tree of sections.

Works on markdown-it-py's token stream rather than on lines, so a ``#`` inside a fenced code
block, a blockquote or a list item never starts a section, and setext headings do.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections import ChainMap, Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml
from flask_babel import lazy_gettext
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

SECTION_LEVELS = range(1, 5)
KEY_PATTERN = r"[a-z0-9][a-z0-9_-]{0,79}"
_KEY_ATTRIBUTE = re.compile(r"\s*\{#(" + KEY_PATTERN + r")\}\s*$")
PREAMBLE_KEY = "preamble"
# What one version may hold. Real frameworks stay far below these; past them, publishing and
# the pages that show a version kept a worker busy for minutes and ran to tens of megabytes.
# The number of sections is a setting (MAX_SECTIONS, passed in by the caller); its default.
DEFAULT_MAX_SECTIONS = 2_000
MAX_TABLE_COLUMNS = 64
# Cells of all tables together, counting the empty cells that fill up a row with fewer cells
# than its table has columns: a 1,000-column table of 60 one-cell rows made 60,000 cells out
# of 6 KB, and its Word export took 8 s.
MAX_TABLE_CELLS = 20_000
# Lists and quotes inside each other. markdown-it silently drops what is nested past its own
# limit (ten lists deep, twenty quotes); refusing well before that loses nothing unsaid.
MAX_NESTING = 8
# A footnote is shown under every section that cites it: this much footnote text may be
# repeated so in all, beyond the document's own length.
MAX_REPEATED_FOOTNOTES = 1024 * 1024
_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open"})


class MarkdownError(ValueError):
    """The source cannot be published; ``str()`` is a message for the author."""


def make_markdown() -> MarkdownIt:
    """CommonMark plus tables and footnotes, raw HTML off.

    markdown-it's link validation already refuses ``javascript:``, ``vbscript:``, ``file:`` and
    most ``data:`` targets: such links are rendered as plain text.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.add_render_rule("heading_open", _render_body_heading)
    md.add_render_rule("heading_close", _render_body_heading)
    md.add_render_rule("th_open", _render_aligned_cell)
    md.add_render_rule("td_open", _render_aligned_cell)
    return md.enable("table").use(footnote_plugin).use(front_matter_plugin)


def _render_aligned_cell(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A column aligned in Markdown (``| --: |``) gets a class, not markdown-it's style
    attribute: the Content Security Policy refuses inline styles, so the alignment was lost."""
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith("text-align:"):
        token.attrs.pop("style")
        token.attrSet("class", "align-" + style.removeprefix("text-align:"))
    return str(self.renderToken(tokens, idx, options, env))


def _render_body_heading(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Headings inside a section's text (levels 5 and 6, or any level in a quote or list)
    come just below the section's own heading on the page (h2 for level 1), so the outline
    never skips a level."""
    level = env.get("section_level")
    if level is not None:
        own = int(tokens[idx].tag[1])
        tokens[idx].tag = f"h{min(6, level + 1 + max(1, own - 4))}"
    return self.renderToken(tokens, idx, options, env)


_MD = make_markdown()


@dataclass
class ParsedSection:
    position: int
    level: int  # 0 for the text before the first heading
    number: str  # "" for that text
    heading: str
    heading_html: str
    explicit_key: str | None
    parent_position: int | None
    body: str  # the section's own Markdown lines
    html: str
    text: str
    content_hash: str


@dataclass
class ParsedDocument:
    front_matter: dict[str, Any]
    content: str  # the source without its front matter
    sections: list[ParsedSection] = field(default_factory=list)


@dataclass
class _Heading:
    start: int
    end: int
    level: int
    inline: Token


def parse_document(source: str, max_sections: int = DEFAULT_MAX_SECTIONS) -> ParsedDocument:
    """Parse ``source`` (front matter optional) into sections; raise MarkdownError if unusable,
    or larger than a version may be (checked before the costly rendering of each section).
    ``max_sections``: the application's MAX_SECTIONS setting, which the caller passes on."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    env: dict[str, Any] = {}
    tokens = _MD.parse(source, env)
    lines = source.split("\n")
    front_matter, body_start = _front_matter(tokens)
    content = "\n".join(lines[body_start:]).strip("\n")
    if not content.strip():
        raise MarkdownError(lazy_gettext("The document has no text after its front matter."))

    headings = [
        _Heading(t.map[0], t.map[1], int(t.tag[1]), tokens[i + 1])
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.level == 0 and int(t.tag[1]) in SECTION_LEVELS and t.map
    ]
    footnote_ranges = _footnote_ranges(tokens)
    references = env.get("references", {})

    spans: list[tuple[_Heading | None, int, int]] = []
    first_heading_line = headings[0].start if headings else len(lines)
    if not headings or "\n".join(lines[body_start:first_heading_line]).strip():
        spans.append((None, body_start, first_heading_line))
    for index, found in enumerate(headings):
        end = headings[index + 1].start if index + 1 < len(headings) else len(lines)
        spans.append((found, found.end, end))

    _check_size(tokens, len(spans), max_sections)
    citations = _footnote_citations(tokens, [start for _, start, _ in spans])
    _check_repeated_footnotes(lines, citations, footnote_ranges, len(source))
    footnote_lines = _lines_in(footnote_ranges.values())
    document = ParsedDocument(front_matter=front_matter, content=content)
    numbering = _Numbering()
    for position, (heading, start, end) in enumerate(spans):
        own_lines = [lines[i] for i in range(start, end) if i not in footnote_lines]
        cited = [label for label in citations.get(position, []) if label in footnote_ranges]
        definitions = ["\n".join(lines[a:b]) for a, b in (footnote_ranges[c] for c in cited)]
        render_source = "\n\n".join(part for part in ["\n".join(own_lines), *definitions] if part)
        level, number, parent = numbering.place(position, heading.level if heading else 0)
        html = _render_block(render_source, references, f"s{position}", level)
        title_source, explicit_key = _split_key(heading.inline.content if heading else "")
        heading_html = _MD.renderInline(title_source, {"references": ChainMap({}, references)})
        document.sections.append(
            ParsedSection(
                position=position,
                level=level,
                number=number,
                heading=plain_text(heading_html),
                heading_html=heading_html,
                explicit_key=PREAMBLE_KEY if heading is None else explicit_key,
                parent_position=parent,
                body="\n".join(lines[start:end]).strip("\n"),
                html=html,
                text=plain_text(html),
                content_hash=content_hash(render_source),
            )
        )
    _check_unique_keys(document.sections)
    return document


def _check_size(tokens: list[Token], sections: int, max_sections: int) -> None:
    """Refuse a version larger than the limits above, before anything costly is done."""
    if sections > max_sections:
        raise MarkdownError(
            lazy_gettext(
                "The document has %(count)d sections; a version may have at most %(limit)d.",
                count=sections,
                limit=max_sections,
            )
        )
    _check_tables(tokens)
    depth = _deepest_nesting(tokens)
    if depth > MAX_NESTING:
        raise MarkdownError(
            lazy_gettext(
                "Lists and quotes are nested %(depth)d levels deep; at most %(limit)d levels "
                "are allowed.",
                depth=depth,
                limit=MAX_NESTING,
            )
        )


def _check_tables(tokens: list[Token]) -> None:
    cells = columns = 0
    for token in tokens:
        if token.type == "tr_open":
            columns = 0
        elif token.type in ("th_open", "td_open"):
            cells, columns = cells + 1, columns + 1
            if columns > MAX_TABLE_COLUMNS:
                raise MarkdownError(
                    lazy_gettext(
                        "A table has more than %(limit)d columns; a table may have at most "
                        "%(limit)d.",
                        limit=MAX_TABLE_COLUMNS,
                    )
                )
    if cells > MAX_TABLE_CELLS:
        raise MarkdownError(
            lazy_gettext(
                "The tables have %(count)d cells in all (a row with fewer cells is filled up "
                "to its table's columns); a version may have at most %(limit)d.",
                count=cells,
                limit=MAX_TABLE_CELLS,
            )
        )


def _deepest_nesting(tokens: list[Token]) -> int:
    """How many lists and quotes stand inside each other at the deepest place."""
    depth = deepest = 0
    for token in tokens:
        if token.type in _CONTAINERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.nesting == -1 and token.type.replace("_close", "_open") in _CONTAINERS:
            depth -= 1
    return deepest


def _check_repeated_footnotes(
    lines: list[str],
    citations: dict[int, list[str]],
    ranges: dict[str, tuple[int, int]],
    source_length: int,
) -> None:
    """Refuse footnotes that would be repeated beyond MAX_REPEATED_FOOTNOTES: a long footnote
    cited in thousands of sections would be rendered with each of them."""
    cited = Counter(label for labels in citations.values() for label in labels if label in ranges)
    repeated = sum(
        (count - 1) * sum(len(lines[line]) + 1 for line in range(*ranges[label]))
        for label, count in cited.items()
    )
    if repeated > max(MAX_REPEATED_FOOTNOTES, source_length):
        raise MarkdownError(
            lazy_gettext(
                "A footnote is shown under every section that cites it, which would repeat "
                "%(size)d KB of footnote text; at most %(limit)d KB may be repeated.",
                size=repeated // 1024,
                limit=max(MAX_REPEATED_FOOTNOTES, source_length) // 1024,
            )
        )


def _front_matter(tokens: list[Token]) -> tuple[dict[str, Any], int]:
    if not tokens or tokens[0].type != "front_matter" or not tokens[0].map:
        return {}, 0
    try:
        data = yaml.safe_load(tokens[0].content) or {}
    # PyYAML raises more than YAMLError for some values: ValueError for 2027-02-30,
    # AttributeError for a !!timestamp of words, RecursionError for deep nesting.
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        raise MarkdownError(
            lazy_gettext(
                "The front matter between the --- lines is not valid YAML: %(error)s", error=error
            )
        ) from error
    if not isinstance(data, dict):
        raise MarkdownError(lazy_gettext("The front matter must be a list of 'name: value' lines."))
    return data, tokens[0].map[1]


def _footnote_ranges(tokens: list[Token]) -> dict[str, tuple[int, int]]:
    """Line range of each footnote definition, by label."""
    ranges: dict[str, tuple[int, int]] = {}
    label = None
    for token in tokens:
        if token.type == "footnote_open":
            label = token.meta["label"]
        elif token.type == "footnote_close":
            label = None
        elif label is not None and token.map:
            start, end = ranges.get(label, token.map)
            ranges[label] = (min(start, token.map[0]), max(end, token.map[1]))
    return ranges


def _footnote_citations(tokens: list[Token], span_starts: list[int]) -> dict[int, list[str]]:
    """Footnote labels cited in each section (by position), in order of first citation."""
    citations: dict[int, dict[str, None]] = {}
    in_definition = False
    for token in tokens:
        if token.type in ("footnote_open", "footnote_close"):
            in_definition = token.type == "footnote_open"
            continue
        if in_definition or token.type != "inline" or not token.map:
            continue
        position = _span_at(span_starts, token.map[0])
        for child in token.children or []:
            if child.type == "footnote_ref":
                # a dict as an ordered set: a section may cite thousands of footnotes
                citations.setdefault(position, {})[child.meta["label"]] = None
    return {position: list(labels) for position, labels in citations.items()}


def _span_at(span_starts: list[int], line: int) -> int:
    """The section (by position) that contains ``line``; ``span_starts`` is sorted."""
    return max(bisect_right(span_starts, line) - 1, 0)


def _lines_in(ranges: Iterable[tuple[int, int]]) -> set[int]:
    """The lines of footnote definitions, which are left out of the section they stand in and
    rendered where they are cited instead. Found once: per section, that was quadratic."""
    return {line for a, b in ranges for line in range(a, b)}


def _render_block(source: str, references: dict[str, Any], doc_id: str, level: int) -> str:
    # Reference definitions are document-wide: seed them so a section rendered on its own still
    # resolves [text][ref] links defined in another section. docId keeps footnote ids unique
    # when several sections share one page.
    # A chain, not a copy: what the section itself defines stays its own, and copying thousands
    # of definitions for each of thousands of sections was quadratic.
    env = {"references": ChainMap({}, references), "docId": doc_id, "section_level": level}
    return _MD.render(source, env)


def _split_key(heading_source: str) -> tuple[str, str | None]:
    match = _KEY_ATTRIBUTE.search(heading_source)
    if not match:
        return heading_source, None
    return heading_source[: match.start()], match.group(1)


def _check_unique_keys(sections: list[ParsedSection]) -> None:
    seen: dict[str, ParsedSection] = {}
    for section in sections:
        key = section.explicit_key
        if key is None:
            continue
        if key in seen:
            raise MarkdownError(
                lazy_gettext(
                    "The key {#%(key)s} is used by both '%(first)s' and '%(second)s'; "
                    "each key may appear once.",
                    key=key,
                    first=seen[key].heading,
                    second=section.heading,
                )
            )
        seen[key] = section


class _Numbering:
    """Hierarchical numbers (1, 1.2, 1.2.3) from heading levels, tolerant of skipped levels."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, int, str]] = []  # (heading level, position, number)
        self._children: dict[int | None, int] = {}

    def place(self, position: int, heading_level: int) -> tuple[int, str, int | None]:
        """Return (depth level, number, parent position) for the next section."""
        if heading_level == 0:
            return 0, "", None
        while self._stack and self._stack[-1][0] >= heading_level:
            self._stack.pop()
        parent = self._stack[-1] if self._stack else None
        parent_position = parent[1] if parent else None
        index = self._children.get(parent_position, 0) + 1
        self._children[parent_position] = index
        number = f"{parent[2]}.{index}" if parent else str(index)
        self._stack.append((heading_level, position, number))
        return len(self._stack), number, parent_position


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text a reader sees, whitespace collapsed: what passage anchors are measured against."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


def content_hash(markdown: str) -> str:
    """Hash of Markdown with whitespace runs folded, so re-wrapping a paragraph is no edit."""
    return hashlib.sha256(" ".join(markdown.split()).encode()).hexdigest()


def source_hash(content: str) -> str:
    return hashlib.sha256(content.strip().encode()).hexdigest()


def render_markdown(source: str) -> str:
    """Render a free Markdown text (a change summary, say) with the same safe settings."""
    return _MD.render(source.replace("\r\n", "\n"))


def slugify(text: str, fallback: str = "sectie") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback
