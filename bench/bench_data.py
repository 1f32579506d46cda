"""Bench data: a large, realistic data set on demand, on SQLite or PostgreSQL.

What it makes, and why
----------------------
Pages and queries behave differently with a million reactions than with the handful of the
sample documents. This script fills a fresh database with what a busy dialogue looks like:

* 40 groups (regions, workgroups, pilot sites, organisations, review groups) and 600 people,
  mostly partners in one or two groups, a handful of reviewers and authors, plus the demo
  accounts (``partner@example.org`` and so on, password ``demo-reviewhub``). Every generated
  person has that password too; its hash is computed once, as hashing is slow on purpose;
* the generated framework of ``bench_publish.py`` (about 325 sections) published in 10
  versions through ``publishing.publish_version``; the last one is open for feedback;
* N reactions (``--reactions``, default 10,000): most on the open version, skewed towards some
  busy sections, about 30% on a quoted passage, some for the group only, some waiting for a
  moderator, a few hidden or deleted; about a quarter answered officially by a reviewer or
  author, some of those followed up by the partner. Replies come in addition to the N.

The reactions are written in bulk, not through the ORM: executemany in chunks on SQLite, COPY
on PostgreSQL, with ids allocated here so that replies can name their parent without reading
anything back. The comments table's secondary indexes and constraints are dropped during the
load and made again afterwards (building an index at once is much cheaper than row by row);
then the database is analysed.

Run it from the project root::

    .venv/bin/python bench/bench_data.py [--reactions N] [--versions 10] [--seed 2026] [--keep]
    .venv/bin/python bench/bench_data.py --database postgresql --reactions 1000000 --keep
    .venv/bin/python bench/bench_data.py --url postgresql+psycopg://postgres@127.0.0.1/mydb

Without ``--url`` it makes a fresh database (an SQLite file in a temporary folder, or the
PostgreSQL database ``reviewhub_bench`` on 127.0.0.1, dropped and created anew) and removes it
at the end unless ``--keep`` is given. A database named with ``--url`` must be empty; it is
never removed. The summary gives the counts, the time per phase, and the command that serves
the app on the data.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import (
    Connection,
    create_engine,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import CONTENT_WORDS, DEFAULT_SEED, make_versions

from reviewhub import create_app
from reviewhub.extensions import db
from reviewhub.feedback import revisions
from reviewhub.feedback.decisions import OPEN, TAKEN_IN
from reviewhub.feedback.display import render_body
from reviewhub.feedback.references import reference
from reviewhub.feedback.textsearch import SEARCH_TABLE
from reviewhub.models import (
    AnswerVerdict,
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    DecisionAnswer,
    Disposition,
    DispositionChange,
    Document,
    Group,
    GroupKind,
    Membership,
    ReviewNote,
    Role,
    Section,
    User,
    Version,
    VersionStatus,
)
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import DEMO_PASSWORD, ensure_demo_accounts
from reviewhub.text.anchoring import Anchor, anchor_at

SLUG = "bench-data"
TITLE = "Handelingskader (benchmarkdata)"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/reviewhub_bench"
END = datetime(2026, 12, 1, 17, 0)  # naive UTC, as stored: the newest reaction's moment
VERSION_WEEKS = 6  # each version is open this long; the last one stays open
OPEN_SHARE = 0.55  # of the reactions on the open version; the rest mostly on recent ones
CHUNK = 10_000  # rows per executemany on SQLite

# Shares of the top-level reactions.
QUOTED, SUGGESTS_WORDING, GROUP_ONLY = 0.30, 0.5, 0.08
PENDING, HIDDEN, DELETED = 0.03, 0.005, 0.005
ANSWERED, FOLLOWED_UP = 0.25, 0.3
DEMO_PARTNER_SHARE = 0.01  # so that the demo log-in finds reactions of its own

# The register: the share of the decidable reactions (top-level, published, neither hidden
# nor deleted) with a decision, on a closed version and on the open one; of those decisions
# the share still in progress; the share of the open version's reactions given to a reviewer;
# of the decisions (not in progress) the share the author answered, and of those answers the
# share that objects; the share of decided reactions with a review note.
DECIDED_CLOSED, DECIDED_OPEN = 0.9, 0.4
IN_PROGRESS_CLOSED, IN_PROGRESS_OPEN = 0.03, 0.15
ASSIGNED_OPEN = 0.5
DECISION_ANSWERED, OBJECTS = 0.15, 0.3
NOTED_BY_REVIEWERS = 0.01
DUPLICATE_CANDIDATES = 8  # a duplicate repeats one of its section's last few reactions

# The columns written, in this order, on both databases.
COLUMNS = (
    "id", "section_id", "version_id", "parent_id", "author_id", "group_id", "kind", "body",
    "body_html", "proposed_text", "quote_exact", "quote_prefix", "quote_suffix", "quote_start",
    "quote_end", "visibility", "state", "official", "client_token", "hidden_reason",
    "hidden_by_id", "hidden_at", "deleted_at", "created_at", "reference",
    # The decision as it stands (its history: disposition_changes, made from these).
    "disposition", "motivation", "motivation_html", "decided_by_id", "decided_at",
    "duplicate_of_id", "taken_in_version_id", "taken_in_section_key", "assignee_id",
    "disposition_revision",
)  # fmt: skip
Row = tuple[Any, ...]
ID, SECTION_ID, AUTHOR_ID, GROUP_ID, VISIBILITY, STATE, CREATED_AT = (
    COLUMNS.index(name)
    for name in ("id", "section_id", "author_id", "group_id", "visibility", "state", "created_at")
)
# A reaction without a decision, and a reply: the register's columns as the app leaves them.
UNDECIDED: Row = (Disposition.NEW.value, None, "", None, None, None, None, None, None, 0)
ANSWER_COLUMNS = (
    "id", "comment_id", "change_id", "author_id", "verdict", "body", "body_html", "created_at",
)  # fmt: skip
NOTE_COLUMNS = ("id", "comment_id", "author_id", "body", "body_html", "created_at")

# ---------------------------------------------------------------------------------------------
# Names and texts. Dutch, as the people using the service write.

PLACES = [
    "Twente", "Utrecht", "Rijnmond", "Haaglanden", "Amsterdam-Amstelland", "Drenthe",
    "Friesland", "Groningen", "Zeeland", "Limburg-Noord", "Gelderland-Zuid", "Noord-Veluwe",
    "Kennemerland", "Hollands Midden", "Brabant-Noordoost", "Flevoland", "IJsselland",
]  # fmt: skip
TOPICS = [
    "Veiligheid", "Informatiedeling", "Scholing", "Privacy", "Monitoring", "Escalatie",
    "Jeugdbescherming", "Financiering", "Casusregie", "Herstel",
]  # fmt: skip
ORGANISATIONS = [
    "Veilig Thuis", "GGD", "Jeugdbescherming", "Sociaal Wijkteam", "Raad voor de "
    "Kinderbescherming", "Gemeente", "Jeugdzorgaanbieder", "Huisartsenzorg",
]  # fmt: skip
# Kind, name pattern, how many of the 40 groups.
GROUP_MIX = [
    (GroupKind.REGION, "Regio {place} {n}", 16),
    (GroupKind.WORKGROUP, "Werkgroep {topic} {n}", 10),
    (GroupKind.PILOT, "Proeftuin {place} {n}", 8),
    (GroupKind.ORGANISATION, "{organisation} {place} {n}", 4),
    (GroupKind.REVIEW, "Reviewgroep {topic} {n}", 2),
]


def names(text: str, separator: str | None = None) -> list[str]:
    return [name.strip() for name in text.split(separator)]


FIRST_NAMES = names("""Sanne Lotte Emma Julia Anouk Fleur Iris Noor Eva Lisa Sophie Femke Ilse
Mirjam Ingrid Marloes Esther Karin Daan Thijs Bram Sem Lars Ruben Jeroen Niels Bas Joost Pieter
Wouter Maarten Erik Hans Kees Mohamed Yusuf Fatima Samira Priya Dewi""")
SURNAMES = names(
    """de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|
