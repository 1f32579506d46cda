"""Word-level diffs of Markdown that keep its structure.

A section's Markdown is split into blocks (paragraphs, lists, tables, quotes, code) on
markdown-it's token stream. The blocks of the two texts are aligned; a changed block is diffed
inside: a paragraph word by word, a list item by item, a table row by row and cell by cell as
long as it keeps its number of columns (else the old table is deleted and the new one
inserted). The result is a tree that the renderers walk: HTML (inline or side by side), the
Word document with tracked changes, the word counts.

Only what changed is parsed inline when diffing, so comparing long versions stays fast; the
unchanged rest is expanded only when it is rendered.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from ..text.words import DELETE, EQUAL, count_words, diff_counts, word_diff

# Below this share of common words two paragraphs are shown as one deleted and one inserted,
# rather than as a word diff that is mostly struck through.
PAIR_THRESHOLD = 0.5
# Pairing the blocks of a rewritten stretch compares each old block with each new one; past
# this many comparisons the stretch is shown as deleted, then inserted.
MAX_PAIR_CANDIDATES = 400

LEAF_KINDS = frozenset({"paragraph", "heading", "th", "td"})  # hold one inline token
CODE_KINDS = frozenset({"fence", "code_block"})
_RECORD_KINDS = frozenset({"list_item", "tr"})  # paired only when alike, as paragraphs are


class Op(enum.StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"
    CHANGE = "change"  # a block present on both sides, diffed inside


WHOLE_OPS = (Op.INSERT, Op.DELETE)
_TEXT_OPS = {EQUAL: Op.EQUAL, DELETE: Op.DELETE}  # anything else is an insertion


def _make_parser() -> MarkdownIt:
    # The settings of sections.make_markdown (CommonMark, tables, footnotes, raw HTML off), but
    # a footnote definition stays where it is written and every [^label] is a reference: a
    # section's text is diffed on its own, without the rest of the document.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return md.enable("table").use(footnote_plugin, move_to_end=False, always_match_refs=True)


_MD = _make_parser()
# The start of a line that may be a link reference definition ("[ref]: https://…"), not a
# footnote's ("[^1]: …").
_DEFINITION_START = re.compile(r" {0,3}\[(?!\^)[^\]\n]+\]:")
# What may start inline Markdown: emphasis, links, images and footnotes, code, escapes,
# entities, autolinks, hard line breaks. Text without any of it needs no inline parse.
_INLINE_SYNTAX = re.compile(r"[*_\[\]`\\<&]|  \n")


class LinkDefinitions(Mapping[str, Any]):
    """A document's link reference definitions, which the text of any section may use. Found
    when first needed (rarely: only for [text][ref] links), by parsing only the paragraphs
    that start like a definition, not the whole document."""

    def __init__(self, source: str) -> None:
        self._source = source

    @cached_property
    def _definitions(self) -> dict[str, Any]:
        source = self._source
        candidates, covered = [], -1
        for start in _lines_with_colon_bracket(source):
            if start > covered and _DEFINITION_START.match(source, start):
                end = source.find("\n\n", start)
                covered = end if end >= 0 else len(source)
                candidates.append(source[start:covered])
        env: dict[str, Any] = {}
        _MD.block.parse("\n\n".join(candidates), _MD, env, [])
        return env.get("references", {})

    def __getitem__(self, label: str) -> Any:
        return self._definitions[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)


def _lines_with_colon_bracket(source: str) -> Iterator[int]:
    """The start of each line that has "]:" in it, in order. Each line is looked at once: a
    look back for the line's start from every "]:" was quadratic in a long line of them."""
    line_end = -1
    for match in re.finditer(r"\]:", source):
        if match.start() > line_end:
            yield source.rfind("\n", 0, match.start()) + 1
            line_end = source.find("\n", match.start())
            line_end = len(source) if line_end < 0 else line_end


@dataclass(frozen=True)
class Mark:
    """Inline formatting around a piece of text: em, strong, code, sup, br or a link (a)."""

    tag: str
    href: str = ""


