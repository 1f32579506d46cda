"""Benchmark: publishing successive versions of a large framework document.

What is measured, and why
-------------------------
Authors publish a new dialogue version of a framework of a few hundred sections. Publishing
parses the Markdown into sections and matches every section with the previous version's; the
version page then shows all sections with their change markers. This script measures whether
that stays fast for a document about ten times the size of the sample documents:

* parse + match: ``parse_document`` and ``match_sections`` only, no database (median of 3 runs);
* publish: ``publish_version`` plus commit into a temporary SQLite database (one run, in order);
* render: the version page through Flask's test client (median of 5 GETs) and its size.

The document (about 300 sections, about 400 KB) and its versions are generated
deterministically from a fixed seed (``--seed``, default 2026). Each version applies realistic
edits to the previous one: word-level edits in about 10% of the sections, renamed headings,
sections moved to another chapter, a pair of siblings swapped, sections inserted and removed,
and one paragraph re-wrapped (whitespace only). Because the generator knows which section became
which, the script also checks the matching result against that ground truth and reports any
disagreement, and counts the text-similarity computations the matching needed.

The target is "publishing one such version (parse + match) under 1 s on this 2-core machine".
The script prints PASS or FAIL for it but always exits 0: it is a report, not a test.

Run it from the project root: ``.venv/bin/python bench/bench_publish.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub import create_app
from reviewhub.extensions import db
from reviewhub.models import ChangeKind, Section, Version, VersionStatus
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.text import matching, words
from reviewhub.text.matching import MatchResult, PriorSection, match_sections, prior_sections
from reviewhub.text.sections import ParsedDocument, ParsedSection, parse_document

T = TypeVar("T")

DEFAULT_SEED = 2026
TARGET_MS = 1000.0
PARSE_MATCH_RUNS = 3
RENDER_RUNS = 5
SLUG = "bench-document"

# ---------------------------------------------------------------------------------------------
# Vocabulary: about 300 words of a Dutch policy text. Function words are drawn more often.


def word_list(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = word_list("""
de het een en van in op te voor met aan bij door over naar om als dat die dit deze er niet
ook of maar dan nog wel zijn is wordt worden kan kunnen moet moeten zal zullen heeft hebben
zij wij hun ons zo tot uit na waar wie wat wanneer hoe welke geen meer alle elke andere
""")

CONTENT_WORDS = word_list("""
professional professionals gezin gezinnen kind kinderen jongere jongeren ouders ouder netwerk
veiligheid zorg zorgen hulp hulpverlening ondersteuning gemeente gemeenten regio regio's team
teams wijkteam organisatie organisaties samenwerking afspraken afspraak werkwijze kader
handelingskader uitgangspunt uitgangspunten rol rollen verantwoordelijkheid
verantwoordelijkheden taak taken besluit besluiten beslissing beslissingen plan plannen
veiligheidsplan signaal signalen melding meldingen risico risico's situatie situaties
informatie gegevens privacy toestemming overleg casusoverleg regie regiehouder
gedragswetenschapper teamleider beleidsmedewerker jeugdwet wet wetgeving kwaliteit
reflectie evaluatie monitoring resultaat resultaten doel doelen ontwikkeling proces fase
fasen stap stappen termijn termijnen moment afweging afwegingen oordeel deskundigheid
expertise methode instrument instrumenten gesprek gesprekken verslag dossier rapportage
inzet aanpak maatwerk praktijk ervaring ervaringen inbreng dialoog versie partners
partner keten ketenpartners toezicht inspectie financiering bekostiging middelen capaciteit
wachtlijst wachttijd beschikking indicatie zorgaanbieder aanbieders contract inkoop
veilig onveilig acuut structureel duidelijk zorgvuldig tijdig gezamenlijk gedeeld
betrokken verantwoordelijk professioneel regionaal lokaal landelijk passend nodig
mogelijk belangrijk concreet helder eenduidig integraal preventief snel direct
voldoende beschikbaar kwetsbaar complex zwaar licht nieuw huidige volgende eerste
laatste gezamenlijke bestaande nadrukkelijk altijd zoveel vooral eerst daarna vervolgens
tegelijk bovendien daarom echter zowel samen steeds vaak soms binnen buiten tussen
zonder volgens vanuit richting ten behoeve aanzien
beschrijft beschrijven bepaalt bepalen bespreekt bespreken besluit nemen neemt maakt
maken vraagt vragen geeft geven helpt helpen ondersteunt ondersteunen deelt delen
werken werkt volgt volgen stelt stellen legt leggen zorgt borgt borgen betrekt betrekken
informeert informeren overlegt evalueert evalueren signaleert signaleren meldt melden
schaalt opschalen afschalen toetst toetsen vastleggen afstemmen stemt
herstel herstellen versterken versterkt verbeteren verbetert blijft blijven gaat gaan
komt komen staat staan ziet zien weet weten kiest kiezen draagt dragen biedt bieden
""")

VOCABULARY = FUNCTION_WORDS + CONTENT_WORDS
WEIGHTS = [3.0] * len(FUNCTION_WORDS) + [1.0] * len(CONTENT_WORDS)

CHAPTERS = [
    "Inleiding",
    "Uitgangspunten",
    "Rollen en verantwoordelijkheden",
    "Signaleren en melden",
    "Werkwijze in fasen",
    "Samenwerking in de keten",
    "Informatiedeling en privacy",
    "Kwaliteit en reflectie",
    "Financiering en inkoop",
    "Monitoring en evaluatie",
    "Implementatie in de regio",
    "Begrippen en bijlagen",
]
HEADING_NOUNS = word_list("""
veiligheid regie overleg informatie toestemming melding signalen risico's termijnen
afspraken rolverdeling deskundigheid maatwerk netwerk ouders jongeren verslaglegging
dossiervorming escalatie opschaling afschaling evaluatie monitoring toezicht inkoop
bekostiging capaciteit wachttijden beschikkingen indicaties gegevens privacy
casusoverleg veiligheidsplan herstel nazorg reflectie kwaliteit scholing intervisie
""")
HEADING_PATTERNS = [
    "{a} en {b}",
    "De rol van {a}",
    "Afspraken over {a}",
    "{a} bij {b}",
    "{a} in de praktijk",
    "Wanneer {a} nodig is",
    "{a} na {b}",
    "Uitgangspunten voor {a}",
    "{a} tussen organisaties",
    "Verantwoordelijkheid voor {a}",
]
SHARED_HEADINGS = ["Toelichting", "Voorbeelden", "Aandachtspunten", "Wettelijk kader"]
LINKS = {
    "jeugdwet": ("de Jeugdwet", "https://wetten.overheid.nl/BWBR0034925"),
    "wmo": ("de Wet maatschappelijke ondersteuning", "https://wetten.overheid.nl/BWBR0035362"),
    "avg": ("de AVG", "https://eur-lex.europa.eu/eli/reg/2016/679/oj"),
    "meldcode": ("de meldcode", "https://www.rijksoverheid.nl/onderwerpen/meldcode"),
    "kwaliteitskader": ("het kwaliteitskader", "https://www.example.org/kwaliteitskader"),
    "vng": ("de handreiking van de VNG", "https://vng.nl/publicaties/handreiking"),
}
FOOTNOTE_COUNT = 10


# ---------------------------------------------------------------------------------------------
# The document model: a tree of sections made of paragraphs, bullet lists and tables.


@dataclass
class Paragraph:
    sentences: list[str]
    width: int | None = None  # None: one long line; else wrapped at this width

    def render(self) -> str:
        text = " ".join(self.sentences)
        if self.width is None:
            return text
        return textwrap.fill(text, self.width, break_long_words=False, break_on_hyphens=False)


@dataclass
class BulletList:
    items: list[str]

    def render(self) -> str:
        return "\n".join(f"- {item}" for item in self.items)


@dataclass
class Table:
    rows: list[list[str]]

    def render(self) -> str:
        lines = [self._row(self.rows[0]), self._row(["---"] * len(self.rows[0]))]
        return "\n".join(lines + [self._row(row) for row in self.rows[1:]])

    @staticmethod
    def _row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"


Block = Paragraph | BulletList | Table


@dataclass
class Node:
    uid: int  # identity across versions: the ground truth for matching
    level: int
    heading: str
    blocks: list[Block]
    children: list[Node] = field(default_factory=list)


@dataclass
class Framework:
    preamble: list[Block]
    chapters: list[Node]
    footnotes: dict[int, str]
    next_uid: int

    def walk(self) -> Iterator[tuple[Node, Node | None]]:
        """Every section with its parent, in document order."""

        def visit(node: Node, parent: Node | None) -> Iterator[tuple[Node, Node | None]]:
            yield node, parent
            for child in node.children:
                yield from visit(child, node)

        for chapter in self.chapters:
            yield from visit(chapter, None)

    def render(self) -> str:
        parts = [block.render() for block in self.preamble]
        for node, _parent in self.walk():
            parts.append("#" * node.level + " " + node.heading)
            parts.extend(block.render() for block in node.blocks)
        parts.append("\n".join(f"[^{n}]: {text}" for n, text in self.footnotes.items()))
        parts.append("\n".join(f"[{ref}]: {url}" for ref, (_, url) in LINKS.items()))
        return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------
# Generating the first version.


class Writer:
    """Deterministic Dutch-ish text from the vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_headings: set[str] = set()

    def words(self, count: int) -> list[str]:
        return self.rng.choices(VOCABULARY, WEIGHTS, k=count)

    def sentence(self) -> str:
        words = self.words(self.rng.randint(8, 22))
        for index in range(2, len(words) - 2):
            if self.rng.random() < 0.06:
                words[index] += ","
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> Paragraph:
        sentences = [self.sentence() for _ in range(self.rng.randint(2, 7))]
        return Paragraph(sentences, 80 if self.rng.random() < 0.3 else None)

    def bullets(self) -> BulletList:
        count = self.rng.randint(3, 6)
        return BulletList([" ".join(self.words(self.rng.randint(4, 12))) for _ in range(count)])

    def table(self) -> Table:
        header = ["Fase", "Verantwoordelijk", "Termijn", "Toelichting"]
        rows = [
            [f"Fase {n}", *(" ".join(self.words(self.rng.randint(1, 5))) for _ in range(3))]
            for n in range(1, self.rng.randint(4, 8))
        ]
        return Table([header, *rows])

    def blocks(self, paragraphs: tuple[int, int]) -> list[Block]:
        blocks: list[Block] = [self.paragraph() for _ in range(self.rng.randint(*paragraphs))]
        if self.rng.random() < 0.15:
            blocks.insert(self.rng.randint(1, len(blocks)), self.bullets())
        return blocks

    def heading(self, level: int, siblings: set[str]) -> str:
        if level >= 3 and self.rng.random() < 0.15:
            shared = [h for h in SHARED_HEADINGS if h not in siblings]
            if shared:
                return self.rng.choice(shared)
        while True:
            a, b = self.rng.sample(HEADING_NOUNS, 2)
            title = self.rng.choice(HEADING_PATTERNS).format(a=a, b=b)
            title = title[0].upper() + title[1:]
            if title not in self.used_headings:
                self.used_headings.add(title)
                return title