de Boer|Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|
Smits|de Graaf|van der Meer|van der Linden|Kok|Jacobs|de Haan|Vermeulen|van den Heuvel|
van der Veen|El Amrani|Yilmaz|Kaya|Bouzid|Wijaya""",
    "|",
)
FUNCTIONS = [
    "Jeugdprofessional", "Teamleider", "Gedragswetenschapper", "Beleidsmedewerker",
    "Casusregisseur", "Aandachtsfunctionaris", "Wijkcoach", "Jeugdbeschermer",
]  # fmt: skip
SECTORS = ["Jeugdhulp", "Gemeente", "Onderwijs", "Zorg", "Veiligheid", ""]
# Role and how many; the rest of PEOPLE are partners.
PEOPLE = 600
STAFF = [(Role.REVIEWER, 6), (Role.AUTHOR, 4)]

REACTION_BODIES = [
    "Kan dit *concreter*? Wie neemt het besluit en binnen welke termijn?",
    "Goed dat dit er staat. Het sluit aan bij hoe wij nu al werken.",
    "Dit past niet bij de praktijk in onze regio; zie [de handreiking](https://example.org).",
    "Wij stellen voor de rol van de regiehouder **expliciet** te beschrijven.",
    "Wat betekent dit voor gezinnen die al een veiligheidsplan hebben?\n\n"
    "- geldt het plan dan opnieuw?\n- wie informeert de ouders?",
    "Deze termijn is voor kleine gemeenten niet haalbaar zonder extra capaciteit.",
    "Graag een voorbeeld uit de praktijk: nu blijft het abstract.",
    "Hoe verhoudt dit zich tot de AVG? Onze privacy-officer heeft hier zorgen over.",
    "Steun vanuit de werkgroep: dit is precies wat de professionals vragen.",
    "Het begrip *veiligheid* wordt hier anders gebruikt dan in hoofdstuk 2.",
]
ANSWERS = [
    "Dank u, dit nemen we mee in de volgende versie.",
    "Goed punt. We werken dit uit samen met de regio's; zie de toelichting in versie 3.",
    "Dit is bewust zo geformuleerd: de wet laat hier ruimte voor maatwerk.",
    "We passen de tekst aan. De termijn wordt **tien werkdagen**.",
]
FOLLOW_UPS = [
    "Dank voor de toelichting, dat is helder.",
    "Dat lost ons punt maar deels op; we komen er in het regio-overleg op terug.",
]
HIDDEN_REASON = "Bevatte persoonsgegevens van een gezin."

D = Disposition
# What the review group decides, by the kind of reaction (weights).
DISPOSITIONS = {
    CommentKind.QUESTION: {D.ANSWERED: 75, D.NOTED: 10, D.OUT_OF_SCOPE: 5, D.DUPLICATE: 10},
    CommentKind.SUGGESTION: {D.ACCEPTED: 35, D.PARTLY_ACCEPTED: 25, D.NOT_ACCEPTED: 25,
                             D.NOTED: 5, D.OUT_OF_SCOPE: 5, D.DUPLICATE: 5},
    CommentKind.CONCERN: {D.ACCEPTED: 15, D.PARTLY_ACCEPTED: 30, D.NOT_ACCEPTED: 20,
                          D.NOTED: 25, D.OUT_OF_SCOPE: 5, D.DUPLICATE: 5},
    CommentKind.SUPPORT: {D.NOTED: 85, D.ACCEPTED: 10, D.DUPLICATE: 5},
    CommentKind.GENERAL: {D.NOTED: 50, D.OUT_OF_SCOPE: 20, D.NOT_ACCEPTED: 10, D.ACCEPTED: 10,
                          D.DUPLICATE: 10},
}  # fmt: skip
MOTIVATIONS = {
    D.IN_PROGRESS: [
        "We bespreken dit in het eerstvolgende auteursoverleg.",
        "Dit leggen we voor aan de juridische werkgroep.",
    ],
    D.ACCEPTED: [
        "Overgenomen: de tekst is aangepast zoals voorgesteld.",
        "We nemen dit over en beschrijven de rol van de regiehouder *expliciet*.",
        "Terecht punt; de termijn is aangepast naar **tien werkdagen**.",
    ],
    D.PARTLY_ACCEPTED: [
        "Deels overgenomen: het voorbeeld is toegevoegd, de termijn blijft staan.",
        "We passen de formulering aan, maar houden vast aan de verplichte toets.",
    ],
    D.NOT_ACCEPTED: [
        "Niet overgenomen: de wet laat hier geen ruimte voor een andere termijn.",
        "Dit strookt niet met de afspraken in het landelijk kader; zie paragraaf 2.",
    ],
    D.NOTED: [
        "Dank voor uw reactie; we hebben er kennis van genomen.",
        "Fijn om te horen dat dit aansluit bij de praktijk.",
    ],
    D.ANSWERED: [
        "De regiehouder neemt het besluit, binnen vijf werkdagen na de melding.",
        "Een bestaand veiligheidsplan blijft gelden; de ouders worden door de "
        "casusregisseur geïnformeerd.",
        "Ja: de AVG staat dit toe op grond van een wettelijke taak. Zie de toelichting.",
    ],
    D.OUT_OF_SCOPE: [
        "Dit valt buiten de reikwijdte van dit kader; we geven het door aan het programma.",
        "Financiering regelt dit kader niet; dat loopt via de regionale afspraken.",
    ],
    D.DUPLICATE: [
        "Dit punt is al eerder in deze paragraaf ingebracht; zie die reactie.",
        "Gelijk aan een eerdere reactie; het antwoord staat daar.",
    ],
}
OBJECTIONS = [
    "Hiermee is ons punt niet opgelost.",
    "De termijn blijft voor kleine gemeenten onhaalbaar.",
    "We missen nog steeds een voorbeeld uit de praktijk.",
]
AGREEMENTS = ["", "", "Akkoord, dank voor de aanpassing."]
NOTES = [
    "Navragen bij de juridische werkgroep voordat we besluiten.",
    "Vergelijkbaar met de reacties uit Twente; samen oppakken.",
    "Auteur vraagt om een voorbeeld uit de proeftuinen.",
]

# ---------------------------------------------------------------------------------------------
# The plan, timing and the summary.


@dataclass(frozen=True)
class Plan:
    reactions: int
    versions: int
    seed: int


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    database_bytes: int = 0

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start

    def report(self, url: str) -> None:
        print("\nCounts: " + ", ".join(f"{name} {count:,}" for name, count in self.counts.items()))
        for name, seconds in self.seconds.items():
            print(f"  {name:<16} {seconds:8.1f} s")
        print(f"  {'total':<16} {sum(self.seconds.values()):8.1f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"Database {url}: {self.database_bytes / 2**20:,.0f} MB; peak memory {peak:,.0f} MB")


# ---------------------------------------------------------------------------------------------
# Accounts: groups, people, memberships.


@dataclass
class Cast:
    """Who reacts and who answers, by id: the reactions are generated from ids alone."""

    partners: list[tuple[int, tuple[int, ...]]]  # person, the groups they speak for
    partner_weights: list[float]  # how active each partner is (a few are very active)
    officials: list[int]  # reviewers and authors: their replies are official
    reviewers: list[int]  # the review group: they decide and are assigned (the demo one too)
    demo_partner: tuple[int, tuple[int, ...]]


def one_password_hash(password: str) -> str:
    """The hash the app itself would store (User.set_password), made once for everyone."""
    probe = User()
    probe.set_password(password)
    assert probe.password_hash is not None
    return probe.password_hash


def group_rows(rng: Random) -> list[dict[str, Any]]:
    names: set[str] = set()
    rows = []
    for kind, pattern, count in GROUP_MIX:
        while sum(row["kind"] is kind for row in rows) < count:
            name = pattern.format(
                place=rng.choice(PLACES), topic=rng.choice(TOPICS),
                organisation=rng.choice(ORGANISATIONS), n=rng.randint(1, 9),
            )  # fmt: skip
            if name not in names:
                names.add(name)
                rows.append({"name": name, "kind": kind})
    return rows


def person_rows(rng: Random, password_hash: str) -> list[dict[str, Any]]:
    roles = [role for role, count in STAFF for _ in range(count)]
    roles += [Role.PARTNER] * (PEOPLE - len(roles))
    rows = []
    for number, role in enumerate(roles, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        local = f"{first}.{last}".lower().replace(" ", "")
        rows.append(
            {
                "email": f"{local}.{number}@bench.example.org",
                "name": f"{first} {last}",
                "password_hash": password_hash,
                "role": role,
                "organisation": f"{rng.choice(ORGANISATIONS)} {rng.choice(PLACES)}",
                "function": rng.choice(FUNCTIONS),
                "sector": rng.choice(SECTORS),
                "created_at": END - timedelta(days=rng.randint(300, 700)),
            }
        )
    return rows


def membership_rows(
    rng: Random, people: list[tuple[int, Role]], groups: list[tuple[int, GroupKind]]
) -> dict[int, tuple[int, ...]]:
    """Partners in one or two groups (some groups much larger than others); reviewers in a
    review group, authors in a workgroup."""
    by_kind: dict[GroupKind, list[int]] = {}
    for group_id, kind in groups:
        by_kind.setdefault(kind, []).append(group_id)
    partner_groups = [group_id for group_id, kind in groups if kind is not GroupKind.REVIEW]
    sizes = [rng.paretovariate(1.5) for _ in partner_groups]
    members = {}
    for person_id, role in people:
        if role is Role.PARTNER:
            wanted = 1 if rng.random() < 0.7 else 2
            chosen = set(rng.choices(partner_groups, sizes, k=wanted))
        else:
            kind = GroupKind.REVIEW if role is Role.REVIEWER else GroupKind.WORKGROUP
            chosen = {rng.choice(by_kind[kind])}
        members[person_id] = tuple(sorted(chosen))
    return members


def create_accounts(session: Session, rng: Random) -> Cast:
    ensure_demo_accounts(session)
    session.execute(insert(Group), group_rows(rng))
    session.execute(insert(User), person_rows(rng, one_password_hash(DEMO_PASSWORD)))
    generated = User.email.like("%@bench.example.org")
    people = [tuple(row) for row in session.execute(
        select(User.id, User.role).where(generated).order_by(User.id)
    )]  # fmt: skip
    groups = [
        tuple(row) for row in session.execute(select(Group.id, Group.kind).order_by(Group.id))
    ]
    members = membership_rows(rng, people, groups)
    coordinators = {group: person for person, chosen in members.items() for group in chosen}
    session.execute(
        insert(Membership),
        [
            {"user_id": person, "group_id": group, "coordinator": coordinators[group] == person}
            for person, chosen in members.items()
            for group in chosen
        ],
    )
    partners = [(person, members[person]) for person, role in people if role is Role.PARTNER]
    return Cast(
        partners=partners,
        partner_weights=[rng.paretovariate(1.2) for _ in partners],
        officials=[person for person, role in people if role is not Role.PARTNER],
        reviewers=[person for person, role in people if role is Role.REVIEWER]
        + [session.scalars(select(User.id).where(User.email == "reviewer@example.org")).one()],
        demo_partner=demo_partner(session),
    )


def demo_partner(session: Session) -> tuple[int, tuple[int, ...]]:
    person = session.scalars(select(User).where(User.email == "partner@example.org")).one()
    return person.id, tuple(membership.group_id for membership in person.memberships)


# ---------------------------------------------------------------------------------------------
# Publishing: the generated framework in successive versions.


@dataclass
class Window:
    """A published version: its sections and the time in which it took reactions."""

    version_id: int
    sections: list[tuple[int, str, str]]  # id, key, plain text
    opens: datetime
    closes: datetime
    number: int
    code: str  # the document's, for the references


def publish(session: Session, plan: Plan) -> list[Window]:
    frameworks, _logs = make_versions(plan.versions, plan.seed)
    author = session.scalars(select(User).where(User.email == "auteur@example.org")).one()
    document = get_or_create_document(session, SLUG, TITLE, owner=author)
    step = timedelta(weeks=VERSION_WEEKS)
    windows = []
    for number, framework in enumerate(frameworks, start=1):
        opens = END - step * (plan.versions - number + 1)
        last = number == plan.versions
        meta = VersionMeta(
            label=f"Dialoogversie {number}",
            status=VersionStatus.OPEN if last else VersionStatus.CLOSED,
            closes_on=date(2099, 12, 31) if last else (opens + step - timedelta(days=1)).date(),
            published_at=opens,
        )
        version = publish_version(session, document, framework.render(), meta, author)
        closes = END if last else opens + step - timedelta(days=1)
        windows.append(Window(
            version.id, section_rows(session, version.id), opens, closes, number, document.code
        ))  # fmt: skip
    return windows


def section_rows(session: Session, version_id: int) -> list[tuple[int, str, str]]:
    query = select(Section.id, Section.key, Section.text).where(Section.version_id == version_id)
    return [tuple(row) for row in session.execute(query.order_by(Section.position))]


def successors(session: Session, windows: list[Window]) -> dict[int, tuple[int, str]]:
    """Each section's successor in the next version (its id → that version's id and the
    successor's key): where an accepted reaction is taken in, as record_taken_in finds it."""
    query = select(Section.predecessor_id, Section.version_id, Section.key).where(
        Section.version_id.in_([window.version_id for window in windows]),
        Section.predecessor_id.is_not(None),
    )
    return {predecessor: (version, key) for predecessor, version, key in session.execute(query)}