@dataclass(frozen=True)
class Span:
    op: Op  # EQUAL, INSERT or DELETE
    text: str
    marks: tuple[Mark, ...] = ()


def _fold(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, eq=False)
class Block:
    """A Markdown block: the tokens from its opening token to its closing one, or one token."""

    tokens: Sequence[Token]
    references: Mapping[str, Any]

    @cached_property
    def kind(self) -> str:
        """The block's type, qualified where blocks of one type cannot be diffed together."""
        first = self.tokens[0]
        name = first.type.removesuffix("_open")
        if name == "heading":
            return f"heading/{first.tag}"
        if name == "table":
            return f"table/{sum(1 for t in self.tokens if t.type == 'th_open')}"
        if name == "footnote_reference":
            return f"footnote/{first.meta['label']}"
        return name

    @property
    def base_kind(self) -> str:
        return self.kind.partition("/")[0]

    @cached_property
    def signature(self) -> str:
        """Equal signatures: equal blocks, whatever the line breaks inside their paragraphs."""
        return "\x1f".join(
            f"{t.type}{t.attrs or ''}{t.content if t.type in CODE_KINDS else _fold(t.content)}"
            for t in self.tokens
        )

    @cached_property
    def text(self) -> str:
        return " ".join(_fold(t.content) for t in self.tokens if t.content)

    @cached_property
    def words(self) -> frozenset[str]:
        """Its words, roughly (punctuation stays attached): enough to tell alike blocks."""
        return frozenset(self.text.casefold().split())

    @cached_property
    def children(self) -> list[Block]:
        if self.base_kind in LEAF_KINDS or len(self.tokens) < 2:
            return []
        return split_blocks(self.tokens[1:-1], self.references)

    @cached_property
    def runs(self) -> list[Span]:
        """The block's own text as unchanged spans (leaves and code only)."""
        if self.base_kind in CODE_KINDS:
            return [Span(Op.EQUAL, self.tokens[0].content)]
        if self.base_kind in LEAF_KINDS:
            return _inline_runs(self.tokens[1], self.references)
        return []


def split_blocks(tokens: Sequence[Token], references: Mapping[str, Any]) -> list[Block]:
    """The top-level blocks of a well-nested token sequence."""
    blocks: list[Block] = []
    start, depth = 0, 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            blocks.append(Block(tokens[start : index + 1], references))
            start = index + 1
    return blocks


def parse_blocks(source: str, references: Mapping[str, Any]) -> list[Block]:
    """Block-level parse only; inline content is parsed when it is needed."""
    if _plain_paragraph(source):  # what most edits touch: parsing it is the slow part
        return [Block(_paragraph_tokens(source), references)]
    tokens: list[Token] = []
    _MD.block.parse(source, _MD, {"references": {}}, tokens)  # its own definitions: unused
    return split_blocks(tokens, references)


# A line that might start or end a block other than a paragraph (a list, quote, heading,
# fence, rule, table, footnote, setext underline), or a table cell anywhere.
_BLOCK_SYNTAX = re.compile(r"^\s*(?:[-*+>#`~=_\[]|\d)|\|", re.MULTILINE)


def _plain_paragraph(source: str) -> bool:
    """Whether the text is one paragraph that no block syntax can touch."""
    return source[:1].isalpha() and "\n\n" not in source and not _BLOCK_SYNTAX.search(source)


def _paragraph_tokens(source: str) -> list[Token]:
    """The tokens markdown-it makes of a plain paragraph."""
    inline = Token("inline", "", 0, content=source.strip(), children=[])
    return [
        Token("paragraph_open", "p", 1, block=True),
        inline,
        Token("paragraph_close", "p", -1, block=True),
    ]


def _inline_runs(inline: Token, references: Mapping[str, Any]) -> list[Span]:
    if not _INLINE_SYNTAX.search(inline.content):
        text = _fold(inline.content)  # line breaks are spaces, as markdown-it's soft breaks
        return [Span(Op.EQUAL, text)] if text else []
    children: list[Token] = []
    _MD.inline.parse(inline.content, _MD, {"references": references}, children)
    marks: list[Mark] = []
    runs: list[Span] = []
    for child in children:
        if child.nesting == 1:
            marks.append(Mark(child.tag, str(child.attrGet("href") or "")))
        elif child.nesting == -1:
            marks.pop()
        else:
            text, extra = _atom(child)
            if text:
                runs.append(Span(Op.EQUAL, text, (*marks, *extra)))
    return runs