def new_node(writer: Writer, framework: Framework, level: int, siblings: set[str]) -> Node:
    uid, framework.next_uid = framework.next_uid, framework.next_uid + 1
    heading = writer.heading(level, siblings)
    return Node(uid, level, heading, writer.blocks((1, 2) if level == 1 else (1, 4)))


def grow_children(writer: Writer, framework: Framework, node: Node, count: int) -> None:
    rng = writer.rng
    for _ in range(count):
        child = new_node(writer, framework, node.level + 1, {c.heading for c in node.children})
        node.children.append(child)
        if child.level == 2:
            grow_children(writer, framework, child, rng.choice([0, 1, 2, 2, 3, 4]))
        elif child.level == 3 and rng.random() < 0.25:
            grow_children(writer, framework, child, rng.randint(1, 3))


def generate(rng: random.Random) -> Framework:
    writer = Writer(rng)
    framework = Framework([writer.paragraph(), writer.paragraph()], [], {}, 1)
    for title in CHAPTERS:
        chapter = Node(framework.next_uid, 1, title, writer.blocks((1, 2)))
        framework.next_uid += 1
        framework.chapters.append(chapter)
        grow_children(writer, framework, chapter, rng.randint(5, 7))
    add_tables(writer, framework)
    add_references(writer, framework)
    return framework