# ---------------------------------------------------------------------------------------------
# Reactions: generated in time order, with ids allocated as they go.


def rendered(bodies: list[str]) -> list[tuple[str, str]]:
    """Each body with its HTML, rendered once: rendering every row would dominate the run."""
    return [(body, render_body(body)) for body in bodies]


class Passages:
    """A few passages per section, made on first use, from which quoted reactions choose:
    real readers also quote the same sentences."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.cache: dict[int, list[tuple[Anchor, str | None]]] = {}

    def pick(self, section_id: int, section_text: str) -> tuple[Anchor, str | None] | None:
        if section_id not in self.cache:
            self.cache[section_id] = self.make(section_text)
        choices = self.cache[section_id]
        return self.rng.choice(choices) if choices else None

    def make(self, section_text: str) -> list[tuple[Anchor, str | None]]:
        """Passages of 2 to 14 whole words, anchored as the server anchors a selection, each
        with new wording that a suggestion may propose instead."""
        spans = [match.span() for match in re.finditer(r"\S+", section_text)]
        if len(spans) < 4:
            return []
        made = []
        for _ in range(8):
            length = self.rng.randint(2, min(14, len(spans)))
            first = self.rng.randrange(len(spans) - length + 1)
            anchor = anchor_at(section_text, spans[first][0], spans[first + length - 1][1])
            words = anchor.exact.split()
            words[self.rng.randrange(len(words))] = self.rng.choice(CONTENT_WORDS)
            proposed = " ".join(words)
            made.append((anchor, proposed if proposed != anchor.exact else None))
        return made


@dataclass(order=True)
class Reply:
    """A reply waiting for its moment (ordered by it), with what it takes from its thread."""

    at: datetime
    order: int
    thread: int = field(compare=False)  # the top-level reaction's id
    section_id: int = field(compare=False)
    visibility: str = field(compare=False)
    partner: tuple[int, int] = field(compare=False)  # who started the thread, for which group
    closes: datetime = field(compare=False)  # the version's end: no reply after it
    official: bool = field(compare=False)


@dataclass(frozen=True)
class FirstIds:
    """The first free id of each table written in bulk: ids are allocated here."""

    comment: int = 1
    change: int = 1
    answer: int = 1
    note: int = 1


class Reactions:
    """Generates the rows of all reactions and replies, oldest first, so that ids follow time
    as they do in the app, and a reply always comes after its parent. The register's columns
    (reference, decision, assignee) are made with each reaction; the decision answers and
    review notes are collected on the way, and the decision history is made afterwards from
    the reactions (``change_ids`` follow the ids of the decided reactions)."""

    def __init__(self, plan: Plan, cast: Cast, windows: list[Window], first: FirstIds,
                 taken_in: dict[int, tuple[int, str]]) -> None:  # fmt: skip
        self.plan, self.cast, self.windows, self.taken_in = plan, cast, windows, taken_in
        self.rng = Random(plan.seed + 1)
        self.passages = Passages(self.rng)
        self.ids = itertools.count(first.comment)
        self.change_ids = itertools.count(first.change)
        self.answer_ids, self.note_ids = itertools.count(first.answer), itertools.count(first.note)
        self.replies: list[Reply] = []  # a heap, by time
        self.order = itertools.count()
        self.bodies = rendered(REACTION_BODIES)
        self.answers, self.follow_ups = rendered(ANSWERS), rendered(FOLLOW_UPS)
        self.kinds = list(CommentKind)
        keys = {key for window in windows for _id, key, _text in window.sections}
        # Busy sections stay busy from version to version (they keep their key).
        self.heat = {key: self.rng.paretovariate(1.3) for key in sorted(keys)}
        # The register.
        self.dispositions = {
            kind: (list(weights), list(itertools.accumulate(weights.values())))
            for kind, weights in DISPOSITIONS.items()
        }
        self.motivations = {
            disposition: rendered(texts) for disposition, texts in MOTIVATIONS.items()
        }
        self.objections, self.notes = rendered(OBJECTIONS), rendered(NOTES)
        self.agreements = [(text, render_body(text) if text else "") for text in AGREEMENTS]
        self.recent: dict[int, list[int]] = {}  # section → its last decidable reactions
        self.version_of = {  # section → its version
            section_id: window.version_id
            for window in windows for section_id, _key, _text in window.sections
        }  # fmt: skip
        self.counters: dict[int, int] = {}  # version → the last reference number given
        self.decided = 0  # decisions made: one disposition_changes row each
        self.answer_rows: list[Row] = []  # decision_answers, in ANSWER_COLUMNS
        self.note_rows: list[Row] = []  # review_notes, in NOTE_COLUMNS

    def per_version(self) -> list[int]:
        """How many top-level reactions each version gets: OPEN_SHARE on the open one, the
        rest more on recent versions than on old ones."""
        if len(self.windows) == 1:
            return [self.plan.reactions]
        on_open = round(self.plan.reactions * OPEN_SHARE)
        rest, weights = self.plan.reactions - on_open, range(1, len(self.windows))
        shares = [rest * weight // sum(weights) for weight in weights]
        shares[-1] += rest - sum(shares)
        return [*shares, on_open]

    def rows(self) -> Iterator[Row]:
        for window, count in zip(self.windows, self.per_version(), strict=True):
            yield from self.version_rows(window, count)
            yield from self.due_replies(window.closes + timedelta(seconds=1))

    def version_rows(self, window: Window, count: int) -> Iterator[Row]:
        rng = self.rng
        heat = [self.heat[key] for _id, key, _text in window.sections]
        sections = rng.choices(window.sections, heat, k=count)
        authors = rng.choices(self.cast.partners, self.cast.partner_weights, k=count)
        span = (window.closes - window.opens).total_seconds()
        prefix = reference(window.code, window.number, 0)[:-3]  # the references' common part
        for index, (section, author) in enumerate(zip(sections, authors, strict=True)):
            at = window.opens + timedelta(seconds=(index + rng.random()) * span / count)
            yield from self.due_replies(at)
            demo = rng.random() < DEMO_PARTNER_SHARE
            number = f"{prefix}{index + 1:03d}"  # = reference(code, version, index + 1)
            partner = self.cast.demo_partner if demo else author
            row = self.reaction(window, number, section, partner, at)
            yield row
            if row[STATE] == CommentState.PUBLISHED.value:
                self.maybe_answer(row, window.closes)
        self.counters[window.version_id] = count

    def reaction(self, window: Window, ref: str, section: tuple[int, str, str],
                 author: tuple[int, tuple[int, ...]], at: datetime) -> Row:  # fmt: skip
        rng = self.rng
        section_id, _key, section_text = section
        person, groups = author
        kind = rng.choice(self.kinds)
        body, html = rng.choice(self.bodies)
        passage = self.passages.pick(section_id, section_text) if rng.random() < QUOTED else None
        quote: tuple[Any, ...] = (None,) * 6
        if passage is not None:
            anchor, wording = passage
            suggests = kind is CommentKind.SUGGESTION and rng.random() < SUGGESTS_WORDING
            quote = (wording if suggests else None, anchor.exact, anchor.prefix, anchor.suffix,
                     anchor.start, anchor.end)  # fmt: skip
        group_only = rng.random() < GROUP_ONLY
        visibility = CommentVisibility.GROUP if group_only else CommentVisibility.PUBLIC
        fate = rng.random()
        state = CommentState.PENDING if fate < PENDING else CommentState.PUBLISHED
        hidden = PENDING <= fate < PENDING + HIDDEN
        deleted = PENDING + HIDDEN <= fate < PENDING + HIDDEN + DELETED
        comment_id = next(self.ids)
        decidable = fate >= PENDING + HIDDEN + DELETED
        register = (
            self.decision(window, comment_id, section_id, kind, person, at)
            if decidable else UNDECIDED
        )  # fmt: skip
        return (
            comment_id, section_id, window.version_id, None, person, rng.choice(groups),
            kind.value, body, html, *quote, visibility.value, state.value, False,
            f"bench-{comment_id}", HIDDEN_REASON if hidden else None,
            rng.choice(self.cast.officials) if hidden else None,
            at + timedelta(days=1) if hidden else None,
            at + timedelta(hours=2) if deleted else None, at, ref, *register,
        )  # fmt: skip

    def decision(self, window: Window, comment_id: int, section_id: int, kind: CommentKind,
                 author: int, at: datetime) -> Row:  # fmt: skip
        """The register's columns of a decidable reaction (published, neither hidden nor
        deleted): on a closed version most are decided, on the open one fewer, and about half
        of the open version's are assigned to a reviewer. A decision may bring the author's
        answer and a review note."""
        rng, reviewers = self.rng, self.cast.reviewers
        closed = window is not self.windows[-1]
        assignee = None if closed or rng.random() >= ASSIGNED_OPEN else rng.choice(reviewers)
        recent = self.recent.setdefault(section_id, [])
        if rng.random() < (DECIDED_CLOSED if closed else DECIDED_OPEN):
            decided = self.decided_row(window, closed, comment_id, section_id, kind, author, at)
            register = (*decided, assignee, 1)
        else:
            register = (*UNDECIDED[:-2], assignee, 0)
        recent.append(comment_id)  # a candidate for the later duplicates on its section
        if len(recent) > DUPLICATE_CANDIDATES:
            del recent[0]
        return register

    def decided_row(self, window: Window, closed: bool, comment_id: int, section_id: int,
                    kind: CommentKind, author: int, at: datetime) -> Row:  # fmt: skip
        """A decision's columns (up to the assignee); its answer and note, if any."""
        rng, reviewers = self.rng, self.cast.reviewers
        candidates = self.recent[section_id]  # this reaction is not among them yet
        if rng.random() < (IN_PROGRESS_CLOSED if closed else IN_PROGRESS_OPEN):
            disposition = Disposition.IN_PROGRESS
        else:
            population, cumulative = self.dispositions[kind]
            disposition = rng.choices(population, cum_weights=cumulative)[0]
        duplicate_of = None
        if disposition is Disposition.DUPLICATE:
            if candidates:
                duplicate_of = rng.choice(candidates)
            else:  # the first reaction on its section repeats nothing
                disposition = Disposition.NOTED
        if disposition is Disposition.IN_PROGRESS and rng.random() < 0.5:
            motivation, motivation_html = None, ""  # in progress needs no motivation
        else:
            motivation, motivation_html = rng.choice(self.motivations[disposition])
        until = window.closes + timedelta(days=1) if closed else END  # the next version, or now
        decided_at = at + timedelta(minutes=10) + max(until - at, timedelta(0)) * rng.random()
        taken_in: tuple[int | None, str | None] = (None, None)
        if closed and disposition in TAKEN_IN:
            taken_in = self.taken_in.get(section_id, taken_in)
        change_id = next(self.change_ids)
        self.decided += 1
        if disposition not in OPEN and rng.random() < DECISION_ANSWERED:
            self.answer(comment_id, change_id, author, decided_at)
        if rng.random() < NOTED_BY_REVIEWERS:
            body, html = rng.choice(self.notes)
            noted_at = at + (decided_at - at) * rng.random()
            self.note_rows.append(
                (next(self.note_ids), comment_id, rng.choice(reviewers), body, html, noted_at)
            )
        return (
            disposition.value, motivation, motivation_html, rng.choice(reviewers), decided_at,
            duplicate_of, *taken_in,
        )  # fmt: skip

    def answer(self, comment_id: int, change_id: int, author: int, decided_at: datetime) -> None:
        """The author's answer to the decision, within days (objections need a word)."""
        rng = self.rng
        if rng.random() < OBJECTS:
            verdict, (body, html) = AnswerVerdict.OBJECT, rng.choice(self.objections)
        else:
            verdict, (body, html) = AnswerVerdict.AGREE, rng.choice(self.agreements)
        later = decided_at + timedelta(hours=rng.expovariate(1 / 48))
        answered_at = max(min(later, END), decided_at + timedelta(minutes=1))
        self.answer_rows.append((
            next(self.answer_ids), comment_id, change_id, author, verdict.value, body, html,
            answered_at,
        ))  # fmt: skip

    def maybe_answer(self, thread: Row, closes: datetime) -> None:
        """About a quarter of the published threads get an official answer, within days."""
        if self.rng.random() >= ANSWERED:
            return
        reply = Reply(
            thread[CREATED_AT], 0, thread[ID], thread[SECTION_ID], thread[VISIBILITY],
            (thread[AUTHOR_ID], thread[GROUP_ID]), closes, official=True,
        )  # fmt: skip
        self.push(reply)

    def push(self, reply: Reply) -> None:
        """Schedule ``reply`` some hours (36 on average) after ``reply.at``."""
        reply.at = min(reply.at + timedelta(hours=self.rng.expovariate(1 / 36)), reply.closes)
        reply.order = next(self.order)
        heapq.heappush(self.replies, reply)

    def due_replies(self, until: datetime) -> Iterator[Row]:
        """The replies due before ``until``; an answer may bring the partner's follow-up."""
        while self.replies and self.replies[0].at < until:
            due = heapq.heappop(self.replies)
            yield self.reply(due)
            if due.official and self.rng.random() < FOLLOWED_UP:
                self.push(replace(due, official=False))

    def reply(self, due: Reply) -> Row:
        """An official answer by a reviewer or author, or the partner's follow-up for the
        same group; either takes the thread's visibility."""
        comment_id = next(self.ids)
        if due.official:
            author, group = self.rng.choice(self.cast.officials), None
            body, html = self.rng.choice(self.answers)
        else:
            author, group = due.partner
            body, html = self.rng.choice(self.follow_ups)
        return (
            comment_id, due.section_id, self.version_of[due.section_id], due.thread, author,
            group, None, body, html,
            *(None,) * 6, due.visibility, CommentState.PUBLISHED.value, due.official,
            f"bench-{comment_id}", None, None, None, None, due.at, None, *UNDECIDED,
        )  # fmt: skip


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def load(connection: Connection, model: Any, columns: tuple[str, ...], rows: Iterable[Row]) -> None:
    """``rows`` into ``model``'s table, in the connection's transaction: executemany in
    chunks on SQLite, one COPY through the psycopg connection on PostgreSQL."""
    table = model.__table__
    if connection.dialect.name == "sqlite":
        for chunk in chunks(rows, CHUNK):
            connection.execute(
                insert(table), [dict(zip(columns, row, strict=True)) for row in chunk]
            )
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


