"""Splitting Markdown into numbered sections: pure functions, no app needed."""

import pytest

from reviewhub.text.sections import MarkdownError, parse_document, plain_text


def outline(source: str) -> list[tuple[str, str, int]]:
    return [(s.number, s.heading, s.level) for s in parse_document(source).sections]


def test_numbers_follow_heading_levels_one_to_four():
    source = "# A\n\n## A1\n\n### A1a\n\n#### A1a-i\n\n## A2\n\n# B\n\n## B1\n"
    assert outline(source) == [
        ("1", "A", 1),
        ("1.1", "A1", 2),
        ("1.1.1", "A1a", 3),
        ("1.1.1.1", "A1a-i", 4),
        ("1.2", "A2", 2),
        ("2", "B", 1),
        ("2.1", "B1", 2),
    ]


def test_skipped_levels_nest_under_the_nearest_higher_heading():
    assert outline("# A\n\n### Deep\n\n## Mid\n") == [
        ("1", "A", 1),
        ("1.1", "Deep", 2),
        ("1.2", "Mid", 2),
    ]


def test_documents_starting_below_level_one_number_from_one():
    assert outline("## First\n\n## Second\n") == [("1", "First", 1), ("2", "Second", 1)]


def test_levels_five_and_six_stay_in_the_body_just_below_the_section_heading():
    # On the page, a level-2 section's heading is an h3: its body headings start at h4.
    _, section = parse_document("# A\n\n## B\n\n##### Small\n\n###### Smaller\n").sections
    assert "<h4>Small</h4>" in section.html and "<h5>Smaller</h5>" in section.html


def test_headings_in_quotes_and_lists_do_not_skip_levels():
    (section,) = parse_document("# A\n\n> # Quoted\n\n- ## Listed\n").sections
    assert "<h3>Quoted</h3>" in section.html and "<h3>Listed</h3>" in section.html


def test_hash_lines_in_code_quotes_and_lists_are_not_boundaries():
    source = (
        "# Real\n\n```text\n# in code\n```\n\n> # in quote\n\n- # in list\n\n    # indented code\n"
    )
    (section,) = parse_document(source).sections
    assert section.heading == "Real"
    assert "# in code" in section.text
    assert "in quote" in section.text and "in list" in section.text


def test_setext_headings_are_boundaries():
    assert outline("Title\n=====\n\nSub\n---\n\ntext\n") == [("1", "Title", 1), ("1.1", "Sub", 2)]


def test_text_before_the_first_heading_is_an_unnumbered_preamble():
    document = parse_document("Opening words.\n\n# One\n\nBody.\n")
    preamble, first = document.sections
    assert (preamble.number, preamble.level, preamble.heading) == ("", 0, "")
    assert preamble.text == "Opening words."
    assert first.number == "1"


def test_a_document_without_headings_is_one_section():
    (section,) = parse_document("Just a paragraph.\n\nAnd another.\n").sections
    assert section.level == 0 and section.text == "Just a paragraph. And another."


def test_blank_lines_before_the_first_heading_make_no_preamble():
    assert outline("\n\n# One\n") == [("1", "One", 1)]


def test_empty_sections_are_kept():
    document = parse_document("# Empty\n# Next\n\ntext\n")
    assert [(s.heading, s.text) for s in document.sections] == [("Empty", ""), ("Next", "text")]


def test_heading_text_is_rendered_text_without_markup_or_key():
    (section,) = parse_document(
        "## **Veiligheid** [voorop](https://example.org) {#veiligheid}\n"
    ).sections
    assert section.heading == "Veiligheid voorop"
    assert section.explicit_key == "veiligheid"
    assert "<strong>Veiligheid</strong>" in section.heading_html
    assert "{#" not in section.heading_html


def test_a_key_may_appear_only_once():
    with pytest.raises(MarkdownError, match="veiligheid"):
        parse_document("# A {#veiligheid}\n\n# B {#veiligheid}\n")


def test_reference_links_defined_in_another_section_resolve():
    source = "# A\n\nSee [the code][meldcode].\n\n# B\n\n[meldcode]: https://example.org/meldcode\n"
    first, _ = parse_document(source).sections
    assert '<a href="https://example.org/meldcode">the code</a>' in first.html


def test_footnotes_render_where_they_are_cited_with_unique_ids():
    source = "# A\n\nClaim[^1].\n\n# B\n\nOther[^1].\n\n# Notes\n\n[^1]: The *source*.\n"
    first, second, notes = parse_document(source).sections
    assert "The <em>source</em>." in first.html and "The <em>source</em>." in second.html
    assert 'id="fn-s0-1"' in first.html and 'id="fn-s1-1"' in second.html
    assert "source" not in notes.text


def test_editing_a_footnote_edits_the_citing_section():
    before = parse_document("# A\n\nClaim[^1].\n\n# Notes\n\n[^1]: One.\n").sections
    after = parse_document("# A\n\nClaim[^1].\n\n# Notes\n\n[^1]: Two.\n").sections
    assert before[0].content_hash != after[0].content_hash
    assert before[1].content_hash == after[1].content_hash


def test_raw_html_is_shown_as_text():
    (section,) = parse_document("# A\n\n<script>alert(1)</script> <b>bold</b>\n").sections
    assert "<script>" not in section.html and "&lt;script&gt;" in section.html
    assert "<b>" not in section.html


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "vbscript:msgbox", "data:text/html;base64,x"],
)
def test_unsafe_link_targets_are_neutralised(target):
    (section,) = parse_document(f"# A\n\n[click]({target}) and ![img]({target})\n").sections
    assert "href=" not in section.html and "src=" not in section.html


def test_rewrapping_a_paragraph_does_not_change_the_content_hash():
    one = parse_document("# A\n\nOne two three four.\n").sections[0]
    two = parse_document("# A\n\nOne two\nthree   four.\n").sections[0]
    assert one.content_hash == two.content_hash


def test_front_matter_is_read_and_not_part_of_any_section():
    document = parse_document("---\nlabel: Dialoogversie 1\nstatus: open\n---\n# A\n\nText.\n")
    assert document.front_matter == {"label": "Dialoogversie 1", "status": "open"}
    assert [s.heading for s in document.sections] == ["A"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("---\nlabel: [unclosed\n---\n# A\n", "not valid YAML"),
        ("---\n- a list\n---\n# A\n", "name: value"),
        ("---\nlabel: x\n---\n\n   \n", "no text"),
    ],
)
def test_unusable_sources_are_refused_with_a_reason(source, message):
    with pytest.raises(MarkdownError, match=message):
        parse_document(source)


def test_tables_and_windows_line_endings():
    source = "# A\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n"
    (section,) = parse_document(source).sections
    assert "<table>" in section.html and "\r" not in section.body


def test_plain_text_collapses_whitespace_and_unescapes():
    assert plain_text("<p>a &amp; b</p>\n<ul>\n<li>c</li>\n</ul>") == "a & b c"