def add_tables(writer: Writer, framework: Framework) -> None:
    nodes = [node for node, _ in framework.walk() if node.level == 2]
    for node in writer.rng.sample(nodes, 3):
        node.blocks.append(writer.table())


def add_references(writer: Writer, framework: Framework) -> None:
    """Footnotes cited once each, and reference-style links, in random paragraphs."""
    rng = writer.rng
    paragraphs = [
        block
        for node, _ in framework.walk()
        for block in node.blocks
        if isinstance(block, Paragraph)
    ]
    for number in range(1, FOOTNOTE_COUNT + 1):
        framework.footnotes[number] = writer.sentence()
        paragraph = rng.choice(paragraphs)
        index = rng.randrange(len(paragraph.sentences))
        paragraph.sentences[index] += f"[^{number}]"
    for ref, (label, _url) in LINKS.items():
        for paragraph in rng.sample(paragraphs, 3):
            sentence = f"Zie ook [{label}][{ref}] voor de {rng.choice(HEADING_NOUNS)}."
            paragraph.sentences.insert(rng.randint(0, len(paragraph.sentences)), sentence)


# ---------------------------------------------------------------------------------------------
# Editing: the next version from the previous one.


@dataclass
class EditLog:
    edited: int = 0
    renamed: int = 0
    moved: int = 0
    swapped: list[int] = field(default_factory=list)  # uids of the swapped pair
    inserted: int = 0
    removed: int = 0
    rewrapped: int | None = None  # uid of the section whose paragraph was re-wrapped