def _atom(token: Token) -> tuple[str, tuple[Mark, ...]]:
    """The text of a leaf token in an inline run, and the formatting it adds."""
    if token.type == "softbreak":
        return " ", ()  # a line break in the source is no change
    if token.type == "hardbreak":
        return "\n", (Mark("br"),)
    if token.type == "code_inline":
        return token.content, (Mark("code"),)
    if token.type == "footnote_ref":
        return f"[{token.meta.get('label') or token.meta['id'] + 1}]", (Mark("sup"),)
    return re.sub(r"\s+", " ", token.content), ()


class _Cursor:
    """Walks through spans by character counts, splitting them where a diff operation ends."""

    def __init__(self, runs: Sequence[Span]) -> None:
        self.runs = runs
        self.index = 0
        self.offset = 0

    def take(self, length: int, op: Op) -> list[Span]:
        pieces = []
        while length:
            run = self.runs[self.index]
            piece = run.text[self.offset : self.offset + length]
            pieces.append(Span(op, piece, run.marks))
            length -= len(piece)
            self.offset += len(piece)
            if self.offset == len(run.text):
                self.index, self.offset = self.index + 1, 0
        return pieces


def diff_runs(old: Sequence[Span], new: Sequence[Span]) -> list[Span]:
    """Word diff of two formatted texts; unchanged text keeps the newer formatting."""
    old_cursor, new_cursor = _Cursor(old), _Cursor(new)
    spans: list[Span] = []
    old_text, new_text = "".join(r.text for r in old), "".join(r.text for r in new)
    for code, text in word_diff(old_text, new_text):
        op = _TEXT_OPS.get(code, Op.INSERT)
        if op is Op.EQUAL:
            old_cursor.take(len(text), op)
        spans += (old_cursor if op is Op.DELETE else new_cursor).take(len(text), op)
    return spans


def diff_text(old: str, new: str) -> list[Span]:
    """Word diff of two plain texts (headings, say)."""
    return diff_runs([Span(Op.EQUAL, old)] if old else [], [Span(Op.EQUAL, new)] if new else [])


def diff_source(old: str, new: str) -> list[Span]:
    """Word diff of two Markdown sources, blind to white space and re-wrapping."""
    diffs = word_diff(old, new, ignore_whitespace=True)
    return [Span(_TEXT_OPS.get(op, Op.INSERT), text) for op, text in diffs]


@dataclass(eq=False)
class BlockDiff:
    """One block of the comparison: unchanged, inserted, deleted, or changed inside."""

    op: Op
    old: Block | None
    new: Block | None

    @property
    def block(self) -> Block:
        """The block as it is shown: the newer one, unless it was deleted."""
        block = self.new or self.old
        assert block is not None
        return block

    @property
    def kind(self) -> str:
        return self.block.kind

    @property
    def base_kind(self) -> str:
        return self.block.base_kind

    @cached_property
    def parts(self) -> list[BlockDiff]:
        """The diffs of the blocks inside (list items, rows, cells, quoted paragraphs)."""
        if self.op is Op.CHANGE:
            assert self.old is not None and self.new is not None
            if self.base_kind == "tr":  # same number of cells: compare them column by column
                return [
                    _pair(o, n) for o, n in zip(self.old.children, self.new.children, strict=True)
                ]
            return diff_blocks(self.old.children, self.new.children)
        return [whole(self.op, child) for child in self.block.children]

    @cached_property
    def spans(self) -> list[Span]:
        """The diff of the block's own text (leaves and code)."""
        if self.op is Op.CHANGE:
            assert self.old is not None and self.new is not None
            return diff_runs(self.old.runs, self.new.runs)
        if self.op is Op.EQUAL:
            return self.block.runs
        return [replace(run, op=self.op) for run in self.block.runs]

    @property
    def changed(self) -> bool:
        if self.op is Op.EQUAL:
            return False
        if self.op is not Op.CHANGE:
            return True
        return any(s.op is not Op.EQUAL for s in self.spans) or any(p.changed for p in self.parts)


