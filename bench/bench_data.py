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
from sqlalchemy import Connection, create_engine, func, insert, inspect, make_url, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_publish import CONTENT_WORDS, DEFAULT_SEED, make_versions

from reviewhub import create_app
from reviewhub.extensions import db
from reviewhub.feedback import revisions
from reviewhub.feedback.display import render_body
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    Document,
    Group,
    GroupKind,
    Membership,
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

# The columns written, in this order, on both databases.
COLUMNS = (
    "id", "section_id", "parent_id", "author_id", "group_id", "kind", "body", "body_html",
    "proposed_text", "quote_exact", "quote_prefix", "quote_suffix", "quote_start", "quote_end",
    "visibility", "state", "official", "client_token", "hidden_reason", "hidden_by_id",
    "hidden_at", "deleted_at", "created_at",
)  # fmt: skip
Row = tuple[Any, ...]
ID, SECTION_ID, AUTHOR_ID, GROUP_ID, VISIBILITY, STATE, CREATED_AT = (
    COLUMNS.index(name)
    for name in ("id", "section_id", "author_id", "group_id", "visibility", "state", "created_at")
)

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
        windows.append(Window(version.id, section_rows(session, version.id), opens, closes))
    return windows


def section_rows(session: Session, version_id: int) -> list[tuple[int, str, str]]:
    query = select(Section.id, Section.key, Section.text).where(Section.version_id == version_id)
    return [tuple(row) for row in session.execute(query.order_by(Section.position))]


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


class Reactions:
    """Generates the rows of all reactions and replies, oldest first, so that ids follow time
    as they do in the app, and a reply always comes after its parent."""

    def __init__(self, plan: Plan, cast: Cast, windows: list[Window], first_id: int) -> None:
        self.plan, self.cast, self.windows = plan, cast, windows
        self.rng = Random(plan.seed + 1)
        self.passages = Passages(self.rng)
        self.ids = itertools.count(first_id)
        self.replies: list[Reply] = []  # a heap, by time
        self.order = itertools.count()
        self.bodies = rendered(REACTION_BODIES)
        self.answers, self.follow_ups = rendered(ANSWERS), rendered(FOLLOW_UPS)
        self.kinds = list(CommentKind)
        self.answered: list[int] = []  # ids of the threads answered officially
        keys = {key for window in windows for _id, key, _text in window.sections}
        # Busy sections stay busy from version to version (they keep their key).
        self.heat = {key: self.rng.paretovariate(1.3) for key in sorted(keys)}

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
        for index, (section, author) in enumerate(zip(sections, authors, strict=True)):
            at = window.opens + timedelta(seconds=(index + rng.random()) * span / count)
            yield from self.due_replies(at)
            demo = rng.random() < DEMO_PARTNER_SHARE
            row = self.reaction(section, self.cast.demo_partner if demo else author, at)
            yield row
            if row[STATE] == CommentState.PUBLISHED.value:
                self.maybe_answer(row, window.closes)

    def reaction(self, section: tuple[int, str, str], author: tuple[int, tuple[int, ...]],
                 at: datetime) -> Row:  # fmt: skip
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
        return (
            comment_id, section_id, None, person, rng.choice(groups), kind.value, body, html,
            *quote, visibility.value, state.value, False,
            f"bench-{comment_id}", HIDDEN_REASON if hidden else None,
            rng.choice(self.cast.officials) if hidden else None,
            at + timedelta(days=1) if hidden else None,
            at + timedelta(hours=2) if deleted else None, at,
        )  # fmt: skip

    def maybe_answer(self, thread: Row, closes: datetime) -> None:
        """About a quarter of the published threads get an official answer, within days."""
        if self.rng.random() >= ANSWERED:
            return
        self.answered.append(thread[ID])
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
            comment_id, due.section_id, due.thread, author, group, None, body, html,
            *(None,) * 6, due.visibility, CommentState.PUBLISHED.value, due.official,
            f"bench-{comment_id}", None, None, None, None, due.at,
        )  # fmt: skip


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def load_sqlite(connection: Connection, rows: Iterable[Row]) -> None:
    """executemany in chunks, all in the one transaction of the connection."""
    table = Comment.__table__
    for chunk in chunks(rows, CHUNK):
        connection.execute(insert(table), [dict(zip(COLUMNS, row, strict=True)) for row in chunk])


def load_postgresql(connection: Connection, rows: Iterable[Row]) -> None:
    """One COPY through the connection's psycopg connection, in its transaction."""
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f"COPY comments ({', '.join(COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


# ---------------------------------------------------------------------------------------------
# The comments table's indexes: dropped for the load, made again after it.


def drop_secondary_indexes(connection: Connection) -> list[str]:
    """Drop what the migrations made on comments, apart from its primary key (and on SQLite
    the unique constraint's own index, which cannot be dropped); return the statements that
    make them again. Read from the catalogue, so that a new index is kept as well."""
    if connection.dialect.name == "sqlite":
        found = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments' "
            "AND sql IS NOT NULL"
        )).all()  # fmt: skip
        for name, _sql in found:
            connection.execute(text(f'DROP INDEX "{name}"'))
        return [sql for _name, sql in found]
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = 'comments' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'comments'::regclass)"
    )).all()  # fmt: skip
    constraints = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'comments'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC"
    )).all()  # fmt: skip
    for name, _definition in constraints:
        connection.execute(text(f'ALTER TABLE comments DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    remake = [definition for _name, definition in indexes]
    return remake + [f'ALTER TABLE comments ADD CONSTRAINT "{name}" {definition}'
                     for name, definition in constraints]  # fmt: skip


def insert_reactions(session: Session, plan: Plan, cast: Cast, windows: list[Window]) -> list[str]:
    """All reactions and replies in one transaction; returns what remakes the indexes."""
    connection = session.connection()
    first_id = (session.scalar(select(func.max(Comment.id))) or 0) + 1
    remake = drop_secondary_indexes(connection)
    reactions = Reactions(plan, cast, windows, first_id)
    if connection.dialect.name == "sqlite":
        load_sqlite(connection, reactions.rows())
    else:
        load_postgresql(connection, reactions.rows())
    add_decisions(session, reactions.answered)
    # Written past the ORM: what pages keep of these versions' reactions must be made anew.
    revisions.bump(session, [window.version_id for window in windows])
    session.commit()
    return remake


def add_decisions(session: Session, answered: list[int]) -> None:
    """Hook: there is no model yet for what the programme decided on a reaction (taken over,
    not taken over, ...). When there is, add decisions here for a share of ``answered`` (the
    ids of the threads answered officially), in bulk as the reactions are."""


def remake_indexes(session: Session, remake: list[str]) -> None:
    """Indexes and constraints made at once, the id sequence moved past the ids used, and
    statistics for the planner."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for statement in remake:
        connection.execute(text(statement))
    if postgresql:
        connection.execute(text(
            "SELECT setval(pg_get_serial_sequence('comments', 'id'), coalesce(max(id), 1), "
            "max(id) IS NOT NULL) FROM comments"
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
        with summary.phase("reactions"):
            remake = insert_reactions(session, plan, cast, windows)
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