class Editor:
    """Applies one round of realistic edits to a copy of the framework."""

    def __init__(self, rng: random.Random, framework: Framework) -> None:
        self.rng = rng
        self.framework = framework
        self.writer = Writer(rng)
        self.writer.used_headings = {node.heading for node, _ in framework.walk()}
        self.log = EditLog()
        self.touched: set[int] = set()  # uids already changed structurally in this round
        self.inserted: set[int] = set()
        self.edited: set[int] = set()

    def run(self) -> EditLog:
        for _ in range(self.rng.randint(1, 2)):
            self.remove_leaf()
        for _ in range(self.rng.randint(2, 3)):
            self.rename()
        for _ in range(self.rng.randint(1, 2)):
            self.move_to_other_chapter()
        self.swap_siblings()
        for _ in range(2):
            self.insert_section()
        self.edit_words(share=0.10)
        self.rewrap()
        return self.log

    def _pick(self, candidates: list[tuple[Node, Node | None]]) -> tuple[Node, Node | None]:
        free = [pair for pair in candidates if pair[0].uid not in self.touched]
        node, parent = self.rng.choice(free)
        self.touched.add(node.uid)
        return node, parent

    def _siblings(self, parent: Node | None) -> list[Node]:
        return parent.children if parent else self.framework.chapters

    def remove_leaf(self) -> None:
        leaves = [(n, p) for n, p in self.framework.walk() if n.level >= 2 and not n.children]
        node, parent = self._pick(leaves)
        self._siblings(parent).remove(node)
        self.log.removed += 1

    def rename(self) -> None:
        node, parent = self._pick([(n, p) for n, p in self.framework.walk() if n.level >= 2])
        node.heading = self.writer.heading(node.level, {s.heading for s in self._siblings(parent)})
        self.log.renamed += 1

    def move_to_other_chapter(self) -> None:
        node, parent = self._pick([(n, p) for n, p in self.framework.walk() if n.level == 2])
        assert parent is not None
        targets = [c for c in self.framework.chapters if c is not parent]
        target = self.rng.choice(targets)
        if node.heading in {c.heading for c in target.children}:
            return
        parent.children.remove(node)
        target.children.insert(self.rng.randint(0, len(target.children)), node)
        self.log.moved += 1

    def swap_siblings(self) -> None:
        parents = [
            n
            for n, _ in self.framework.walk()
            if len(n.children) >= 2 and not {c.uid for c in n.children} & self.touched
        ]
        parent = self.rng.choice(parents)
        index = self.rng.randrange(len(parent.children) - 1)
        first, second = parent.children[index], parent.children[index + 1]
        parent.children[index], parent.children[index + 1] = second, first
        self.touched.update({first.uid, second.uid})
        self.log.swapped = [first.uid, second.uid]

    def insert_section(self) -> None:
        parent, _ = self.rng.choice([(n, p) for n, p in self.framework.walk() if n.level <= 2])
        node = new_node(
            self.writer, self.framework, parent.level + 1, {c.heading for c in parent.children}
        )
        parent.children.insert(self.rng.randint(0, len(parent.children)), node)
        self.touched.add(node.uid)
        self.inserted.add(node.uid)
        self.log.inserted += 1

    def edit_words(self, share: float) -> None:
        """Edit the text of a share of the sections; renamed or moved ones may be among them."""
        nodes = [n for n, _ in self.framework.walk() if n.uid not in self.inserted]
        for node in self.rng.sample(nodes, round(share * len(nodes))):
            paragraphs = [b for b in node.blocks if isinstance(b, Paragraph)]
            if paragraphs:
                edit_paragraph(self.rng, self.writer, self.rng.choice(paragraphs))
                self.edited.add(node.uid)
                self.log.edited += 1

    def rewrap(self) -> None:
        """Change one paragraph's line breaks only: no edit as far as matching is concerned."""
        busy = self.touched | self.edited
        nodes = [n for n, _ in self.framework.walk() if n.uid not in busy]
        for node in self.rng.sample(nodes, len(nodes)):
            paragraphs = [b for b in node.blocks if isinstance(b, Paragraph)]
            if paragraphs:
                paragraph = paragraphs[0]
                paragraph.width = 72 if paragraph.width != 72 else None
                self.touched.add(node.uid)
                self.log.rewrapped = node.uid
                return


