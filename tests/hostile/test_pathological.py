"""Pathological documents stay within bounds (issue 10, item 6): each is refused with
MarkdownError / PublishError before anything costly is done, or handled with a bounded amount
of work. As in tests/test_bounds.py, the tests count operations rather than time: the
characters markdown-it is given to read, the sections rendered, and the diff work that
reviewhub.text.words charges to its work clock. ``ceiling`` adds a generous wall-clock limit
(20 s) only as a safety net, so that a regression fails instead of hanging the run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reviewhub.compare.blocks import diff_markdown, diff_source
from reviewhub.compare.html import render_blocks, render_spans
from reviewhub.models import Role, Version, VersionStatus
from reviewhub.publishing import PublishError, VersionMeta, decode_source, publish_version
from reviewhub.text import sections, words
from reviewhub.text.sections import MarkdownError, parse_document
from reviewhub.text.words import DELETE, EQUAL, INSERT, word_diff
from tests.factories import Auth, make_document

SAFETY_NET_S = 20.0
TWO_MB = 2 * 1024 * 1024
VOCABULARY = ["regie", "team", "veiligheid", "gemeente", "partner", "zorg", "overleg", "casus"]
OTHER_VOCABULARY = ["kader", "plan", "netwerk", "signaal", "risico", "afspraak", "gezin", "wijk"]


@contextmanager
def ceiling(seconds: float = SAFETY_NET_S) -> Iterator[None]:
    """A safety net, not the measure: fails when the block took longer than ``seconds``."""
    started = time.perf_counter()
    yield
    spent = time.perf_counter() - started
    assert spent < seconds, f"took {spent:.1f} s; the safety net is {seconds} s"


class Reading:
    """What markdown-it was given to do while parsing: the characters of every text passed to
    it, and the number of section bodies rendered."""

    def __init__(self, markdown: Any) -> None:
        self._markdown = markdown
        self.characters = 0
        self.rendered = 0

    def parse(self, source: str, env: Any = None) -> Any:
        self.characters += len(source)
        return self._markdown.parse(source, env)

    def render(self, source: str, env: Any = None) -> str:
        self.characters += len(source)
        self.rendered += 1
        return str(self._markdown.render(source, env))

    def renderInline(self, source: str, env: Any = None) -> str:  # markdown-it's name
        self.characters += len(source)
        return str(self._markdown.renderInline(source, env))


@pytest.fixture
def reading(monkeypatch: pytest.MonkeyPatch) -> Reading:
    counter = Reading(sections._MD)
    monkeypatch.setattr(sections, "_MD", counter)
    return counter


class Clocks(list[Any]):
    """The work clocks of the word diffs made during a test."""

    @property
    def spent(self) -> int:
        return sum(clock.budget - clock.left for clock in self)


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


def work_bound(*texts: str, diffs: int = 1) -> int:
    """The most work ``diffs`` bounded diffs over these texts may do (see words.py)."""
    items = sum(len(words._TOKEN.findall(text)) for text in texts)
    return diffs * words.DIFF_BASE_WORK + words.DIFF_WORK_PER_ITEM * 2 * items


def paragraph(vocabulary: list[str], size: int, seed: int) -> str:
    """One paragraph of ``size`` characters: words, no blank line, no Markdown syntax."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(vocabulary) for _ in range(size // 4))
    while len(text) < size:
        text += " " + " ".join(rng.choice(vocabulary) for _ in range(size // 8))
    return text[:size].rstrip() + "."


# --- Nesting ---------------------------------------------------------------------------------

NESTED = {
    "10,000 quotes": ">" * 10_000 + " diep\n",
    "10,000 spaced quotes": "> " * 10_000 + "diep\n",
    "10,000 bullet lists": "- " * 10_000 + "diep\n",
    "10,000 ordered lists": "1. " * 10_000 + "diep\n",
    "10,000 quotes and lists": "> - " * 5_000 + "diep\n",
    "10,000 lines of quotes": "".join(">" * (n % 40) + " regel\n" for n in range(10_000)),
}


@pytest.mark.parametrize("source", NESTED.values(), ids=NESTED.keys())
def test_deep_nesting_is_refused_before_any_section_is_rendered(
    reading: Reading, source: str
) -> None:
    with ceiling(), pytest.raises(MarkdownError, match=r"nested \d+ levels deep; at most 8"):
        parse_document(source)
    assert reading.rendered == 0
    assert reading.characters == len(source)  # read once, to find the nesting


def test_publishing_deep_nesting_is_refused_and_stores_nothing(session: Session) -> None:
    document = make_document(session, "diep-genest")
    with pytest.raises(PublishError, match="nested"):
        publish_version(session, document, ">" * 10_000 + " diep\n", VersionMeta(label="V"))
    session.flush()
    assert document.versions == []


def test_nesting_up_to_the_limit_is_handled(reading: Reading) -> None:
    source = "> - " * 4 + "acht niveaus\n"
    (section,) = parse_document(source).sections
    assert "acht niveaus" in section.text
    assert reading.rendered == 1 and reading.characters <= 2 * len(source)


# --- Many headings ---------------------------------------------------------------------------


def test_50000_headings_are_refused_after_one_reading(reading: Reading) -> None:
    source = "".join(f"## Kop {n}\n" for n in range(50_000))
    with ceiling(), pytest.raises(MarkdownError, match=r"has 50000 sections; .* at most 2000"):
        parse_document(source)
    assert reading.rendered == 0 and reading.characters == len(source)


def test_headings_below_the_section_levels_stay_in_one_section(reading: Reading) -> None:
    """Levels 5 and 6 start no section, so no section limit refuses them: 10,000 of them are
    rendered once, with their section (50,000 only take five times as long)."""
    source = "# Bijlage\n\n" + "##### Kop\n" * 10_000
    with ceiling():
        (section,) = parse_document(source).sections
    assert section.html.count("<h3>Kop</h3>") == 10_000  # just below the section's <h2>
    assert reading.rendered == 1
    assert reading.characters <= 2 * len(source)  # the document, then the section's text


# --- One long paragraph, and comparing two of them -------------------------------------------


def test_a_2_mb_paragraph_is_read_twice_at_most(reading: Reading) -> None:
    source = "# Werkwijze\n\n" + paragraph(VOCABULARY, TWO_MB, seed=1) + "\n"
    with ceiling():
        (section,) = parse_document(source).sections
    assert len(section.text) >= TWO_MB - 100
    assert reading.rendered == 1 and reading.characters <= 2 * len(source)


def test_2_mb_paragraphs_with_every_word_changed_are_compared_without_diff_work(
    diff_work: Clocks,
) -> None:
    """Every word replaced (no word in common): one deletion and one insertion, found without
    diffing, on every path a comparison takes."""
    old, new = paragraph(VOCABULARY, TWO_MB, 2), paragraph(OTHER_VOCABULARY, TWO_MB, 3)
    with ceiling():
        diff = word_diff(old, new)
        blocks = render_blocks(diff_markdown(old, new, {}, {}).blocks)
        source = render_spans(diff_source(old, new))
    assert diff == [(DELETE, old[:-1]), (INSERT, new[:-1]), (EQUAL, ".")]
    assert blocks.count("<del") == 1 and blocks.count("<ins") == 1
    assert "<del" in source and "<ins" in source
    assert diff_work.spent == 0


def test_2_mb_paragraphs_of_distinct_words_are_shown_replaced_without_diff_work(
    diff_work: Clocks,
) -> None:
    """More distinct words than words.py has codes for: the common start and end only."""
    rng = random.Random(4)
    old = " ".join(f"a{rng.randrange(10**8)}" for _ in range(TWO_MB // 10))[:TWO_MB]
    new = " ".join(f"b{rng.randrange(10**8)}" for _ in range(TWO_MB // 10))[:TWO_MB]
    with ceiling():
        diff = word_diff(old, new)
    assert "".join(t for op, t in diff if op != INSERT) == old
    assert "".join(t for op, t in diff if op != DELETE) == new
    assert diff_work.spent == 0


def test_a_long_paragraph_with_every_word_moved_is_diffed_within_the_work_bound(
    diff_work: Clocks,
) -> None:
    """The same words, every one in another place: the bounded diff. A quarter of a megabyte
    keeps the run short (2 MB takes some 7 s here); the bound is linear in the length."""
    old = paragraph(VOCABULARY, TWO_MB // 8, 5)
    new = " ".join(reversed(old.split(" ")))
    with ceiling():
        diff = word_diff(old, new)
    assert "".join(t for op, t in diff if op != INSERT) == old
    assert "".join(t for op, t in diff if op != DELETE) == new
    assert any(clock.ran_out for clock in diff_work)
    assert diff_work.spent <= work_bound(old, new, diffs=2)


def test_two_published_2_mb_versions_are_compared_within_the_bound(
    client: FlaskClient, session: Session, diff_work: Clocks
) -> None:
    """The whole way: publishing both (matching scores them on a budget of its own), the
    comparison page, its Markdown source view and the section's history."""
    document = make_document(session, "twee-megabyte")
    old = "# Werkwijze\n\n" + paragraph(VOCABULARY, TWO_MB - 20, 6) + "\n"
    new = "# Werkwijze\n\n" + paragraph(OTHER_VOCABULARY, TWO_MB - 20, 7) + "\n"
    with ceiling():
        versions: list[Version] = [
            publish_version(
                session, document, text, VersionMeta(label=f"V{n}", status=VersionStatus.CLOSED)
            )
            for n, text in enumerate((old, new), start=1)
        ]
        session.commit()
        for url in (
            "/documents/twee-megabyte/compare/1...2",
            "/documents/twee-megabyte/compare/1...2?view=source",
            "/documents/twee-megabyte/sections/werkwijze/history",
        ):
            assert client.get(url).status_code == 200
    assert versions[1].sections[0].predecessor is versions[0].sections[0]  # same heading
    assert diff_work.spent <= work_bound(old, new, diffs=2)


# --- Wide tables -----------------------------------------------------------------------------


def wide_table(columns: int, rows: int = 1) -> str:
    header = "| " + " | ".join(f"K{c}" for c in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    body = "".join("| " + " | ".join("x" for _ in range(columns)) + " |\n" for _ in range(rows))
    return "# Overzicht\n\n" + header + rule + body


@pytest.mark.parametrize("rows", [0, 1, 50])
def test_a_1000_column_table_is_refused_before_any_section_is_rendered(
    reading: Reading, rows: int
) -> None:
    source = wide_table(1000, rows)
    with ceiling(), pytest.raises(MarkdownError, match="more than 64 columns"):
        parse_document(source)
    assert reading.rendered == 0 and reading.characters == len(source)


def test_publishing_a_1000_column_table_is_refused(session: Session) -> None:
    document = make_document(session, "brede-tabel")
    with pytest.raises(PublishError, match="more than 64 columns"):
        publish_version(session, document, wide_table(1000), VersionMeta(label="V"))


# --- Odd bytes and front matter --------------------------------------------------------------


def test_nul_is_refused_before_parsing() -> None:
    """Why the payload corpus has no NUL: the upload and the pasted text are refused."""
    with pytest.raises(PublishError, match="binary data"):
        decode_source(b"# Kop\n\nTekst\x00<script>window.__xss=1</script>\n", TWO_MB)


# PyYAML's safe loader raises ValueError, AttributeError or RecursionError, not YAMLError,
# for these; sections._front_matter catches only YAMLError, so they escape parse_document and
# publish_version (a 500 on the publish form, a traceback from `flask publish`).
BAD_FRONT_MATTER = {
    "a date that does not exist": "date: 2027-02-30",
    "a closing date in month 13": "closes: 2027-13-01",
    "year zero": "date: 0000-01-01",
    "an hour of 25": "date: 2027-01-01 25:00:00",
    "an !!int that is no number": "label: !!int twee",
    "an !!float that is no number": "label: !!float twee",
    "an !!timestamp that is no time": "date: !!timestamp gisteren",
    "5,000 nested lists": "label: " + "[" * 5_000,
}


@pytest.mark.parametrize("line", BAD_FRONT_MATTER.values(), ids=BAD_FRONT_MATTER.keys())
def test_front_matter_the_yaml_loader_fails_on_is_refused_with_markdown_error(line: str) -> None:
    with pytest.raises(MarkdownError):
        parse_document(f"---\n{line}\n---\n# Kop\n\nTekst.\n")


def test_publishing_front_matter_with_an_impossible_date_is_refused(session: Session) -> None:
    document = make_document(session, "onmogelijke-datum")
    source = "---\nlabel: Versie 1\ndate: 2027-02-30\n---\n# Kop\n\nTekst.\n"
    with pytest.raises(PublishError):
        publish_version(session, document, source, VersionMeta())


def test_front_matter_that_is_no_yaml_is_refused_with_markdown_error() -> None:
    """What the loader does report as YAMLError is refused properly."""
    for line in ("label: [onaf", "a: !!binary x", "label: !!python/name:os.system"):
        with pytest.raises(MarkdownError, match="front matter"):
            parse_document(f"---\n{line}\n---\n# Kop\n")


def test_the_publish_form_answers_an_impossible_date_with_its_message(
    client: FlaskClient,
) -> None:
    Auth(client).login(Role.ADMIN)
    form = {
        "document": "__new__",
        "new_slug": "onmogelijke-datum",
        "source_text": "---\ndate: 2027-02-30\n---\n# Kop\n\nTekst.\n",
        "label": "Versie 1",
    }
    assert client.post("/documents/publish", data=form).status_code == 400
