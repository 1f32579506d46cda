"""Properties of the pure text functions on arbitrary input (hypothesis), and the whole payload
corpus through every renderer. No app and no database, but for the last test (publishing).

- Markdown -> sections -> HTML (reviewhub.text.sections.parse_document): any text is parsed or
  refused with MarkdownError; the HTML holds only what markdown-it makes (safe_html); numbers
  are well-formed; hashes are stable; the sections' texts keep the document's words.
- The comparison's HTML (reviewhub.compare) of any two such texts is as safe.
- Anchoring (reviewhub.text.anchoring): a passage chosen from a text is found exactly where it
  was chosen; a passage that is not there raises AnchorError.
- Word diffs (reviewhub.text.words.word_diff): the deletions and insertions turn the older text
  into the newer one, on the exact path and on the bounded, coarser one.

Every test is derandomized, so CI runs the same examples each time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from reviewhub.compare.blocks import diff_markdown, diff_source
from reviewhub.compare.html import Side, render_blocks, render_spans
from reviewhub.extensions import db
from reviewhub.feedback.display import render_body
from reviewhub.publishing import PublishError, VersionMeta, publish_version
from reviewhub.text import words
from reviewhub.text.anchoring import (
    AnchorError,
    anchor_at,
    locate,
    normalise_quote,
)
from reviewhub.text.sections import (
    MarkdownError,
    ParsedSection,
    parse_document,
    plain_text,
    render_markdown,
)
from reviewhub.text.words import DELETE, EQUAL, INSERT, diff_counts, similarity, word_diff
from tests.factories import make_document
from tests.hostile import payloads
from tests.hostile.safe_html import unsafe_parts

# The same examples on every run, and no example database (.hypothesis/) left behind.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- Markdown-ish text -------------------------------------------------------------------------

# Pieces of Markdown syntax, HTML, entities, keys and odd characters, glued together at random.
MARKDOWN_PIECES = [
    *("# ", "## ", "### ", "#### ", "##### ", "###### ", "\n", "\n\n", "\r\n", "\r"),
    *("- ", "* ", "+ ", "1. ", "2) ", "> ", ">> ", "  ", "    ", "\t", "```", "~~~", "```js"),
    *("| a | b |\n| --- | :-: |\n", "|", " | ", "---", "===", "***", "___", "\\", "  \n"),
    *("[", "]", "(", ")", "![", "[x](", "[x][r]", "[r]: ", "[^1]", "[^1]: ", "[^n]: ", "<"),
    *(">", "</", "/>", "<script>", "</script>", "<img src=x onerror=", "<svg onload=", "<a "),
    *("href=", "javascript:", "JavaScript:", "data:text/html,", "vbscript:", "http://x.org/"),
    *("mailto:a@b.c", '"', "'", "=", "`", "*", "**", "_", "~", "&amp;", "&lt;", "&#106;"),
    *("&#x3C;", "&#0;", "&#xD800;", "&", ";", "{#", "}", " {#key}", " {#a-1}", " {#Bad key}"),
    *("{{7*7}}", "{%", "%}", "<!--", "-->", "expression(", "</textarea>", "\u202e", "\u200d"),
    *("\u200b", "\ufeff", "\uff1c", "\uff1e", "\u2028", "\u0085", "\x0b", "\x0c", "\x1f", "\x7f"),
    *("é", "ß", "İ", "\U0001f600", "\u0627\u0644", "\U000f0000", "regie", "team", "word"),
]
_ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=6,
)
MARKDOWN_BODY = (
    st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), _ODD_TEXT), max_size=50)
    .map("".join)
    .filter(lambda text: not text.startswith("---"))  # front matter comes from FRONT_MATTER
)
# Front matter: "name: value" lines, valid or not. Its values hold no digits and no "!" tags:
# PyYAML turns some such values into errors other than YAMLError (a known bug with tests of
# its own in test_pathological.py), and random digits would make this test find it by chance.
_YAML_VALUE = st.text(alphabet="abc xyz:-[]{}'\"#&*|>,?", max_size=12)
FRONT_MATTER = st.one_of(
    st.just(""),
    st.lists(
        st.tuples(st.sampled_from(["label", "status", "summary", "x", "- y"]), _YAML_VALUE),
        max_size=4,
    ).map(lambda pairs: "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n"),
)
MARKDOWN = st.builds(lambda front, body: front + body, FRONT_MATTER, MARKDOWN_BODY)

_NUMBER = re.compile(r"[1-9][0-9]*(\.[1-9][0-9]*)*")


def parsed_or_refused(source: str) -> list[ParsedSection] | None:
    """The sections of ``source``, or None when it is refused with MarkdownError; any other
    exception fails the test."""
    try:
        return parse_document(source).sections
    except MarkdownError as error:
        assert str(error)  # a message for the author, in the app's default language
        return None


def check_numbering(sections: list[ParsedSection]) -> None:
    assert [s.position for s in sections] == list(range(len(sections)))
    children: dict[int | None, list[ParsedSection]] = {}
    for section in sections:
        if section.level == 0:  # the text before the first heading
            assert section.position == 0 and section.number == ""
            assert section.parent_position is None and section.explicit_key == "preamble"
            continue
        assert _NUMBER.fullmatch(section.number), section.number
        assert 1 <= section.level <= 4 and section.number.count(".") == section.level - 1
        if section.parent_position is None:
            assert section.level == 1
        else:
            parent = sections[section.parent_position]
            assert parent.position < section.position and parent.level == section.level - 1
            assert section.number.rpartition(".")[0] == parent.number
        children.setdefault(section.parent_position, []).append(section)
    for siblings in children.values():
        assert [s.number.rpartition(".")[2] for s in siblings] == [
            str(n) for n in range(1, len(siblings) + 1)
        ]
    assert len({s.number for s in sections}) == len(sections)


@PROPERTY
@given(MARKDOWN)
def test_any_markdown_is_parsed_or_refused_and_its_html_is_safe(source: str) -> None:
    sections = parsed_or_refused(source)
    event("refused" if sections is None else "parsed")
    if sections is None:
        return
    for section in sections:
        assert unsafe_parts(section.html) == [], section.html
        assert unsafe_parts(section.heading_html) == [], section.heading_html
        assert section.text == plain_text(section.html)
        assert "\x00" not in section.html
    check_numbering(sections)


@PROPERTY
@given(MARKDOWN)
def test_parsing_the_same_text_twice_gives_the_same_sections_and_hashes(source: str) -> None:
    first = parsed_or_refused(source)
    assert parsed_or_refused(source) == first
    if first is not None and "\r" not in source:  # Windows line breaks are no change
        again = parsed_or_refused(source.replace("\n", "\r\n"))
        assert again is not None
        assert [s.content_hash for s in again] == [s.content_hash for s in first]


# Documents of plain words under headings, in lists and quotes: every word must be read.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=1, max_size=8)
_LINE = st.tuples(
    st.sampled_from(["", "", "# ", "## ", "### ", "#### ", "##### ", "- ", "* ", "> ", "1. "]),
    st.lists(_WORD, min_size=1, max_size=6),
    st.sampled_from(["\n", "\n\n"]),
)


@PROPERTY
@given(st.lists(_LINE, min_size=1, max_size=25))
def test_the_sections_texts_keep_every_word_of_the_document_in_order(
    lines: list[tuple[str, list[str], str]],
) -> None:
    source = "".join(prefix + " ".join(line_words) + end for prefix, line_words, end in lines)
    sections = parse_document(source).sections
    read = " ".join(f"{s.heading} {s.text}" for s in sections).split()
    assert read == [word for _, line_words, _ in lines for word in line_words]


@PROPERTY
@given(MARKDOWN_BODY, MARKDOWN_BODY)
def test_the_comparison_html_of_any_two_texts_is_safe(old: str, new: str) -> None:
    diff = diff_markdown(old, new, {}, {})
    for side in (None, Side.OLD, Side.NEW):
        assert unsafe_parts(render_blocks(diff.blocks, side)) == []
    assert unsafe_parts(render_spans(diff_source(old, new))) == []


@PROPERTY
@given(MARKDOWN_BODY)
def test_summaries_and_reactions_render_safe_html(text: str) -> None:
    assert unsafe_parts(render_markdown(text)) == []
    assert unsafe_parts(render_body(text)) == []


# Link targets pieced together from what could spell a script URL to a browser: split or
# cased schemes, entities and percent-escapes of its letters, tabs, line breaks and controls.
LINK_TARGET = st.lists(
    st.sampled_from(
        [
            *("java", "script", "JaVa", "SCRIPT", "vb", "data", "text/html", "image/svg+xml"),
            *(":", "&colon;", "&#58;", "&#x3A;", "%3A", "&#106;", "&#x6A;", "j", "%6A"),
            *("&Tab;", "&NewLine;", "&#9;", "&#x0A;", "%09", "\t", "\\", "\x01", "\x1f"),
            *("\x0b", "\u00a0", "\u2028", " ", "<", ">", "(", ")", "/", "//", "x", "alert(1)"),
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@PROPERTY
@given(
    LINK_TARGET, st.sampled_from(["[a]({})", "![a]({})", "<{}>", "[a](<{}>)", "[a][r]\n\n[r]: {}"])
)
def test_no_link_target_becomes_a_script_url(target: str, form: str) -> None:
    source = form.format(target)
    for section in parse_document(source).sections:
        assert unsafe_parts(section.html) == [], section.html
    assert unsafe_parts(render_body(source)) == []
    diff = diff_markdown("", source, {}, {})
    assert unsafe_parts(render_blocks(diff.blocks)) == []


# --- The payload corpus, through every renderer --------------------------------------------------

CORPUS = [*payloads.TEXT, *payloads.MARKDOWN, *payloads.LINK_TARGETS]


def _contexts(payload: str) -> list[str]:
    """The payload in a heading, a paragraph, a list, a quote, a table, a footnote."""
    one_line = payload.replace("\n", " ")
    cell = one_line.replace("|", "\\|")
    return [
        f"# {one_line}\n",
        f"# Kop\n\n{payload}\n",
        f"- {one_line}\n  - {one_line}\n",
        f"> {one_line}\n",
        f"| {cell} | b |\n| --- | --: |\n| {cell} | {cell} |\n",
        f"Zie[^1].\n\n[^1]: {one_line}\n",
        f"[x][r] [r]\n\n[r]: {one_line}\n",
        f"[{one_line}]({one_line})\n",
    ]


@pytest.mark.parametrize("payload", CORPUS, ids=range(len(CORPUS)))
def test_every_payload_renders_to_safe_html_wherever_it_stands(payload: str) -> None:
    for source in _contexts(payload):
        for section in parse_document(source).sections:
            assert unsafe_parts(section.html) == [], (source, section.html)
            assert unsafe_parts(section.heading_html) == [], (source, section.heading_html)
    assert unsafe_parts(render_markdown(payload)) == []
    assert unsafe_parts(render_body(payload)) == []


def test_the_hostile_documents_and_their_comparison_render_to_safe_html() -> None:
    old, new = (payloads.hostile_markdown(n) for n in (1, 2))
    for source in (old, new):
        for section in parse_document(source).sections:
            assert unsafe_parts(section.html) == [] and unsafe_parts(section.heading_html) == []
    diff = diff_markdown(old, new, {}, {})
    assert unsafe_parts(render_blocks(diff.blocks)) == []
    assert unsafe_parts(render_spans(diff_source(old, new))) == []


def test_the_inspector_itself_finds_what_it_looks_for() -> None:
    assert unsafe_parts('<a href=" java\tscript:x">a</a><img src=x onerror=y>') == [
        "<a href=' java\\tscript:x'>",
        "<img onerror='y'>",
    ]
    assert unsafe_parts('<a href="&#106;avascript:x">') == ["<a href='javascript:x'>"]
    assert unsafe_parts("<svg><script>x</script>") == ["<svg>", "<script>", "<script"]
    assert unsafe_parts('<td style="text-align:right">') != []  # alignment is a class now
    assert unsafe_parts('<td class="align-right">') == []
    assert unsafe_parts('<img src="data:image/png;base64,AA">') == []
    assert unsafe_parts('<a href="data:image/png;base64,AA">') != []


# --- Anchoring ---------------------------------------------------------------------------------

# Folded as a section's plain text is: single spaces, none at either end.
SECTION_TEXT = st.text(alphabet="ab c.é\U0001f600\u200d", min_size=1, max_size=120).map(
    normalise_quote
)


@st.composite
def text_and_span(draw: Any) -> tuple[str, int, int]:
    text = draw(SECTION_TEXT)
    assume(text)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    assume(start < end)
    return text, start, end


def _occurrences(text: str, part: str) -> int:
    count, at = 0, text.find(part)
    while at != -1:
        count, at = count + 1, text.find(part, at + 1)
    return count


@PROPERTY
@given(text_and_span())
def test_a_chosen_passage_is_located_exactly_where_it_was_chosen(
    case: tuple[str, int, int],
) -> None:
    text, start, end = case
    anchor = anchor_at(text, start, end)
    assert anchor.exact == text[start:end]
    assert locate(text, anchor.exact, anchor.prefix, anchor.suffix, anchor.start) == anchor
    # Pasted with other white space, the passage is the same.
    pasted = anchor.exact.replace(" ", " \n\t ")
    assert locate(text, pasted, anchor.prefix, anchor.suffix, anchor.start) == anchor
    # Without the position, the context decides; it can only be ambiguous when the passage
    # occurs more than once with that very context.
    found = locate(text, anchor.exact, anchor.prefix, anchor.suffix)
    assert found.exact == anchor.exact and text[found.start : found.end] == anchor.exact
    if _occurrences(text, anchor.prefix + anchor.exact + anchor.suffix) == 1:
        assert found == anchor


@PROPERTY
@given(SECTION_TEXT, st.text(alphabet="ab cz\n\t", max_size=30))
def test_a_passage_is_located_in_the_text_or_refused_with_anchor_error(
    text: str, quote: str
) -> None:
    try:
        found = locate(text, quote)
    except AnchorError as error:
        assert normalise_quote(quote) not in text or not normalise_quote(quote)
        assert str(error)
    else:
        assert text[found.start : found.end] == normalise_quote(quote) == found.exact


@PROPERTY
@given(SECTION_TEXT, st.text(alphabet="ab cé", max_size=10))
def test_a_passage_that_is_not_in_the_text_raises_anchor_error(text: str, quote: str) -> None:
    missing = quote + "z"  # the texts have no z
    with pytest.raises(AnchorError):
        locate(text, missing)
    with pytest.raises(AnchorError):
        locate(text, " \n\t ")
    with pytest.raises(AnchorError):
        anchor_at(text, 0, len(text) + 1)


# --- Word diffs --------------------------------------------------------------------------------

_DIFF_PIECES = ["de", "het", "regie", "team", "veilig", " ", "  ", "\n", "\n\n", ".", ","]
DIFF_TEXT = st.lists(
    st.one_of(
        st.sampled_from([*_DIFF_PIECES, "é", "\U0001f600", "\t", "x1", "_", "? ", "! "]),
        st.text(max_size=4),
    ),
    max_size=40,
).map("".join)


def assert_transforms(diff: list[tuple[int, str]], old: str, new: str) -> None:
    assert "".join(text for op, text in diff if op != INSERT) == old
    assert "".join(text for op, text in diff if op != DELETE) == new
    assert all(text for _, text in diff)  # no empty operations


@contextmanager
def bounded(base: int, per_item: int) -> Iterator[list[Any]]:
    """Word diffs with a work bound this small; yields the work clocks they used."""
    clocks: list[Any] = []

    class Clock(words._WorkClock):
        def __init__(self, budget: int) -> None:
            super().__init__(budget)
            clocks.append(self)

    with (
        mock.patch.object(words, "DIFF_BASE_WORK", base),
        mock.patch.object(words, "DIFF_WORK_PER_ITEM", per_item),
        mock.patch.object(words, "_WorkClock", Clock),
    ):
        yield clocks


@PROPERTY
@given(DIFF_TEXT, DIFF_TEXT)
def test_a_word_diff_turns_the_older_text_into_the_newer(old: str, new: str) -> None:
    assert_transforms(word_diff(old, new), old, new)
    loose = word_diff(old, new, ignore_whitespace=True)
    assert "".join(text for op, text in loose if op != DELETE) == new
    assert 0 <= similarity(old, new) <= 1


# Texts of sentences, the newer one with some sentences kept: the bounded diff then aligns the
# sentences first and diffs the changed ones on their own.
_SENTENCE = st.lists(st.sampled_from(_DIFF_PIECES[:5]), min_size=1, max_size=6).map(
    lambda ws: " ".join(ws).capitalize() + ". "
)


@st.composite
def edited_sentences(draw: Any) -> tuple[str, str]:
    old = draw(st.lists(_SENTENCE, min_size=1, max_size=12))
    new = [
        sentence if draw(st.booleans()) else draw(_SENTENCE)
        for sentence in old
        if draw(st.integers(0, 5))  # now and then a sentence goes
    ]
    new += draw(st.lists(_SENTENCE, max_size=2))
    return "".join(old), "".join(new)


@PROPERTY
@given(
    st.one_of(st.tuples(DIFF_TEXT, DIFF_TEXT), edited_sentences()),
    st.sampled_from([(0, 0), (0, 1), (5, 0), (20, 2)]),
)
def test_past_the_work_bound_the_coarser_diff_still_transforms(
    texts: tuple[str, str], bound: tuple[int, int]
) -> None:
    old, new = texts
    with bounded(*bound) as clocks:
        diff = word_diff(old, new)
    event("ran out" if any(c.ran_out for c in clocks) else "within the bound")
    assert_transforms(diff, old, new)


def test_without_any_work_left_the_sentence_path_still_gives_a_correct_diff() -> None:
    """The coarsest case: no work at all, so the words and then the sentences run out; the
    common start and end are still found, and the rest is shown replaced."""
    old = "Regie is van de gemeente. Het team overlegt elke week. De casus is veilig. Einde. "
    new = "Regie is van de gemeente. Het team besluit elke week. De casus is veilig. Klaar. "
    with (
        bounded(0, 0) as clocks,
        mock.patch.object(words, "_by_sentence", wraps=words._by_sentence) as by_sentence,
    ):
        diff = word_diff(old, new)
    assert any(clock.ran_out for clock in clocks)
    assert by_sentence.called  # the sentences were aligned before the words
    assert_transforms(diff, old, new)
    assert diff[0] == (EQUAL, "Regie is van de gemeente. Het team ")


@PROPERTY
@given(st.lists(st.sampled_from("abcde"), max_size=30), st.lists(st.sampled_from("abcde")))
def test_block_counts_cover_both_sequences(old: list[str], new: list[str]) -> None:
    for clean_up in (True, False):
        counts = diff_counts(old, new, clean_up=clean_up)
        assert sum(n for op, n in counts if op != INSERT) == len(old)
        assert sum(n for op, n in counts if op != DELETE) == len(new)


# --- Publishing refuses or stores, nothing else ------------------------------------------------


@settings(PROPERTY, max_examples=25)
@given(MARKDOWN)
def test_publishing_any_text_stores_it_or_raises_publish_error(app: Flask, source: str) -> None:
    """The domain function the form and the CLI call, in a transaction rolled back each time."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        try:
            session = Session(bind=connection, join_transaction_mode="create_savepoint")
            document = make_document(session, "eigenschap")
            try:
                version = publish_version(session, document, source, VersionMeta(label="V"))
            except PublishError as error:
                assert str(error)
            else:
                assert len(version.sections) == len(parse_document(source).sections)
            session.close()
        finally:
            transaction.rollback()
            connection.close()