def edit_paragraph(rng: random.Random, writer: Writer, paragraph: Paragraph) -> None:
    """Replace, insert or delete a few words, or replace or add a sentence."""
    plain = [i for i, s in enumerate(paragraph.sentences) if "[" not in s]
    if not plain:
        paragraph.sentences.append(writer.sentence())
        return
    index = rng.choice(plain)
    words = paragraph.sentences[index].rstrip(".").split(" ")
    action = rng.choice(["replace", "insert", "delete", "sentence", "add"])
    count = rng.randint(1, 3)
    at = rng.randrange(1, max(2, len(words) - count))
    if action == "replace":
        words[at : at + count] = writer.words(count)
    elif action == "insert":
        words[at:at] = writer.words(count)
    elif action == "delete" and len(words) > count + 4:
        del words[at : at + count]
    elif action == "sentence":
        paragraph.sentences[index] = writer.sentence()
        return
    else:
        paragraph.sentences.insert(index + 1, writer.sentence())
        return
    paragraph.sentences[index] = " ".join(words) + "."


def make_versions(count: int, seed: int) -> tuple[list[Framework], list[EditLog]]:
    rng = random.Random(seed)
    versions = [generate(rng)]
    logs = [EditLog()]
    for _ in range(count - 1):
        framework = copy.deepcopy(versions[-1])
        logs.append(Editor(rng, framework).run())
        versions.append(framework)
    return versions, logs


# ---------------------------------------------------------------------------------------------
# Pure parse + match, timed, and checked against the generator's ground truth.


