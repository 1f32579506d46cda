"""Every expensive path has a bound (issue 8). Each test takes one of the cases an outside probe
found to keep a worker busy for minutes, counts the operations that blew up (diff work,
similarity scores, attempts at a fresh key, searches through the Word document's body) and
fails if they grow past a bound again. None measures time: bench/bench_bounds.py does."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from typing import Any

import docx
import pytest
from docx.oxml.xmlchemy import BaseOxmlElement
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reviewhub.compare import blocks as blockdiff
from reviewhub.compare.blocks import diff_markdown
from reviewhub.compare.docx import comparison_docx
from reviewhub.compare.versions import compare_versions
from reviewhub.config import load_config
from reviewhub.models import ChangeKind, Role, Version, VersionStatus
from reviewhub.publishing import PublishError, VersionMeta, publish_version
from reviewhub.text import matching, sections, words
from reviewhub.text.matching import match_sections, prior_sections
from reviewhub.text.sections import MarkdownError, ParsedSection, make_markdown, parse_document
from reviewhub.text.words import DELETE, EQUAL, INSERT, Diff, diff_counts, similarity, word_diff
from tests.factories import Auth, make_document, publish

WORDS = [
    "de",
    "het",
    "een",
    "en",
    "van",
    "in",
    "op",
    "voor",
    "met",
    "regie",
    "team",
    "veiligheid",
    "gemeente",
    "partner",
    "zorg",
    "overleg",
    "besluit",
    "casus",
    "melding",
    "gezin",
    "kind",
    "netwerk",
    "plan",
    "signaal",
    "risico",
    "afspraak",
]


def sentences(rng: random.Random, words: int) -> list[list[str]]:
    """Sentences of 8 to 20 words, ``words`` words in all."""
    result: list[list[str]] = []
    while sum(map(len, result)) < words:
        result.append([rng.choice(WORDS) for _ in range(rng.randint(8, 20))])
    return result


def text_of(parts: list[list[str]]) -> str:
    return " ".join(" ".join(sentence).capitalize() + "." for sentence in parts)


def half_changed(rng: random.Random, parts: list[list[str]]) -> list[list[str]]:
    return [[rng.choice(WORDS) if rng.random() < 0.5 else w for w in s] for s in parts]


def assert_transforms(diff: Diff, old: str, new: str) -> None:
    """A correct diff: its deletions and insertions turn the old text into the new one."""
    assert "".join(text for op, text in diff if op != INSERT) == old
    assert "".join(text for op, text in diff if op != DELETE) == new


def tokens(*texts: str) -> int:
    return sum(len(words._TOKEN.findall(text)) for text in texts)


def bound_for(items: int, diffs: int = 1) -> int:
    """The work ``diffs`` bounded diffs of ``items`` items in all may do."""
    return diffs * words.DIFF_BASE_WORK + words.DIFF_WORK_PER_ITEM * items


class Clocks(list[Any]):
    """The work clocks of the bounded diffs made while a test runs."""

    @property
    def spent(self) -> int:
        return sum(clock.budget - clock.left for clock in self)

    @property
    def ran_out(self) -> bool:
        return any(clock.ran_out for clock in self)


@pytest.fixture
def diff_work(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    clocks = Clocks()

    class CountedClock(words._WorkClock):
        def __init__(self, budget: int) -> None:
            super().__init__(budget)
            self.budget = budget
            clocks.append(self)

    monkeypatch.setattr(words, "_WorkClock", CountedClock)
    return clocks


def counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Count the calls of ``module.name`` (a one-element list, so it can be read later)."""
    calls = [0]
    original: Callable[..., Any] = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


# --- Word diffs: a bound on diff-match-patch's work, and a coarser diff past it -----------------