def whole(op: Op, block: Block) -> BlockDiff:
    """A block that is the same on both sides, or only on one."""
    return BlockDiff(op, None if op is Op.INSERT else block, None if op is Op.DELETE else block)


def _pair(old: Block, new: Block) -> BlockDiff:
    return BlockDiff(Op.EQUAL if old.signature == new.signature else Op.CHANGE, old, new)


@dataclass(eq=False)
class MarkdownDiff:
    """The diff of two Markdown texts. The unchanged paragraphs they start and end with are
    kept as text, and parsed only when the whole diff is shown: most edits change one
    paragraph of several, and parsing is what comparing spends most on."""

    leading: str
    changed: list[BlockDiff]
    trailing: str
    references: Mapping[str, Any]  # the newer text's

    @cached_property
    def blocks(self) -> list[BlockDiff]:
        return [
            *whole_markdown(self.leading, self.references, Op.EQUAL),
            *self.changed,
            *whole_markdown(self.trailing, self.references, Op.EQUAL),
        ]


def diff_markdown(
    old: str, new: str, old_references: Mapping[str, Any], new_references: Mapping[str, Any]
) -> MarkdownDiff:
    old_parts, new_parts = old.split(_BLANK_LINE), new.split(_BLANK_LINE)
    leading = _unchanged_start(old_parts, new_parts)
    trailing = _unchanged_end(old_parts[leading:], new_parts[leading:])
    old_middle = _BLANK_LINE.join(old_parts[leading : len(old_parts) - trailing])
    new_middle = _BLANK_LINE.join(new_parts[leading : len(new_parts) - trailing])
    return MarkdownDiff(
        _BLANK_LINE.join(new_parts[:leading]),
        diff_blocks(
            parse_blocks(old_middle, old_references), parse_blocks(new_middle, new_references)
        ),
        _BLANK_LINE.join(new_parts[len(new_parts) - trailing :]),
        new_references,
    )


_BLANK_LINE = "\n\n"
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.MULTILINE)


def _unchanged_start(old: list[str], new: list[str]) -> int:
    """How many paragraphs both texts start with, up to a place where cutting the text
    cannot change how the rest parses."""
    count = 0
    while count < min(len(old), len(new)) and old[count] == new[count]:
        count += 1
    old_cuts, new_cuts = (_cuts(old), _cuts(new)) if count else ([], [])
    while count and not (old_cuts[count] and new_cuts[count]):
        count -= 1
    return count


def _unchanged_end(old: list[str], new: list[str]) -> int:
    count = 0
    while count < min(len(old), len(new)) and old[-1 - count] == new[-1 - count]:
        count += 1
    old_cuts, new_cuts = (_cuts(old), _cuts(new)) if count else ([], [])
    while count and not (old_cuts[len(old) - count] and new_cuts[len(new) - count]):
        count -= 1
    return count


def _cuts(parts: list[str]) -> list[bool]:
    """For each place before ``parts[at]`` (and the end), whether the text may be cut there: no
    code fence is open, and that paragraph starts with a letter, a heading, a table or a
    fence, at the margin, so it cannot continue a list, quote or footnote before it. In one
    pass: counting the fences before each place anew was quadratic."""
    cuts, fences = [True], 0
    for at in range(1, len(parts)):
        fences += len(_FENCE.findall(parts[at - 1]))
        start = parts[at][:1]
        starts_anew = start.isalpha() or start in "#|" or bool(_FENCE.match(parts[at]))
        cuts.append(starts_anew and fences % 2 == 0)
    return [*cuts, True] if parts else cuts


def whole_markdown(source: str, references: Mapping[str, Any], op: Op) -> list[BlockDiff]:
    """All of a text as unchanged, inserted or deleted."""
    return [whole(op, block) for block in parse_blocks(source, references)]


