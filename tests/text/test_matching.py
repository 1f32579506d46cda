"""Matching a version's sections with the previous version's: pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml

from reviewhub.text.matching import MatchResult, PriorSection, match_sections, prior_sections
from reviewhub.text.sections import ParsedSection, parse_document
from tests.factories import DATA, DOCUMENTS

EXPECTED = yaml.safe_load((DATA / "expected_mapping.yml").read_text())


@dataclass
class Published:
    sections: list[ParsedSection]
    result: MatchResult

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.result.matches]

    def prior(self) -> list[PriorSection]:
        return prior_sections(self.sections, self.keys)


def publish_chain(*sources: str) -> list[Published]:
    """Match each source against the one before, as publishing does."""
    chain: list[Published] = []
    used: set[str] = set()
    for source in sources:
        sections = parse_document(source).sections
        prior = chain[-1].prior() if chain else []
        result = match_sections(prior, sections, used)
        chain.append(Published(sections, result))
        used.update(chain[-1].keys)
    return chain


def mapping(old: Published, new: Published) -> list[tuple[str, str, str | None]]:
    """(heading, change kind, predecessor's heading) for each new section."""
    return [
        (
            section.heading,
            match.change_kind.value,
            old.sections[match.predecessor].heading if match.predecessor is not None else None,
        )
        for section, match in zip(new.sections, new.result.matches, strict=True)
    ]


def removed(old: Published, new: Published) -> list[str]:
    return [old.sections[i].heading for i in new.result.removed]


def test_first_version_gets_slug_keys_and_everything_is_new():
    (first,) = publish_chain(
        "Intro.\n\n# Veiligheid voorop\n\n## Toelichting\n\n# Twee\n\n## Toelichting\n"
    )
    assert first.keys == ["preamble", "veiligheid-voorop", "toelichting", "twee", "toelichting-2"]
    assert {m.change_kind.value for m in first.result.matches} == {"new"}


def test_identical_versions_are_unchanged_throughout():
    source = "Intro.\n\n# A\n\nalpha\n\n## B\n\nbeta\n"
    old, new = publish_chain(source, source + "\n")
    assert [m.change_kind.value for m in new.result.matches] == ["unchanged"] * 3
    assert new.keys == old.keys and removed(old, new) == []


def test_renamed_heading_keeps_its_key():
    old, new = publish_chain(
        "# Regie en verantwoordelijkheid\n\nWie doet wat in de casus.\n",
        "# Wie houdt het overzicht?\n\nWie doet wat in de casus.\n",
    )
    assert mapping(old, new) == [
        ("Wie houdt het overzicht?", "renamed", "Regie en verantwoordelijkheid")
    ]
    assert new.keys == old.keys


def test_explicit_key_follows_a_completely_new_heading_and_text():
    old, new = publish_chain(
        "# Regie {#regie}\n\nOude tekst over regie.\n",
        "# Geheel anders {#regie}\n\nVolledig herschreven alinea zonder overlap.\n",
    )
    assert mapping(old, new) == [("Geheel anders", "renamed", "Regie")]
    assert new.keys == ["regie"]


def test_pinning_a_key_on_an_existing_section_keeps_the_link_to_it():
    old, new = publish_chain("# Veiligheid\n\nTekst.\n", "# Veiligheid {#veilig}\n\nTekst.\n")
    assert mapping(old, new) == [("Veiligheid", "unchanged", "Veiligheid")]
    assert new.keys == ["veilig"]


def test_edited_body_is_edited():
    old, new = publish_chain(
        "# A\n\nDe veiligheid van het kind staat voorop in elke fase.\n",
        "# A\n\nDe veiligheid van ieder kind staat altijd voorop in elke fase.\n",
    )
    assert mapping(old, new) == [("A", "edited", "A")]


def test_whitespace_only_changes_are_unchanged():
    old, new = publish_chain(
        "# A\n\nEen lange zin die over\ntwee regels loopt.\n",
        "# A\n\nEen lange zin die over twee regels loopt.\n",
    )
    assert mapping(old, new)[0][1] == "unchanged"


def test_section_moved_to_another_parent_with_its_children():
    old, new = publish_chain(
        "# H1\n\none\n\n## Mover\n\nmoving text\n\n### Child\n\nchild text\n\n# H2\n\ntwo\n",
        "# H1\n\none\n\n# H2\n\ntwo\n\n## Mover\n\nmoving text\n\n### Child\n\nchild text\n",
    )
    assert mapping(old, new) == [
        ("H1", "unchanged", "H1"),
        ("H2", "unchanged", "H2"),
        ("Mover", "moved", "Mover"),
        ("Child", "unchanged", "Child"),  # travelled with its parent
    ]


def test_reordered_siblings_mark_only_the_minimal_set_as_moved():
    sections = {name: f"## {name}\n\ntext of {name} here\n" for name in "ABCD"}
    old, new = publish_chain(
        "# P\n\n" + "".join(sections[n] for n in "ABCD"),
        "# P\n\n" + "".join(sections[n] for n in "DABC"),
    )
    assert [kind for _, kind, _ in mapping(old, new)] == [
        "unchanged",
        "moved",
        "unchanged",
        "unchanged",
        "unchanged",
    ]


def test_precedence_moved_over_renamed_over_edited():
    old, new = publish_chain(
        "# A\n\n## Mover\n\nde tekst van de sectie die verhuist\n\n# B\n\nb\n\n"
        "## Renamer\n\nhernoemde sectie met dezelfde woorden\n",
        "# A\n\n# B\n\nb\n\n## Verhuisd\n\nde tekst van de sectie die verhuist en wijzigt\n\n"
        "## Hernoemd\n\nhernoemde sectie met dezelfde woorden en meer\n",
    )
    assert [kind for _, kind, _ in mapping(old, new)] == [
        "unchanged",
        "unchanged",
        "moved",
        "renamed",
    ]


def test_section_split_in_two_continues_in_the_first_part():
    text = "Eerste alinea over de weging van ernst en risico's voor het kind. " * 3
    rest = "Tweede alinea over acute onveiligheid en wat dan direct moet gebeuren."
    old, new = publish_chain(
        f"# Weging\n\n{text}\n\n{rest}\n",
        f"# Weging\n\n{text}\n\n# Acute onveiligheid\n\n{rest} Een nieuwe zin.\n",
    )
    assert mapping(old, new) == [
        ("Weging", "edited", "Weging"),
        ("Acute onveiligheid", "new", None),
    ]


def test_split_under_two_new_headings_follows_the_larger_part():
    big = "Signalen van onveiligheid worden altijd gewogen met het gezin erbij. " * 4
    small = "Daarna volgt een korte check."
    old, new = publish_chain(
        f"# Signaleren\n\n{big}\n\n{small}\n",
        f"# Signalen wegen\n\n{big}\n\n# Korte check\n\n{small}\n",
    )
    assert mapping(old, new) == [
        ("Signalen wegen", "renamed", "Signaleren"),
        ("Korte check", "new", None),
    ]


def test_duplicate_headings_are_told_apart_by_their_parent():
    start = "# A\n\n## Toelichting\n\nuitleg bij a\n\n# B\n\n## Toelichting\n\n"
    old, new = publish_chain(start + "uitleg bij b\n", start + "heel andere uitleg bij b\n")
    assert [m.change_kind.value for m in new.result.matches] == [
        "unchanged",
        "unchanged",
        "unchanged",
        "edited",
    ]
    assert new.keys == old.keys


def test_identical_bodies_under_several_parents_stay_with_their_parent():
    body = "Zie de algemene toelichting in bijlage A.\n"
    source = f"# A\n\na\n\n## Toelichting\n\n{body}\n# B\n\nb\n\n## Toelichting\n\n{body}"
    _, new = publish_chain(source, source.replace("# B\n\nb", "# B\n\nb plus"))
    assert [m.predecessor for m in new.result.matches] == [0, 1, 2, 3]


def test_near_identical_twins_in_different_chapters_keep_their_own_predecessor():
    twin = "Leg afspraken vast in het plan, met wie wat doet en wanneer we evalueren."
    start = f"# Fase 1\n\n## Afspraken\n\n{twin}\n\n# Fase 2\n\n## Afspraken\n\n{twin}"
    _, new = publish_chain(start + " Ook de school.\n", start + " Ook de school en huisarts.\n")
    assert [m.predecessor for m in new.result.matches] == [0, 1, 2, 3]
    assert [m.change_kind.value for m in new.result.matches][3] == "edited"


def test_empty_sections_match_by_heading_not_by_empty_content():
    old, new = publish_chain(
        "# Bijlage A (volgt)\n# Bijlage B (volgt)\n",
        "# Bijlage B (volgt)\n# Bijlage C (volgt)\n",
    )
    assert mapping(old, new) == [
        ("Bijlage B (volgt)", "unchanged", "Bijlage B (volgt)"),
        ("Bijlage C (volgt)", "new", None),
    ]
    assert removed(old, new) == ["Bijlage A (volgt)"]


def test_documents_without_headings_match_as_one_section():
    old, new = publish_chain("Alleen tekst.\n", "Alleen tekst, iets langer.\n")
    assert mapping(old, new) == [("", "edited", "")]
    assert new.keys == ["preamble"]


def test_preamble_added_and_removed():
    old, new, newest = publish_chain("# A\n\na\n", "Intro.\n\n# A\n\na\n", "# A\n\na\n")
    assert mapping(old, new) == [("", "new", None), ("A", "unchanged", "A")]
    assert removed(new, newest) == [""]


def test_removed_and_new_sections():
    old, new = publish_chain(
        "# Blijft\n\nx\n\n# Gaat weg\n\nvolledig verdwenen tekst over iets\n",
        "# Blijft\n\nx\n\n# Nieuw\n\ngloednieuwe inhoud zonder verband\n",
    )
    assert mapping(old, new) == [("Blijft", "unchanged", "Blijft"), ("Nieuw", "new", None)]
    assert removed(old, new) == ["Gaat weg"]


def test_a_new_section_never_reuses_a_key_that_meant_something_else():
    first, _, third = publish_chain(
        "# Vragen\n\noude vragen en antwoorden\n\n# Vast\n\nv\n",
        "# Vast\n\nv\n",
        "# Vast\n\nv\n\n# Vragen\n\nheel andere nieuwe inhoud over iets anders\n",
    )
    assert first.keys == ["vragen", "vast"]
    assert third.keys == ["vast", "vragen-2"]


def test_similarity_below_the_threshold_is_no_match():
    old, new = publish_chain(
        "# Een\n\nappel peer banaan kiwi mango\n", "# Twee\n\nfiets auto trein bus boot\n"
    )
    assert mapping(old, new) == [("Twee", "new", None)]


SAMPLE = "handelingskader-veiligheidsteams"


@pytest.fixture(scope="module")
def sample_chain() -> list[Published]:
    files = [DOCUMENTS / SAMPLE / f"v{n}.md" for n in (1, 2, 3)]
    return publish_chain(*(path.read_text(encoding="utf-8") for path in files))


@pytest.mark.parametrize("number", [2, 3])
def test_sample_versions_map_section_by_section_as_expected(sample_chain, number):
    old, new = sample_chain[number - 2], sample_chain[number - 1]
    expected = EXPECTED[SAMPLE][number]
    got = [
        {
            "number": section.number,
            "heading": section.heading,
            "kind": match.change_kind.value,
            "predecessor": (
                old.sections[match.predecessor].number if match.predecessor is not None else None
            ),
        }
        for section, match in zip(new.sections, new.result.matches, strict=True)
    ]
    assert got == expected["sections"]
    assert [
        {"number": old.sections[i].number, "heading": old.sections[i].heading}
        for i in new.result.removed
    ] == expected["removed"]


def test_sample_exercises_every_change_kind(sample_chain):
    kinds = {m.change_kind.value for p in sample_chain[1:] for m in p.result.matches}
    assert kinds == {"unchanged", "edited", "renamed", "moved", "new"}
    assert all(p.result.removed for p in sample_chain[1:])


def test_sample_keys_are_stable_and_unique(sample_chain):
    for published in sample_chain:
        assert len(set(published.keys)) == len(published.keys)
    first, _, third = sample_chain
    assert "regie" in first.keys and "regie" in third.keys
