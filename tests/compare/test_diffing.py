"""Comparing versions: Markdown diffs that keep their structure (pure functions), and the
comparison of stored versions (alignment through the versions between, classification,
summary, history)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviewhub.compare.blocks import (
    _MD,
    LinkDefinitions,
    Op,
    count_changed_words,
    diff_markdown,
    diff_source,
    diff_text,
    parse_blocks,
    split_blocks,
)
from reviewhub.compare.html import render_blocks, render_spans, side_by_side
from reviewhub.compare.versions import CompareError, compare_versions, section_history
from reviewhub.models import Document, Version
from reviewhub.text.sections import parse_document
from reviewhub.text.words import EQUAL, INSERT, word_diff
from tests.factories import DOCUMENTS, SAMPLE_SLUG, make_document, publish

SAMPLE = DOCUMENTS / SAMPLE_SLUG


def diff(old: str, new: str):
    return diff_markdown(old, new, {}, {}).blocks


def html(old: str, new: str) -> str:
    return str(render_blocks(diff(old, new)))


def changes(spans) -> list[tuple[str, str]]:
    return [(span.op.value, span.text) for span in spans if span.op is not Op.EQUAL]


def sample_sections(number: int) -> dict[str, str]:
    document = parse_document((SAMPLE / f"v{number}.md").read_text(encoding="utf-8"))
    return {section.heading: section.body for section in document.sections}


# --- Word diffs inside blocks ----------------------------------------------------------------


def test_a_paragraph_is_diffed_word_by_word():
    old, new = sample_sections(1), sample_sections(2)
    (paragraph, unchanged) = diff(
        old["Doel van dit handelingskader"], new["Doel van dit handelingskader"]
    )
    assert paragraph.op is Op.CHANGE and unchanged.op is Op.EQUAL
    assert changes(paragraph.spans) == [
        ("delete", "geeft"),
        ("insert", "biedt"),
        ("delete", "rolverdeling"),
        ("insert", "taakverdeling"),
        ("delete", "duidelijk"),
        ("insert", "helder"),
    ]
    assert count_changed_words([paragraph, unchanged]) == (3, 3)


def test_changes_are_marked_for_screen_readers_and_not_by_colour_alone():
    page = html("Het kader geeft houvast.", "Het kader biedt houvast.")
    assert page == (
        '<p>Het kader <del><span class="diff-label">deleted: </span>geeft</del>'
        '<ins><span class="diff-label">inserted: </span>biedt</ins> houvast.</p>'
    )


def test_an_added_list_item_is_inserted_and_an_edited_one_diffed_in_place():
    old, new = sample_sections(1)["Lokaal team"], sample_sections(2)["Lokaal team"]
    _, listing, _ = diff(old, new)
    assert listing.base_kind == "bullet_list" and listing.op is Op.CHANGE
    assert [item.op for item in listing.parts] == [
        Op.EQUAL, Op.INSERT, Op.EQUAL, Op.EQUAL, Op.CHANGE,
    ]  # fmt: skip
    page = str(render_blocks([listing]))
    assert page.startswith("<ul><li>") and page.endswith("</li></ul>")
    assert '<li class="diff-li--insert"><ins class="diff-block">' in page
    assert "passende hulp inzetten <ins>" in page and "of organiseren" in page


def test_table_cells_are_diffed_one_by_one_while_the_shape_stays():
    old = sample_sections(1)["Overzicht van de fasen"]
    new = sample_sections(2)["Overzicht van de fasen"]
    _, table, _ = diff(old, new)
    assert table.kind == "table/4" and table.op is Op.CHANGE
    rows = [row for group in table.parts for row in group.parts]
    changed = [
        (r, c) for r, row in enumerate(rows) for c, cell in enumerate(row.parts) if cell.changed
    ]
    assert changed == [(4, 1), (5, 3)]
    assert changes(rows[5].parts[3].spans) == [
        ("delete", "Overdracht"),
        ("insert", "Warme overdracht"),
        ("insert", " met nazorg"),
    ]
    page = str(render_blocks([table]))
    assert page.count("<table>") == 1 and page.count("<tr>") == 6


def test_a_table_that_gains_a_column_is_shown_deleted_then_inserted():
    old = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    new = "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n"
    assert [(d.op, d.kind) for d in diff(old, new)] == [
        (Op.DELETE, "table/2"),
        (Op.INSERT, "table/3"),
    ]
    page = html(old, new)
    assert '<del class="diff-block">' in page and '<ins class="diff-block">' in page


def test_table_rows_added_and_removed_keep_the_table_valid():
    old = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"
    new = "| a | b |\n|---|---|\n| 1 | 2 |\n| 5 | 6 |\n"
    page = html(old, new)
    assert '<tr class="diff-tr--delete"><td><del>' in page
    assert '<tr class="diff-tr--insert"><td><ins>' in page
    assert "<table><ins" not in page and "<tbody><del" not in page


def test_rewrapping_a_paragraph_is_no_change():
    old = sample_sections(2)["Aanleiding"]
    new = sample_sections(3)["Aanleiding"]
    assert old != new  # the lines were re-wrapped at 72 columns
    assert all(block.op is Op.EQUAL for block in diff(old, new))
    assert changes(diff_source(old, new)) == []


def test_whitespace_only_changes_are_ignored_in_the_source_diff():
    assert word_diff("a b\nc", "a  b c", ignore_whitespace=True) == [(EQUAL, "a  b c")]
    assert word_diff("a b", "a b c", ignore_whitespace=True) == [(EQUAL, "a b"), (INSERT, " c")]
    paragraphs = word_diff("a\n\nb", "a b", ignore_whitespace=True)
    assert paragraphs != [(EQUAL, "a b")]  # joining two paragraphs is a change


def test_identical_texts_have_no_changes():
    body = sample_sections(3)["Beroepsgeheim"]
    blocks = diff(body, body)
    assert all(block.op is Op.EQUAL for block in blocks)
    assert count_changed_words(blocks) == (0, 0)


def test_unrelated_paragraphs_are_replaced_rather_than_shredded():
    old = "De regie ligt bij de gemeente en het lokale team.\n"
    new = "Scholen zien kinderen vaak dagelijks en merken zorgen op.\n"
    assert [block.op for block in diff(old, new)] == [Op.DELETE, Op.INSERT]


def test_a_split_paragraph_is_paired_with_the_likest_new_one():
    old = "Het beroepsgeheim beschermt de relatie. Het is geen absoluut verbod.\n"
    new = (
        "Vraag eerst toestemming van de ouders.\n\n"
        "Het beroepsgeheim beschermt de relatie. Het is geen absoluut verbod om te delen.\n"
    )
    inserted, edited = diff(old, new)
    assert inserted.op is Op.INSERT and edited.op is Op.CHANGE
    assert changes(edited.spans) == [("insert", " om te delen")]


def test_formatting_and_links_survive_the_diff_and_text_is_escaped():
    old = "Lees *de* [meldcode](https://example.org/meldcode) <script>x</script>.\n"
    new = "Lees **de** [meldcode](https://example.org/meldcode) goed <script>x</script>.\n"
    page = html(old, new)
    assert "<strong>de</strong>" in page
    assert '<a href="https://example.org/meldcode">meldcode</a>' in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert '<ins><span class="diff-label">inserted: </span>goed </ins>' in page


def test_unsafe_links_stay_text():
    page = html("[x](javascript:alert(1))\n", "[x](javascript:alert(2))\n")
    assert "href" not in page


def test_reference_links_resolve_with_the_documents_definitions():
    definitions = LinkDefinitions("Tekst.\n\n[meldcode]: https://example.org/meldcode\n")
    blocks = diff_markdown(
        "Zie de [Meldcode][meldcode].\n",
        "Zie de [meldcode][meldcode] nu.\n",
        definitions,
        definitions,
    ).blocks
    assert '<a href="https://example.org/meldcode">' in str(render_blocks(blocks))


def test_footnote_references_and_definitions_are_shown_where_they_stand():
    old = "Veiligheid gaat voor.[^1]\n\n[^1]: Zie de Jeugdwet.\n"
    new = "Veiligheid gaat altijd voor.[^1]\n\n[^1]: Zie de Jeugdwet, artikel 1.\n"
    page = html(old, new)
    assert "<sup>[1]</sup>" in page
    assert '<div class="diff-footnote"><span class="diff-footnote__label">[1]</span>' in page
    assert "artikel 1" in page


def test_unchanged_paragraphs_around_an_edit_are_split_off_only_where_it_is_safe():
    loose_list = "- een\n\n- twee\n\n- drie\n"
    edited = diff_markdown(loose_list, loose_list.replace("twee", "2"), {}, {})
    assert edited.leading == "" and edited.trailing == ""  # still one list
    assert [(d.op, d.base_kind) for d in edited.blocks] == [(Op.CHANGE, "bullet_list")]
    fenced = "Intro.\n\n```\ncode\n\nmeer\n```\n\nSlot.\n"
    edited = diff_markdown(fenced, fenced.replace("meer", "minder"), {}, {})
    assert edited.leading == "Intro." and edited.trailing == "Slot.\n"
    assert [d.base_kind for d in edited.changed] == ["fence"]
    prose = "Een.\n\nTwee stappen.\n\nDrie.\n"
    edited = diff_markdown(prose, prose.replace("Twee", "Twee korte"), {}, {})
    assert (edited.leading, edited.trailing) == ("Een.", "Drie.\n")
    assert [d.op for d in edited.blocks] == [Op.EQUAL, Op.CHANGE, Op.EQUAL]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Het kader geeft houvast bij het nemen\nvan beslissingen over veiligheid.",
        "Lees *de* [meldcode][m] en `code`,\n  met een ingesprongen regel.",
    ],
)
def test_plain_paragraphs_are_recognised_without_parsing_as_markdown_it_would(paragraph):
    tokens = []
    _MD.block.parse(paragraph, _MD, {}, tokens)
    (quick,) = parse_blocks(paragraph, {})
    assert [t.type for t in quick.tokens] == [t.type for t in tokens]
    assert quick.signature == split_blocks(tokens, {})[0].signature
    assert quick.tokens[1].content == tokens[1].content


@pytest.mark.parametrize(
    "text", ["- een\n- twee", "Een\n- twee", "Kop\n---", "a | b\n--|--", "1. een", "> citaat"]
)
def test_text_with_block_syntax_is_parsed(text):
    tokens = []
    _MD.block.parse(text, _MD, {}, tokens)
    assert [b.kind for b in parse_blocks(text, {})] == [b.kind for b in split_blocks(tokens, {})]


def test_code_blocks_are_diffed_as_text():
    page = html("```\nstap 1\nstap 2\n```\n", "```\nstap 1\nstap 3\n```\n")
    assert page.startswith("<pre><code>stap 1\nstap <del>")


def test_side_by_side_shows_deletions_left_and_insertions_right():
    ((left, right),) = side_by_side(diff("Het kader geeft houvast.", "Het kader biedt houvast."))
    assert "<del>" in left and "<ins>" not in left and "biedt" not in left
    assert "<ins>" in right and "<del>" not in right and "geeft" not in right


def test_heading_diffs_are_plain_word_diffs():
    spans = diff_text("Regie en casusverantwoordelijkheid", "Wie houdt het overzicht?")
    assert changes(spans) == [
        ("delete", "Regie en casusverantwoordelijkheid"),
        ("insert", "Wie houdt het overzicht?"),
    ]
    assert "<del>" in str(render_spans(spans))


# --- Comparing stored versions ---------------------------------------------------------------


def sample_versions(session) -> dict[int, Version]:
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    return {version.number: version for version in document.versions}


def by_heading(comparison) -> dict[str, object]:
    return {change.section.heading: change for change in comparison.changes}


def test_consecutive_versions_agree_with_the_stored_mapping(session):
    versions = sample_versions(session)
    comparison = compare_versions(session, versions[1], versions[2])
    stored = {s.id: s.change_kind for s in versions[2].sections}
    for change in comparison.changes:
        if change.new is not None:
            assert change.kind is stored[change.new.id], change.new.heading
    removed = [c.old.heading for c in comparison.changes if c.removed]
    assert removed == ["Totstandkoming van deze versie", "Veelgestelde vragen"]


def test_versions_further_apart_are_aligned_through_the_versions_between(session):
    versions = sample_versions(session)
    comparison = compare_versions(session, versions[1], versions[3])
    changed = by_heading(comparison)
    regie = changed["Wie houdt het overzicht?"]
    assert (regie.old.number, regie.new.number) == ("3.5", "2.4")
    assert regie.moved and regie.renamed and not regie.edited
    assert regie.old.heading == "Regie en casusverantwoordelijkheid"
    frequency = changed["Frequentie van checks"]
    assert frequency.moved and frequency.edited and frequency.old.number == "4.5.1.1"
    assert (
        changed["Privacywetgeving en de AVG"].renamed
        and changed["Privacywetgeving en de AVG"].edited
    )
    assert changed["Kwaliteitsmonitor"].moved and not changed["Kwaliteitsmonitor"].edited
    assert changed["Aanleiding"].unchanged  # re-wrapped only
    assert changed["Leeswijzer"].unchanged and changed["Leeswijzer"].renumbered
    assert {c.section.heading for c in comparison.changes if c.added} == {
        "Onderwijs en kinderopvang",
        "Acute en structurele onveiligheid",
        "Nazorg na afschalen",
        "Leren van calamiteiten",
        "Bijlage D: Gespreksleidraad veiligheidscheck",
    }
    assert [c.section.heading for c in comparison.changes if c.removed] == [
        "Totstandkoming van deze versie",
        "Veelgestelde vragen",
        "Bij wie kun je terecht met privacyvragen?",
    ]
    summary = comparison.summary
    assert (summary.added, summary.removed, summary.moved, summary.renamed) == (5, 3, 4, 4)
    assert (summary.edited, summary.unchanged) == (13, 34)
    assert summary.words_added > summary.words_removed > 0


def test_a_moved_section_appears_once_as_moved_not_as_removed_and_added(session):
    versions = sample_versions(session)
    comparison = compare_versions(session, versions[1], versions[3])
    keys = [c.section.key for c in comparison.changes]
    assert keys.count("regie") == 1


def test_removed_sections_stand_where_they_were(session):
    versions = sample_versions(session)
    headings = [
        c.section.heading for c in compare_versions(session, versions[1], versions[2]).changes
    ]
    at = headings.index("Totstandkoming van deze versie")
    assert headings[at - 1 : at + 2] == [
        "Voor wie is dit kader bedoeld",
        "Totstandkoming van deze versie",
        "Leeswijzer",
    ]


def test_the_predecessor_links_win_over_keys(session):
    document = make_document(session, "sleutels")
    publish(session, document, "# Regie\n\nWie voert de regie?\n")
    publish(session, document, "# Regie {#overzicht}\n\nWie voert de regie?\n")
    publish(session, document, "# Overzicht {#overzicht}\n\nWie voert de regie nu?\n")
    first, _, third = document.versions
    assert first.sections[0].key != third.sections[0].key
    (change,) = compare_versions(session, first, third).changes
    assert change.renamed and change.edited and not (change.added or change.removed)


def test_a_version_compared_with_itself_has_no_changes(session):
    version = sample_versions(session)[2]
    comparison = compare_versions(session, version, version)
    assert comparison.changed == []
    assert comparison.summary.unchanged == len(version.sections)
    assert (comparison.summary.words_added, comparison.summary.words_removed) == (0, 0)


def test_versions_that_differ_only_in_line_wrapping_have_no_changes(session):
    document = make_document(session, "gelijk")
    publish(session, document, "# A\n\nDe tekst van een alinea.\n")
    publish(session, document, "# A\n\nDe tekst\nvan een   alinea.\n")
    first, second = document.versions
    comparison = compare_versions(session, first, second)
    assert comparison.changed == [] and comparison.summary.unchanged == 1


def test_the_order_given_does_not_matter_older_is_compared_with_newer(session):
    versions = sample_versions(session)
    reversed_order = compare_versions(session, versions[3], versions[1])
    assert (reversed_order.old_version_id, reversed_order.new_version_id) == (
        versions[1].id,
        versions[3].id,
    )
    assert reversed_order is compare_versions(session, versions[1], versions[3])  # cached


def test_versions_of_different_documents_cannot_be_compared(session):
    other = make_document(session, "ander-kader")
    version = publish(session, other, "# A\n")
    with pytest.raises(CompareError):
        compare_versions(session, sample_versions(session)[1], version)


def test_word_counts_cover_headings_and_whole_sections(session):
    versions = sample_versions(session)
    changed = by_heading(compare_versions(session, versions[1], versions[2]))
    assert changed["Doel van dit handelingskader"].words == (3, 3)
    removed = changed["Totstandkoming van deze versie"]
    assert removed.words[0] == 0 and removed.words[1] > 50
    renamed = changed["Wie houdt het overzicht?"]
    assert renamed.words == (4, 3)


def test_section_history_follows_the_section_through_every_version(session):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    steps = section_history(session, document, "regie", document.versions)
    assert [(s.version.number, s.change.marker) for s in steps] == [
        (1, "new"),
        (2, "renamed"),
        (3, "moved"),
    ]
    assert (steps[2].change.old.number, steps[2].change.new.number) == ("3.5", "2.4")


def test_section_history_ends_with_the_version_that_removed_it(session):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    key = next(s.key for s in document.versions[0].sections if s.heading == "Veelgestelde vragen")
    steps = section_history(session, document, key, document.versions)
    assert [(s.version.number, s.change.marker) for s in steps] == [(1, "new"), (2, "removed")]
    assert section_history(session, document, "bestaat-niet", document.versions) == []


def test_rendered_comparison_marks_only_edited_sections_word_by_word(session):
    versions = sample_versions(session)
    comparison = compare_versions(session, versions[2], versions[3])
    veilig_thuis = by_heading(comparison)["Veilig Thuis"]
    page = str(render_blocks(veilig_thuis.blocks))
    assert re.search(r"<del>.*norm</del><ins>.*standaard", page)
