"""What HTML made from a user's text may contain: the tags and attributes markdown-it (with
tables and footnotes) and the comparison writer produce, and link targets a browser will not
run. ``unsafe_parts`` lists everything else, parsed with html.parser as a browser would read
it (entities in attribute values decoded)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        *(f"h{level}" for level in range(1, 7)),
        *("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "a", "img"),
        *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"),
        *("section", "sup", "ins", "del", "span", "div", "s"),
    }
)
ALLOWED_ATTRIBUTES = frozenset({"href", "src", "alt", "title", "id", "class", "start"})
_URL_ATTRIBUTES = frozenset({"href", "src"})
# Browsers drop ASCII tabs and line breaks anywhere in a URL and leading C0 controls and
# spaces before reading its scheme.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Schemes that run script or open a document of the link's own making; any other scheme
# (java:, x:) is harmless, and markdown-it lets it through.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data", "file"})
SAFE_DATA_IMAGE = re.compile(r"^data:image/(gif|png|jpeg|webp);")


def scheme_of(url: str) -> str | None:
    """The scheme a browser reads from ``url`` (lowercase), or None for a relative URL."""
    cleaned = _IGNORED_IN_URL.sub("", url).lstrip("".join(map(chr, range(0x21)))).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def unsafe_url(tag: str, attribute: str, url: str) -> bool:
    if scheme_of(url) not in UNSAFE_SCHEMES:
        return False
    cleaned = _IGNORED_IN_URL.sub("", url).strip().lower()
    return not (tag == "img" and attribute == "src" and SAFE_DATA_IMAGE.match(cleaned))


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            allowed = name in ALLOWED_ATTRIBUTES and not name.startswith("on")
            if name in _URL_ATTRIBUTES:
                allowed = not unsafe_url(tag, name, value)
            if not allowed:
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"<![{data}]>")


def unsafe_parts(html: str) -> list[str]:
    """Every tag, attribute, link target or comment in ``html`` outside the whitelist."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    problems = inspector.problems
    if re.search(r"<\s*script", html, re.IGNORECASE):
        problems.append("<script")
    return problems
