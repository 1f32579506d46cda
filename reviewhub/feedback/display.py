"""How reactions are shown: their light Markdown, and a suggestion's proposed wording as a
word diff."""

from __future__ import annotations

from markdown_it import MarkdownIt

from ..models import Comment
from ..text.words import word_diff

# tables or raw HTML (shown as text).
_LIGHT_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable(
    ["heading", "lheading", "image", "table", "fence", "code", "hr", "html_block", "html_inline"]
)


def render_body(body: str) -> str:
    return _LIGHT_MARKDOWN.render(body)


def passage_diff(old: str, new: str) -> list[tuple[int, str]]:
    """A carried reaction's passage as it was against its wording in a later version."""
    return word_diff(old, new)


def suggestion_diff(comment: Comment) -> list[tuple[int, str]]:
    """The proposed wording against the quoted passage, word by word."""
    return word_diff(comment.quote_exact or "", comment.proposed_text or "")