# ---------------------------------------------------------------------------------------------
# The indexes of the tables loaded in bulk: dropped for the load, made again after it.

BULK_TABLES = ("comments", "disposition_changes", "decision_answers")


def drop_secondary_indexes(connection: Connection, table: str) -> list[str]:
    """Drop what the migrations made on ``table``, apart from its primary key (and on SQLite
    the unique constraints' own indexes, which cannot be dropped); return the statements that
    make them again. Read from the catalogue, so that a new index is kept as well."""
    if connection.dialect.name == "sqlite":
        found = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table "
            "AND sql IS NOT NULL"
        ), {"table": table}).all()  # fmt: skip
        for name, _sql in found:
            connection.execute(text(f'DROP INDEX "{name}"'))
        return [sql for _name, sql in found] + drop_search_triggers(connection, table)
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = :table AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:table AS regclass))"
    ), {"table": table}).all()  # fmt: skip
    constraints = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('u', 'f') "
        "ORDER BY contype DESC"
    ), {"table": table}).all()  # fmt: skip
    for name, _definition in constraints:
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    remake = [definition for _name, definition in indexes]
    return remake + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                     for name, definition in constraints]  # fmt: skip


def drop_search_triggers(connection: Connection, table: str) -> list[str]:
    """SQLite: drop the triggers that keep the text search indexes (migrations 0009 and
    0023) row by row, and return what makes them again and then builds each index at once
    from the table."""
    found = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"
    ), {"table": table}).all()  # fmt: skip
    for name, _sql in found:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    indexes = [name for name in (SEARCH_TABLE, f"fulltext_{table}")
               if any(trigger.startswith(name + "_") for trigger, _sql in found)]  # fmt: skip
    rebuild = [f"INSERT INTO {name} ({name}) VALUES ('rebuild')" for name in indexes]
    return [sql for _name, sql in found] + rebuild


