"""Split a Markdown document into an ordered, numbered tree of sections.

Works on markdown-it-py's token stream rather than on lines, so a ``#`` inside a fenced code
block, a blockquote or a list item never starts a section, and setext headings do.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml
from flask_babel import gettext
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

SECTION_LEVELS = range(1, 5)
KEY_PATTERN = r"[a-z0-9][a-z0-9_-]{0,79}"
_KEY_ATTRIBUTE = re.compile(r"\s*\{#(" + KEY_PATTERN + r")\}\s*$")
PREAMBLE_KEY = "preamble"


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
    return md.enable("table").use(footnote_plugin).use(front_matter_plugin)


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


def parse_document(source: str) -> ParsedDocument:
    """Parse ``source`` (front matter optional) into sections; raise MarkdownError if unusable."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    env: dict[str, Any] = {}
    tokens = _MD.parse(source, env)
    lines = source.split("\n")
    front_matter, body_start = _front_matter(tokens)
    content = "\n".join(lines[body_start:]).strip("\n")
    if not content.strip():
        raise MarkdownError(gettext("The document has no text after its front matter."))

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
    for index, heading in enumerate(headings):
        end = headings[index + 1].start if index + 1 < len(headings) else len(lines)
        spans.append((heading, heading.end, end))

    citations = _footnote_citations(tokens, [start for _, start, _ in spans])
    document = ParsedDocument(front_matter=front_matter, content=content)
    numbering = _Numbering()
    for position, (heading, start, end) in enumerate(spans):
        own_lines = _without_ranges(lines, start, end, footnote_ranges.values())
        cited = [label for label in citations.get(position, []) if label in footnote_ranges]
        definitions = ["\n".join(lines[a:b]) for a, b in (footnote_ranges[c] for c in cited)]
        render_source = "\n\n".join(part for part in ["\n".join(own_lines), *definitions] if part)
        level, number, parent = numbering.place(position, heading.level if heading else 0)
        html = _render_block(render_source, references, f"s{position}", level)
        title_source, explicit_key = _split_key(heading.inline.content if heading else "")
        heading_html = _MD.renderInline(title_source, {"references": dict(references)})
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


def _front_matter(tokens: list[Token]) -> tuple[dict[str, Any], int]:
    if not tokens or tokens[0].type != "front_matter" or not tokens[0].map:
        return {}, 0
    try:
        data = yaml.safe_load(tokens[0].content) or {}
    except yaml.YAMLError as error:
        raise MarkdownError(
            gettext(
                "The front matter between the --- lines is not valid YAML: %(error)s", error=error
            )
        ) from error
    if not isinstance(data, dict):
        raise MarkdownError(gettext("The front matter must be a list of 'name: value' lines."))
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
    citations: dict[int, list[str]] = {}
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
                labels = citations.setdefault(position, [])
                if child.meta["label"] not in labels:
                    labels.append(child.meta["label"])
    return citations


def _span_at(span_starts: list[int], line: int) -> int:
    """The section (by position) that contains ``line``; ``span_starts`` is sorted."""
    return max(bisect_right(span_starts, line) - 1, 0)


def _without_ranges(lines: list[str], start: int, end: int, ranges: Any) -> list[str]:
    """Lines ``start:end`` minus footnote definitions, which are rendered where they are cited."""
    skip = {line for a, b in ranges for line in range(a, b)}
    return [lines[i] for i in range(start, end) if i not in skip]


def _render_block(source: str, references: dict[str, Any], doc_id: str, level: int) -> str:
    # Reference definitions are document-wide: seed them so a section rendered on its own still
    # resolves [text][ref] links defined in another section. docId keeps footnote ids unique
    # when several sections share one page.
    env = {"references": dict(references), "docId": doc_id, "section_level": level}
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
                gettext(
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