def timed(function: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


@dataclass
class Step:
    """One parse + match (the last of the timed runs), with what the next step needs."""

    parsed: ParsedDocument
    result: MatchResult

    @property
    def keys(self) -> list[str]:
        return [match.key for match in self.result.matches]

    def prior(self) -> list[PriorSection]:
        return prior_sections(self.parsed.sections, self.keys)


def count_similarity_calls(prior: list[PriorSection], new: list[ParsedSection]) -> int:
    """How many text-similarity computations (the expensive fallback) one matching needs."""
    with mock.patch.object(matching, "similarity", wraps=words.similarity) as spy:
        match_sections(prior, new)
    return spy.call_count


def parse_and_match(source: str, prior: list[PriorSection], used: set[str]) -> Step:
    parsed = parse_document(source)
    return Step(parsed, match_sections(prior, parsed.sections, used))


@dataclass
class PureTiming:
    parse_ms: float
    match_ms: float
    total_ms: float


def time_parse_and_match(
    source: str, prior: list[PriorSection], used: set[str], runs: int
) -> tuple[PureTiming, Step]:
    samples: list[tuple[float, float]] = []
    step: Step | None = None
    for _ in range(runs):
        parse_ms, parsed = timed(lambda: parse_document(source))
        match_ms, result = timed(lambda: match_sections(prior, parsed.sections, used))  # noqa: B023
        samples.append((parse_ms, match_ms))
        step = Step(parsed, result)
    assert step is not None
    timing = PureTiming(
        parse_ms=statistics.median(p for p, _ in samples),
        match_ms=statistics.median(m for _, m in samples),
        total_ms=statistics.median(p + m for p, m in samples),
    )
    return timing, step


def expected_kinds(
    old: Framework, new: Framework, old_step: Step, new_step: Step, log: EditLog
) -> list[set[ChangeKind]]:
    """The change kinds a correct matching gives each new section (a set: a swap is ambiguous,
    either member of the pair may be the one reported as moved). Edited means "content hash
    differs", as for the matching; the re-wrapped section must come out unchanged."""
    old_index = {node.uid: i + 1 for i, (node, _) in enumerate(old.walk())}
    old_parent = {node.uid: parent.uid if parent else None for node, parent in old.walk()}
    kinds: list[set[ChangeKind]] = [{_content_kind(old_step, new_step, 0, 0)}]
    for i, (node, parent) in enumerate(new.walk(), start=1):
        if node.uid not in old_index:
            kinds.append({ChangeKind.NEW})
        elif old_parent[node.uid] != (parent.uid if parent else None):
            kinds.append({ChangeKind.MOVED})
        elif node.uid == log.rewrapped:
            kinds.append({ChangeKind.UNCHANGED})
        else:
            kind = _content_kind(old_step, new_step, old_index[node.uid], i)
            kinds.append({kind, ChangeKind.MOVED} if node.uid in log.swapped else {kind})
    return kinds


def _content_kind(old_step: Step, new_step: Step, old_i: int, new_i: int) -> ChangeKind:
    old, new = old_step.parsed.sections[old_i], new_step.parsed.sections[new_i]
    if old.heading != new.heading:
        return ChangeKind.RENAMED
    return ChangeKind.EDITED if old.content_hash != new.content_hash else ChangeKind.UNCHANGED


def check_matching(
    old: Framework, new: Framework, old_step: Step, new_step: Step, log: EditLog
) -> list[str]:
    """Disagreements between the matching and the generator's ground truth."""
    old_uids = [0, *(node.uid for node, _ in old.walk())]
    new_uids = [0, *(node.uid for node, _ in new.walk())]
    assert len(new_uids) == len(new_step.parsed.sections), "generator and parser disagree"
    issues = []
    kinds = expected_kinds(old, new, old_step, new_step, log)
    sections = new_step.parsed.sections
    for i, match in enumerate(new_step.result.matches):
        got = old_uids[match.predecessor] if match.predecessor is not None else None
        want = new_uids[i] if new_uids[i] in old_uids else None
        if got != want:
            predecessor = match.predecessor
            was = old_step.parsed.sections[predecessor].heading if predecessor is not None else "-"
            issues.append(f"'{sections[i].heading}' matched to '{was}' (wrong predecessor)")
        elif match.change_kind not in kinds[i]:
            wanted = "/".join(sorted(kind.value for kind in kinds[i]))
            issues.append(f"'{sections[i].heading}': {match.change_kind.value}, expected {wanted}")
    return issues


@dataclass
class VersionRow:
    number: int
    sections: int
    size_kb: float
    parse_ms: float | None = None
    match_ms: float | None = None
    parse_match_ms: float | None = None
    publish_ms: float | None = None
    render_ms: float | None = None
    page_kb: float | None = None
    kinds: dict[str, int] = field(default_factory=dict)
    removed: int = 0
    edits: dict[str, Any] = field(default_factory=dict)
    similarity_calls: int = 0
    match_issues: list[str] = field(default_factory=list)
    database_agrees: bool | None = None


@dataclass(frozen=True)
class Case:
    """The inputs of one parse + match: what profiling and memory tracing re-run."""

    source: str
    prior: list[PriorSection]
    used: frozenset[str]

    def run(self) -> Step:
        return parse_and_match(self.source, self.prior, set(self.used))


def run_pure(
    sources: list[str], versions: list[Framework], logs: list[EditLog]
) -> tuple[list[VersionRow], list[Case]]:
    """Parse and match each version against the one before, as publishing does."""
    rows: list[VersionRow] = []
    cases: list[Case] = []
    previous: Step | None = None
    used: set[str] = set()
    for number, source in enumerate(sources, start=1):
        cases.append(Case(source, previous.prior() if previous else [], frozenset(used)))
        runs = PARSE_MATCH_RUNS if previous else 1
        timing, step = time_parse_and_match(source, cases[-1].prior, used, runs)
        row = VersionRow(number, len(step.parsed.sections), len(source.encode()) / 1024)
        if previous:
            row.parse_ms, row.match_ms = timing.parse_ms, timing.match_ms
            row.parse_match_ms = timing.total_ms
            row.match_issues = check_matching(
                versions[number - 2], versions[number - 1], previous, step, logs[number - 1]
            )
        describe_step(row, step, logs[number - 1])
        row.similarity_calls = count_similarity_calls(cases[-1].prior, step.parsed.sections)
        rows.append(row)
        used.update(step.keys)
        previous = step
    return rows, cases


def describe_step(row: VersionRow, step: Step, log: EditLog) -> None:
    row.kinds = dict(Counter(m.change_kind.value for m in step.result.matches))
    row.removed = len(step.result.removed)
    row.edits = asdict(log) | {
        "swapped": len(log.swapped) // 2,
        "rewrapped": int(log.rewrapped is not None),
    }


# ---------------------------------------------------------------------------------------------
# Through the application: publish into SQLite, render the version page.


def make_app(directory: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite3",
            "SECRET_KEY": "bench-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )


def publish_one(app: Flask, source: str, number: int) -> tuple[float, dict[str, int]]:
    """Publish in its own app context (a fresh session, as in a request); return the time and
    the change kinds stored."""
    with app.app_context():
        session: Session = db.session()
        document = get_or_create_document(session, SLUG, "Benchmark")
        meta = VersionMeta(label=f"Versie {number}", status=VersionStatus.CLOSED)

        def publish() -> Version:
            version = publish_version(session, document, source, meta)
            session.commit()
            return version

        elapsed, version = timed(publish)
        stored = session.scalars(
            select(Section.change_kind).where(Section.version_id == version.id)
        )
        return elapsed, dict(Counter(kind.value for kind in stored))


def render_page(app: Flask, number: int, runs: int) -> tuple[float, float]:
    """Median time of ``runs`` GETs of the version page, and its size in KB."""
    client = app.test_client()
    url = f"/documents/{SLUG}/v/{number}"
    samples, size = [], 0
    for _ in range(runs):
        elapsed, response = timed(lambda: client.get(url))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        samples.append(elapsed)
        size = len(response.data)
    return statistics.median(samples), size / 1024


def run_database(sources: list[str], rows: list[VersionRow]) -> None:
    with tempfile.TemporaryDirectory(prefix="reviewhub-bench-") as directory:
        app = make_app(directory)
        with app.app_context():
            upgrade()
        for row, source in zip(rows, sources, strict=True):
            row.publish_ms, stored_kinds = publish_one(app, source, row.number)
            row.database_agrees = stored_kinds == row.kinds
            row.render_ms, row.page_kb = render_page(app, row.number, RENDER_RUNS)
        with app.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------------------------------------
# Memory (last version) and profile (slowest version) of one parse + match.


def peak_memory_mb(case: Case) -> float:
    tracemalloc.start()
    try:
        case.run()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def profile(case: Case, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(case.run)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Reporting.


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def kinds_text(row: VersionRow) -> str:
    letters = {"edited": "e", "renamed": "r", "moved": "m", "new": "n"}
    parts = [f"{row.kinds.get(kind, 0)}{letter}" for kind, letter in letters.items()]
    return " ".join(parts) + f" {row.removed}x"


def print_table(rows: list[VersionRow]) -> None:
    header = (
        f"{'v':>3} {'sect':>5} {'KB':>5} {'parse':>7} {'match':>7} {'p+m':>7} {'publish':>8} "
        f"{'page':>7} {'page KB':>7}  {'changes':<20} {'sim':>4} {'wrong':>5}"
    )
    print("Times in ms. changes: edited/renamed/moved/new, x = removed; sim: similarity")
    print("computations in the matching; wrong: disagreements with the ground truth.\n")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.number:>3} {row.sections:>5} {row.size_kb:>5.0f} {fmt(row.parse_ms):>7} "
            f"{fmt(row.match_ms):>7} {fmt(row.parse_match_ms):>7} {fmt(row.publish_ms):>8} "
            f"{fmt(row.render_ms):>7} {fmt(row.page_kb, 0):>7}  {kinds_text(row):<20} "
            f"{row.similarity_calls:>4} {len(row.match_issues):>5}"
        )


MEASURES = {
    "parse + match (ms)": "parse_match_ms",
    "  of which parse (ms)": "parse_ms",
    "  of which match (ms)": "match_ms",
    "publish + commit (ms)": "publish_ms",
    "page render (ms)": "render_ms",
    "page size (KB)": "page_kb",
}


def summarise(rows: list[VersionRow]) -> dict[str, dict[str, float]]:
    later = rows[1:]
    summary = {}
    for label, attribute in MEASURES.items():
        values = [getattr(row, attribute) for row in later if getattr(row, attribute) is not None]
        if values:
            summary[label.strip()] = {"max": max(values), "median": statistics.median(values)}
    return summary


def print_summary(rows: list[VersionRow], summary: dict[str, dict[str, float]]) -> bool:
    first = rows[0]
    print(
        f"\nDocument: {first.size_kb:.0f} KB, {first.sections} sections in version 1 "
        f"(version {rows[-1].number}: {rows[-1].size_kb:.0f} KB, {rows[-1].sections} sections). "
        f"Version 1 publish: {fmt(first.publish_ms)} ms."
    )
    print(f"Versions 2..{rows[-1].number}:")
    for label in MEASURES:
        values = summary.get(label.strip())
        if values:
            print(f"  {label:<24} max {values['max']:8.1f}   median {values['median']:8.1f}")
    worst = summary["parse + match (ms)"]["max"]
    over = [row.number for row in rows[1:] if (row.parse_match_ms or 0.0) >= TARGET_MS]
    passed = not over
    print(
        f"\nTarget: publishing one such version (parse + match) under {TARGET_MS:.0f} ms "
        f"on this {os.cpu_count()}-core machine: {'PASS' if passed else 'FAIL'} "
        f"(worst {worst:.0f} ms; {len(over)} of {len(rows) - 1} versions over: {over})"
    )
    return passed


def print_issues(rows: list[VersionRow]) -> None:
    disagreements = [row.number for row in rows if row.database_agrees is False]
    if disagreements:
        print(f"Stored change kinds differ from the pure matching in versions {disagreements}")
    elif any(row.database_agrees for row in rows):
        print("Stored change kinds equal those of the pure matching in every version.")
    total = sum(len(row.match_issues) for row in rows)
    print(f"Matching disagreements with the generator's ground truth: {total}")
    for row in rows:
        for issue in row.match_issues[:10]:
            print(f"  v{row.number}: {issue}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--versions", type=int, default=10, help="versions to publish (>= 2)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--no-database", action="store_true", help="parse + match only: no publish, no pages"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--markdown-dir", type=Path, help="also write the versions here")
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="print cProfile's top N functions"
    )
    args = parser.parse_args(argv)
    if args.versions < 2:
        parser.error("--versions must be at least 2")
    return args


def write_markdown(directory: Path, sources: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, source in enumerate(sources, start=1):
        (directory / f"v{number:02d}.md").write_text(source, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    versions, logs = make_versions(args.versions, args.seed)
    sources = [framework.render() for framework in versions]
    if args.markdown_dir:
        write_markdown(args.markdown_dir, sources)
    print(
        f"ReviewHub publish benchmark: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    rows, cases = run_pure(sources, versions, logs)
    if not args.no_database:
        run_database(sources, rows)
    print_table(rows)
    summary = summarise(rows)
    passed = print_summary(rows, summary)
    peak = peak_memory_mb(cases[-1])
    print(f"tracemalloc peak for one parse + match (version {args.versions}): {peak:.1f} MB")
    print_issues(rows)
    if args.profile:
        slowest = max(rows[1:], key=lambda row: row.parse_match_ms or 0.0).number
        print(f"\ncProfile of one parse + match (version {slowest}), by cumulative time:")
        print(profile(cases[slowest - 1], top=args.profile))
    if args.json:
        write_json(args.json, args.seed, rows, summary, passed, peak)
    return 0


def write_json(
    path: Path,
    seed: int,
    rows: list[VersionRow],
    summary: dict[str, Any],
    passed: bool,
    peak: float,
) -> None:
    data = {
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "python": sys.version},
        "seed": seed,
        "target_ms": TARGET_MS,
        "target_passed": passed,
        "peak_memory_mb": peak,
        "versions": [asdict(row) for row in rows],
        "summary": summary,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