def first_ids(session: Session) -> FirstIds:
    def after(model: Any) -> int:
        return (session.scalar(select(func.max(model.id))) or 0) + 1

    return FirstIds(after(Comment), after(DispositionChange), after(DecisionAnswer),
                    after(ReviewNote))  # fmt: skip


def insert_reactions(
    session: Session, plan: Plan, cast: Cast, windows: list[Window], summary: Summary
) -> list[str]:
    """All reactions and replies, then the register's rows, in one transaction; returns what
    remakes the indexes."""
    connection = session.connection()
    first = first_ids(session)
    remake = [sql for table in BULK_TABLES for sql in drop_secondary_indexes(connection, table)]
    reactions = Reactions(plan, cast, windows, first, successors(session, windows))
    with summary.phase("reactions"):
        load(connection, Comment, COLUMNS, reactions.rows())
    with summary.phase("register"):
        add_register(connection, reactions, first)
        # Written past the ORM: what pages keep of these versions' reactions must be made anew.
        revisions.bump(session, [window.version_id for window in windows])
        session.commit()
    return remake


def add_register(connection: Connection, reactions: Reactions, first: FirstIds) -> None:
    """The decision history, one change per decided reaction, made from the reactions by the
    database (ids in the order of the reactions' ids, as the generator allocated them); the
    answers and notes collected; each version's reference counter at its last number."""
    columns = "comment_id, disposition, motivation, motivation_html, duplicate_of_id, " \
        "decided_by_id, decided_at"  # fmt: skip
    made = connection.execute(text(
        f"INSERT INTO disposition_changes (id, {columns}) "
        f"SELECT {first.change - 1} + row_number() OVER (ORDER BY id), "
        f"id, {columns.removeprefix('comment_id, ')} "
        "FROM comments WHERE decided_at IS NOT NULL"
    )).rowcount  # fmt: skip
    assert made == reactions.decided, (made, reactions.decided)
    load(connection, DecisionAnswer, ANSWER_COLUMNS, reactions.answer_rows)
    load(connection, ReviewNote, NOTE_COLUMNS, reactions.note_rows)
    for version_id, counter in reactions.counters.items():
        connection.execute(
            update(Version).where(Version.id == version_id).values(reaction_counter=counter)
        )