def diff_blocks(old: Sequence[Block], new: Sequence[Block]) -> list[BlockDiff]:
    """Align two block sequences; pair up the blocks of each stretch that differs."""
    if len(old) <= 1 and len(new) <= 1:  # nothing to align (a paragraph edited, say)
        if old and new and old[0].signature == new[0].signature:
            return [BlockDiff(Op.EQUAL, old[0], new[0])]
        return _stretch(list(old), list(new))
    result: list[BlockDiff] = []
    old_at = new_at = 0
    stretch_old: list[Block] = []
    stretch_new: list[Block] = []
    signatures = ([b.signature for b in old], [b.signature for b in new])
    for code, count in diff_counts(*signatures, clean_up=False):
        if code == EQUAL:
            result += _stretch(stretch_old, stretch_new)
            stretch_old, stretch_new = [], []
            result += [BlockDiff(Op.EQUAL, old[old_at + k], new[new_at + k]) for k in range(count)]
            old_at, new_at = old_at + count, new_at + count
        elif code == DELETE:
            stretch_old += old[old_at : old_at + count]
            old_at += count
        else:
            stretch_new += new[new_at : new_at + count]
            new_at += count
    return result + _stretch(stretch_old, stretch_new)


def _stretch(old: list[Block], new: list[Block]) -> list[BlockDiff]:
    """A stretch that differs: paired blocks are diffed inside; between pairs, the unpaired old
    blocks are shown deleted, then the unpaired new ones inserted."""
    result: list[BlockDiff] = []
    old_at = new_at = 0
    for old_index, new_index in [*_best_pairs(old, new), (len(old), len(new))]:
        result += [whole(Op.DELETE, b) for b in old[old_at:old_index]]
        result += [whole(Op.INSERT, b) for b in new[new_at:new_index]]
        if old_index < len(old):
            result.append(BlockDiff(Op.CHANGE, old[old_index], new[new_index]))
        old_at, new_at = old_index + 1, new_index + 1
    return result


def _best_pairs(old: list[Block], new: list[Block]) -> list[tuple[int, int]]:
    """The order-keeping pairing of blocks with the most words in common."""
    if not old or not new or len(old) * len(new) > MAX_PAIR_CANDIDATES:
        return []
    score = [[_affinity(o, n) for n in new] for o in old]
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in reversed(range(len(old))):
        for j in reversed(range(len(new))):
            paired = score[i][j] + best[i + 1][j + 1] if score[i][j] else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    pairs, i, j = [], 0, 0
    while i < len(old) and j < len(new):
        if score[i][j] and best[i][j] == score[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _affinity(old: Block, new: Block) -> float:
    """How well two blocks pair up, 0 when they should not be diffed together. The share of
    words they have in common (Dice's coefficient): a word diff of two unrelated texts is
    both unreadable and the slowest kind to compute, so it is decided before diffing."""
    if old.kind != new.kind or (len(old.tokens) == 1 and old.base_kind not in CODE_KINDS):
        return 0.0  # other kinds, or a block with nothing inside to diff (a rule)
    total = len(old.words) + len(new.words)
    shared = 2 * len(old.words & new.words) / total if total else 1.0
    if old.base_kind not in LEAF_KINDS | CODE_KINDS | _RECORD_KINDS:
        return 0.01 + shared  # a list or table pairs whenever the kinds agree, likest first
    return shared if shared >= PAIR_THRESHOLD else 0.0


def count_changed_words(diffs: Sequence[BlockDiff]) -> tuple[int, int]:
    """(words inserted, words deleted) in a diff tree."""
    inserted = deleted = 0
    for node in diffs:
        if node.op is Op.EQUAL:
            continue
        for span in node.spans:
            if span.op is Op.INSERT:
                inserted += count_words(span.text)
            elif span.op is Op.DELETE:
                deleted += count_words(span.text)
        more_inserted, more_deleted = count_changed_words(node.parts)
        inserted, deleted = inserted + more_inserted, deleted + more_deleted
    return inserted, deleted