def test_a_20000_word_text_with_half_its_words_changed_is_diffed_within_the_bound(
    diff_work: Clocks,
) -> None:
    rng = random.Random(8)
    parts = sentences(rng, 20_000)
    old, new = text_of(parts), text_of(half_changed(rng, parts))
    diff = word_diff(old, new)
    assert_transforms(diff, old, new)
    assert diff_work.ran_out  # the coarser diff: the words are shown replaced
    assert diff_work.spent <= bound_for(2 * tokens(old, new), diffs=2)


def test_a_long_text_with_a_few_edits_keeps_its_exact_word_diff(
    diff_work: Clocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(9)
    parts = sentences(rng, 20_000)
    edited = [list(s) for s in parts]
    for index in range(0, len(edited), 60):
        edited[index][3] = "aangepast"
    old, new = text_of(parts), text_of(edited)
    bounded = word_diff(old, new)
    assert not diff_work.ran_out
    monkeypatch.setattr(words, "DIFF_BASE_WORK", 10**12)  # no bound: diff-match-patch as is
    assert bounded == word_diff(old, new)
    assert sum(op == INSERT for op, _ in bounded) >= len(edited) // 60


def test_past_the_bound_the_unchanged_sentences_still_show(diff_work: Clocks) -> None:
    rng = random.Random(10)
    parts = sentences(rng, 20_000)
    reordered = [s[::-1] if index % 2 else s for index, s in enumerate(parts)]
    old, new = text_of(parts), text_of(reordered)
    diff = word_diff(old, new)
    assert_transforms(diff, old, new)
    assert diff_work.ran_out
    kept = sum(len(text) for op, text in diff if op == EQUAL)
    assert kept >= len(text_of(parts[::2]))  # every other sentence is unchanged
    assert diff_work.spent <= bound_for(2 * tokens(old, new), diffs=len(parts) + 2)


def test_similarity_and_block_alignment_have_the_same_bound(diff_work: Clocks) -> None:
    rng = random.Random(11)
    old = text_of(sentences(rng, 10_000))
    new = " ".join(reversed(old.split(" ")))
    assert 0 <= similarity(old, new) <= 1
    assert diff_work.spent <= bound_for(2 * tokens(old, new), diffs=2)
    blocks = [f"block {index}" for index in range(20_000)]
    counts = diff_counts(blocks, blocks[::-1], clean_up=False)
    assert sum(n for op, n in counts if op != INSERT) == sum(n for op, n in counts if op != DELETE)
    assert diff_work.spent <= bound_for(2 * tokens(old, new) + 40_000, diffs=3)


def test_comparing_a_long_section_and_its_history_stay_within_the_bound(
    client: FlaskClient, session: Session, diff_work: Clocks
) -> None:
    rng = random.Random(12)
    parts = sentences(rng, 20_000)
    old, new = text_of(parts), text_of(half_changed(rng, parts))
    document = make_document(session, "lange-sectie")
    for text in (old, new):
        publish(session, document, f"# Werkwijze\n\n{text}\n", status=VersionStatus.CLOSED)
    session.commit()
    for url in (
        "/documents/lange-sectie/compare/1...2",
        "/documents/lange-sectie/compare/1...2?view=source",
        "/documents/lange-sectie/sections/werkwijze/history",
        "/documents/lange-sectie/compare/1...2/export.docx",
    ):
        assert client.get(url).status_code == 200
    # The text diff, the source diff (compare page and history alike), twice each at most.
    assert diff_work.spent <= 4 * bound_for(2 * tokens(old, new), diffs=2)


# --- The Word export: linear in the sections, and no 500 on odd text -------------------------


@pytest.fixture
def body_searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often python-docx searched the document body's children (once per paragraph it
    adds there: quadratic in a long export)."""
    searches = [0]
    original = BaseOxmlElement.first_child_found_in

    def counting(self: BaseOxmlElement, *tagnames: str) -> Any:
        if self.tag.endswith("}body"):
            searches[0] += 1
        return original(self, *tagnames)

    monkeypatch.setattr(BaseOxmlElement, "first_child_found_in", counting)
    return searches


def export(session: Session, slug: str, *sources: str) -> docx.document.Document:
    document = make_document(session, slug)
    versions: list[Version] = [
        publish(session, document, source, status=VersionStatus.CLOSED) for source in sources
    ]
    comparison = compare_versions(session, versions[0], versions[-1])
    return docx.Document(io.BytesIO(comparison_docx(comparison, versions[0], versions[-1])))


def test_the_word_export_never_searches_the_body_it_adds_to(
    session: Session, body_searches: list[int]
) -> None:
    def version(edited: int) -> str:
        return "".join(
            f"## Onderdeel {n}\n\nTekst {n}{' aangepast' if n % edited == 0 else ''}.\n\n"
            for n in range(600)
        )

    document = export(session, "veel-secties", version(1000), version(10))
    assert body_searches[0] == 0
    assert len(document.paragraphs) > 1200  # every heading and paragraph is there


def test_the_word_export_takes_control_characters_and_lists_nested_deeper_than_its_styles(
    session: Session,
) -> None:
    deep = "- een\n  - twee\n    - drie\n      - vier\n        - vijf {word}\n"
    control = "Stuurtekens:\x01\x1b\x7f\ufffe\uffff {word}.\n"
    old, new = (
        f"# Veiligheid\n\n{control.format(word=w)}\n{deep.format(word=w)}" for w in ("oud", "nieuw")
    )
    document = export(session, "vreemde-export", old, new)
    texts = [p.text for p in document.paragraphs]
    assert any("Stuurtekens:\ufffd\ufffd" in text for text in texts)
    styles = {p.style.name for p in document.paragraphs if "vijf" in p.text}
    assert styles == {"List Bullet 3"}  # the deepest the template has


# --- Publishing: fresh keys, matching, and what a version may hold -----------------------------


def parsed(heading: str, position: int, text: str = "", parent: int | None = None) -> Any:
    return ParsedSection(
        position=position, level=1 if parent is None else 2, number=str(position),
        heading=heading, heading_html=heading, explicit_key=None, parent_position=parent,
        body=text, html=text, text=text, content_hash=f"{heading}/{text}/{position}",
    )  # fmt: skip


def test_fresh_keys_for_50000_equal_headings_take_one_attempt_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts = counted(monkeypatch, matching, "_suffixed")
    new = [parsed("Toelichting", position) for position in range(50_000)]
    keys = [m.key for m in match_sections([], new, {"toelichting-3"}).matches]
    assert keys[:4] == ["toelichting", "toelichting-2", "toelichting-4", "toelichting-5"]
    assert len(set(keys)) == 50_000
    assert attempts[0] <= 50_000


def test_equal_headings_under_many_parents_are_matched_without_searching_them_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def version(prefix: str) -> list[ParsedSection]:
        return [
            section
            for chapter in range(1000)
            for section in (
                parsed(f"{prefix} {chapter}", 2 * chapter),
                parsed("Toelichting", 2 * chapter + 1, "", parent=2 * chapter),
            )
        ]

    first = version("Hoofdstuk")
    prior = prior_sections(first, [m.key for m in match_sections([], first).matches])
    lookups = counted(monkeypatch, matching, "_old_parent_of_new")
    result = match_sections(prior, version("Hoofdstuk"))
    assert [m.predecessor for m in result.matches] == list(range(2000))
    assert lookups[0] <= 5 * 2000  # a few per section, not one per section of that heading


def renamed(count: int, prefix: str, text: str) -> list[ParsedSection]:
    return parse_document(
        "".join(f"## {prefix} {n + 1}\n\n{text}\n\n" for n in range(count))
    ).sections


def test_renaming_all_400_headings_compares_each_section_with_a_few_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = " ".join(random.Random(13).choice(WORDS) for _ in range(150))
    first = renamed(400, "Onderdeel", text)
    prior = prior_sections(first, [m.key for m in match_sections([], first).matches])
    second = renamed(400, "Hoofdstuk", text)
    scored = counted(monkeypatch, matching, "similarity_bound")
    result = match_sections(prior, second)
    assert [(m.predecessor, m.change_kind) for m in result.matches] == [
        (n, ChangeKind.RENAMED) for n in range(400)
    ]
    per_section = 2 * matching.NEIGHBOURS + matching.RARE_WORDS * matching.RARE_POSTINGS
    assert scored[0] <= 400 * per_section  # all pairs would be 160,000


def test_a_few_unmatched_sections_are_still_compared_pair_by_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = " ".join(random.Random(14).choice(WORDS) for _ in range(40))
    first = renamed(10, "Onderdeel", text)
    prior = prior_sections(first, [m.key for m in match_sections([], first).matches])
    scored = counted(monkeypatch, matching, "similarity_bound")
    match_sections(prior, renamed(10, "Hoofdstuk", text))
    assert scored[0] == 10 * 10


def test_the_similarity_scores_of_one_matching_share_one_work_budget(
    monkeypatch: pytest.MonkeyPatch, diff_work: Clocks
) -> None:
    rng = random.Random(15)
    texts = [" ".join(rng.choice(WORDS) for _ in range(100)) for _ in range(40)]
    first = parse_document("".join(f"## A{n}\n\n{t}\n\n" for n, t in enumerate(texts))).sections
    prior = prior_sections(first, [m.key for m in match_sections([], first).matches])
    reversed_texts = "".join(
        f"## B{n}\n\n{' '.join(t.split()[::-1])}\n\n" for n, t in enumerate(texts)
    )
    monkeypatch.setattr(matching, "SIMILARITY_WORK", 100_000)
    match_sections(prior, parse_document(reversed_texts).sections)
    assert len(diff_work) > 100  # many pairs were scored, ...
    assert diff_work.spent <= 100_000 + 2 * words.DIFF_BASE_WORK  # ... all on one budget


def numbered(count: int) -> str:
    return "".join("## Toelichting\n\nZie de bijlage.\n\n" for _ in range(count))


def test_more_sections_than_the_limit_are_refused_before_any_is_rendered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered = counted(monkeypatch, sections, "_render_block")
    with pytest.raises(MarkdownError, match="has 2001 sections; a version may have at most 2000"):
        parse_document(numbered(2001))
    with pytest.raises(MarkdownError, match="at most 3"):
        parse_document(numbered(4), max_sections=3)
    assert rendered[0] == 0
    assert len(parse_document(numbered(2000)).sections) == 2000


def test_publishing_takes_the_configured_limit_and_stores_nothing_when_refused(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    document = make_document(session, "te-groot")
    with pytest.raises(PublishError, match="has 4 sections"):
        publish_version(session, document, numbered(4), VersionMeta(label="V"), max_sections=3)
    session.commit()
    Auth(client).login(Role.ADMIN)
    original = app.config["MAX_SECTIONS"]
    app.config["MAX_SECTIONS"] = 3  # the form passes the setting on
    try:
        form = {"document": "te-groot", "source_text": numbered(4), "label": "Versie 1"}
        response = client.post("/documents/publish", data=form)
    finally:
        app.config["MAX_SECTIONS"] = original
    assert response.status_code == 400
    assert "heeft 4 secties" in response.get_data(as_text=True)
    session.refresh(document)
    assert document.versions == []


def test_the_section_limit_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("REVIEWHUB_MAX_SECTIONS", raising=False)
    assert load_config(str(tmp_path))["MAX_SECTIONS"] == sections.DEFAULT_MAX_SECTIONS == 2000
    monkeypatch.setenv("REVIEWHUB_MAX_SECTIONS", "5000")
    assert load_config(str(tmp_path))["MAX_SECTIONS"] == 5000


def table(columns: int, rows: int) -> str:
    """A header of ``columns`` cells over rows of one cell, which markdown-it fills up."""
    lines = ["| " + " | ".join(f"K{c}" for c in range(columns)) + " |", "|" + "-|" * columns]
    return "# Overzicht\n\n" + "\n".join([*lines, *(f"| a{r} |" for r in range(rows))]) + "\n"


def test_tables_too_wide_or_with_too_many_cells_are_refused() -> None:
    with pytest.raises(MarkdownError, match="more than 64 columns"):
        parse_document(table(1000, 60))  # the probe's: 6 KB of Markdown, 60,000 cells
    with pytest.raises(MarkdownError, match="more than 64 columns"):
        parse_document(table(65, 1))
    with pytest.raises(MarkdownError, match="20096 cells in all"):
        parse_document(table(64, 313))
    assert parse_document(table(64, 311)).sections[0].html.count("<td") == 64 * 311


def nested_lists(depth: int) -> str:
    return "".join("  " * level + f"- niveau {level + 1}\n" for level in range(depth))


def test_lists_and_quotes_nested_deeper_than_the_limit_are_refused() -> None:
    # Why: markdown-it drops what is nested past its own limit, without a word.
    assert "niveau 10" not in make_markdown().render(nested_lists(10))
    assert "niveau 8" in parse_document(nested_lists(8)).sections[0].html
    with pytest.raises(MarkdownError, match="nested 9 levels deep; at most 8"):
        parse_document(nested_lists(9))
    with pytest.raises(MarkdownError, match="nested 9 levels deep"):
        parse_document(">" * 9 + " diep\n")


def test_a_footnote_repeated_under_many_sections_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sections, "MAX_REPEATED_FOOTNOTES", 100)
    note = "[^lang]: " + "lange voetnoot " * 40 + "\n"
    cited = "".join(f"## Deel {n}\n\nZie[^lang].\n\n" for n in range(3))
    with pytest.raises(MarkdownError, match="repeat 1 KB of footnote text"):
        parse_document(cited + note)
    assert len(parse_document(cited.partition("## Deel 1")[0] + note).sections) == 1


# --- Cutting off the unchanged paragraphs around an edit ----------------------------------------


class CountedPattern:
    """A compiled pattern that counts its searches."""

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern
        self.calls = 0

    def findall(self, text: str) -> list[str]:
        self.calls += 1
        return self.pattern.findall(text)  # type: ignore[no-any-return]

    def match(self, text: str) -> Any:
        self.calls += 1
        return self.pattern.match(text)


@pytest.fixture
def fence_searches(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountedPattern]:
    pattern = CountedPattern(blockdiff._FENCE)
    monkeypatch.setattr(blockdiff, "_FENCE", pattern)
    yield pattern


def test_an_open_code_fence_before_thousands_of_paragraphs_is_looked_for_once_each(
    fence_searches: CountedPattern,
) -> None:
    paragraphs = ["```", *(f"Regel {n}." for n in range(5000))]
    old, new = "\n\n".join(paragraphs), "\n\n".join([*paragraphs, "Nog een regel."])
    diff = diff_markdown(old, new, {}, {})
    assert diff.leading == ""  # inside the open fence nothing may be cut off
    assert fence_searches.calls <= 4 * len(paragraphs)


def test_more_distinct_words_than_codes_are_shown_replaced_without_diffing(
    diff_work: Clocks,
) -> None:
    old = " ".join(f"w{n}" for n in range(140_000))  # more words than private-use characters
    new = " ".join(f"w{n}" for n in reversed(range(140_000)))
    assert_transforms(word_diff(old, new), old, new)
    assert diff_work.spent == 0


def test_definitions_are_looked_for_once_per_line_with_a_bracket_and_colon() -> None:
    source = "]:" * 50_000 + "\n\n[x]: https://example.org\n"
    assert list(blockdiff._lines_with_colon_bracket(source)) == [0, 100_002]
    assert blockdiff.LinkDefinitions(source)["X"]["href"] == "https://example.org"