def remake_indexes(session: Session, remake: list[str]) -> None:
    """Indexes and constraints made at once, the id sequences moved past the ids used, and
    statistics for the planner."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for statement in remake:
        connection.execute(text(statement))
    if postgresql:
        for table in (*BULK_TABLES, "review_notes"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1), "
                f"max(id) IS NOT NULL) FROM {table}"
            ))  # fmt: skip
    connection.execute(text("ANALYZE"))
    session.commit()


# ---------------------------------------------------------------------------------------------
# The whole run.


def make_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-data"})


def count_rows(session: Session) -> dict[str, int]:
    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "groups": count(Group),
        "people": count(User),
        "documents": count(Document),
        "versions": count(Version),
        "sections": count(Section),
        "reactions": count(Comment, Comment.parent_id.is_(None)),
        "replies": count(Comment, Comment.parent_id.is_not(None)),
        "decided": count(Comment, Comment.disposition != Disposition.NEW),
        "assigned": count(Comment, Comment.assignee_id.is_not(None)),
        "decision changes": count(DispositionChange),
        "decision answers": count(DecisionAnswer),
        "review notes": count(ReviewNote),
    }


def database_bytes(session: Session) -> int:
    if session.get_bind().dialect.name == "sqlite":
        return int(session.execute(text(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )).scalar_one())  # fmt: skip
    return int(session.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def refuse_data(session: Session, url: str) -> None:
    """Bench data goes into an empty database only: never migrate or add to a real one."""
    if "users" in inspect(session.connection()).get_table_names() and session.scalar(
        select(func.count()).select_from(User)
    ):
        raise SystemExit(f"{url} holds data already; bench data goes into an empty database")
    session.rollback()


def build(url: str, plan: Plan) -> Summary:
    """Fill the (empty) database at ``url`` according to ``plan``."""
    summary = Summary()
    app = make_app(url)
    with app.app_context():
        session: Session = db.session()
        refuse_data(session, url)
        with summary.phase("schema"):
            upgrade()
        rng = Random(plan.seed)
        with summary.phase("accounts"):
            cast = create_accounts(session, rng)
            session.commit()
        with summary.phase("publishing"):
            windows = publish(session, plan)
            session.commit()
        remake = insert_reactions(session, plan, cast, windows, summary)
        with summary.phase("indexes/analyze"):
            remake_indexes(session, remake)
        summary.counts = count_rows(session)
        summary.database_bytes = database_bytes(session)
        session.close()
        db.engine.dispose()
    return summary


def postgres_database(url: str, *, create: bool) -> None:
    """Drop the PostgreSQL database of ``url`` and, if ``create``, make it anew: through the
    server's database ``postgres``, outside any transaction."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                       help="make a fresh database of this kind (default: sqlite)")  # fmt: skip
    where.add_argument("--url", help="fill this empty database instead; it is never removed")
    parser.add_argument("--reactions", type=int, default=10_000, help="top-level reactions")
    parser.add_argument("--versions", type=int, default=10, help="versions of the document")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database")
    args = parser.parse_args(argv)
    if args.reactions < 0 or args.versions < 1:
        parser.error("--reactions must be at least 0 and --versions at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = Plan(args.reactions, args.versions, args.seed)
    folder = None
    if args.url:
        url = args.url
    elif args.database == "postgresql":
        url = POSTGRES_URL
        postgres_database(url, create=True)
    else:
        folder = tempfile.mkdtemp(prefix="reviewhub-bench-data-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    print(f"Bench data into {url}: {plan.reactions:,} reactions, {plan.versions} versions, "
          f"seed {plan.seed}")  # fmt: skip
    summary = build(url, plan)
    summary.report(url)
    if args.url or args.keep:
        print(f"Serve it:\n  REVIEWHUB_DATABASE_URL='{url}' .venv/bin/flask --app reviewhub run")
    elif folder:
        shutil.rmtree(folder)
        print("Removed (--keep keeps it).")
    else:
        postgres_database(url, create=False)
        print("Dropped (--keep keeps it).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
