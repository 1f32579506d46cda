"""Sample documents and demo accounts, so a fresh `make run` has something to show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select

from .dbtypes import DbSession
from .feedback import decisions, positions, questions
from .feedback.decisions import Decision
from .feedback.errors import FeedbackError
from .feedback.hints import confirm_hint
from .feedback.posting import NewComment, Passage, post_comment
from .models import (
    AnswerVerdict,
    Comment,
    CommentKind,
    CommentVisibility,
    Disposition,
    Document,
    Group,
    GroupKind,
    Membership,
    Role,
    User,
    Version,
    VersionStatus,
)
from .publishing import VersionMeta, get_or_create_document, publish_version

DEMO_PASSWORD = "demo-reviewhub"
DEMO_ACCOUNTS = [
    ("admin@example.org", "Anna Admin", Role.ADMIN, "Functioneel beheerder"),
    ("auteur@example.org", "Bram Auteur", Role.AUTHOR, "Programmamanager"),
    ("reviewer@example.org", "Carla Reviewer", Role.REVIEWER, "Gedragswetenschapper"),
    ("partner@example.org", "Dewi Partner", Role.PARTNER, "Teamleider lokaal team"),
    ("lezer@example.org", "Eef Lezer", Role.READER, "Beleidsmedewerker"),
]
# Group name, kind, and the demo accounts in it (the first one coordinates).
DEMO_GROUPS = [
    ("Regio Twente", GroupKind.REGION, ["partner@example.org"]),
    ("Regio Noord-Holland Noord", GroupKind.REGION, []),
    ("Proeftuin Utrecht", GroupKind.PILOT, ["partner@example.org"]),
    ("Werkgroep Veiligheidsplan", GroupKind.WORKGROUP, ["auteur@example.org"]),
    ("Reviewgroep gedragswetenschappers", GroupKind.REVIEW, ["reviewer@example.org"]),
]


@dataclass(frozen=True)
class LoadedDocument:
    slug: str
    versions: int


def _version_order(path: Path) -> tuple[int, str]:
    digits = re.findall(r"\d+", path.stem)
    return (int(digits[-1]) if digits else 0, path.name)


def load_documents(session: DbSession, folder: Path) -> list[LoadedDocument]:
    """Publish every ``<folder>/<slug>/v*.md`` in order, described by its ``document.yml``."""
    loaded = []
    for directory in sorted(p for p in folder.iterdir() if (p / "document.yml").is_file()):
        info = yaml.safe_load((directory / "document.yml").read_text(encoding="utf-8")) or {}
        document = get_or_create_document(
            session, str(info.get("slug") or directory.name), info.get("title")
        )
        document.description = str(info.get("description") or "").strip()
        files = sorted(directory.glob("v*.md"), key=_version_order)
        for path in files:
            publish_version(session, document, path.read_text(encoding="utf-8"), VersionMeta())
        loaded.append(LoadedDocument(document.slug, len(files)))
    return loaded


def database_is_empty(session: DbSession) -> bool:
    return not session.scalar(select(func.count()).select_from(Document))


def ensure_demo_accounts(session: DbSession) -> list[User]:
    """Create the demo accounts and groups if the database has no accounts at all, and give
    documents without an owner to the demo author; return the accounts made."""
    if session.scalar(select(func.count()).select_from(User)):
        return []
    users = {}
    for email, name, role, function in DEMO_ACCOUNTS:
        user = User(email=email, name=name, role=role, function=function,
                    organisation="Demo-organisatie")  # fmt: skip
        user.set_password(DEMO_PASSWORD)
        users[email] = user
    session.add_all(users.values())
    for name, kind, members in DEMO_GROUPS:
        group = session.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name, kind=kind)
            session.add(group)
        group.memberships.extend(
            Membership(user=users[email], coordinator=index == 0)
            for index, email in enumerate(members)
        )
    for document in session.scalars(select(Document).where(Document.owner_id.is_(None))):
        document.owner = users["auteur@example.org"]
    session.flush()
    return list(users.values())


# Demo reactions ---------------------------------------------------------------------------
# `flask demo` (and so `make run`) shows the review at work on the open version 3 of the
# sample document: reactions in several states, decided by the demo reviewer. Never part of
# `load-samples` or the tests' sample database, which start without reactions.

DEMO_DOCUMENT = "handelingskader-veiligheidsteams"
DEMO_VERSION = 3


@dataclass(frozen=True)
class DemoReaction:
    """One demo reaction: who sends it for which group, on which section (by key or heading),
    and what the review group made of it."""

    token: str  # the form token: posting it twice stores it once
    author: str  # a demo account's e-mail
    group: str
    section: str
    kind: CommentKind
    body: str
    disposition: Disposition = Disposition.NEW
    motivation: str = ""
    duplicate_of: str = ""  # the token of the reaction this one repeats
    question: str = ""  # the key in DEMO_QUESTIONS of the question it answers


# The authors' consultation questions on the open version: key, section ("" for the version
# as a whole) and wording. Two demo reactions answer them.
DEMO_QUESTIONS = [
    ("missing", "", "Wat mist u in dit handelingskader om er in uw regio mee te werken?"),
    ("network", "samenwerking-gezin",
     "Is de rol van het netwerk van het gezin duidelijk genoeg beschreven?"),
]  # fmt: skip

DEMO_REACTIONS = [
    DemoReaction(
        "demo-1", "partner@example.org", "Regio Twente", "veiligheid", CommentKind.CONCERN,
        "Veiligheid voorop is goed, maar wat doen we als ouders de afspraken niet nakomen? "
        "Graag een stap beschrijven voor het opschalen.",
        Disposition.ACCEPTED,
        "Terecht punt. In de volgende versie komt onder 'Veiligheid voorop' een alinea over "
        "opschalen naar de Raad voor de Kinderbescherming als afspraken niet worden nagekomen.",
    ),
    DemoReaction(
        "demo-2", "partner@example.org", "Proeftuin Utrecht", "veiligheid",
        CommentKind.SUGGESTION,
        "Noem ook de school als partner bij het maken van veiligheidsafspraken; kinderen zijn "
        "daar elke dag.",
        Disposition.NOT_ACCEPTED,
        "De rol van onderwijs staat al in hoofdstuk 3 (Onderwijs en kinderopvang); hier "
        "herhalen maakt de tekst langer zonder nieuwe afspraak.",
    ),
    DemoReaction(
        "demo-3", "partner@example.org", "Regio Twente", "regie", CommentKind.QUESTION,
        "Wie is regisseur als het gezin in twee gemeenten woont?",
        Disposition.ANSWERED,
        "De gemeente waar het kind staat ingeschreven; dat staat in de toelichting van deze "
        "paragraaf.",
    ),
    DemoReaction(
        "demo-4", "auteur@example.org", "Werkgroep Veiligheidsplan", "samenwerking-gezin",
        CommentKind.SUPPORT,
        "Fijn dat het netwerk van het gezin hier zo nadrukkelijk staat. Dat sluit aan bij "
        "onze ervaring.",
        Disposition.NOTED, "Dank, we houden deze lijn vast.",
    ),
    DemoReaction(
        "demo-5", "partner@example.org", "Regio Twente", "samenwerking-gezin",
        CommentKind.SUGGESTION,
        "Wij missen een duidelijke rol voor het netwerk bij het opstellen van het "
        "veiligheidsplan. Maak expliciet dat het netwerk meeschrijft.",
        question="network",
    ),
    DemoReaction(
        "demo-6", "partner@example.org", "Proeftuin Utrecht", "samenwerking-gezin",
        CommentKind.SUGGESTION,
        "Beste reviewgroep, wij missen een duidelijke rol voor het netwerk bij het opstellen "
        "van het veiligheidsplan: maak expliciet dat het netwerk meeschrijft. Groet, Utrecht",
        Disposition.DUPLICATE, "Hetzelfde punt als de reactie van Regio Twente.", "demo-5",
    ),
    DemoReaction(
        "demo-7", "auteur@example.org", "Werkgroep Veiligheidsplan", "samenwerking-gezin",
        CommentKind.SUGGESTION,
        "Wij missen in deze paragraaf een duidelijke rol voor het netwerk bij het opstellen van "
        "het veiligheidsplan. Maak expliciet dat het netwerk meeschrijft!",
    ),
    DemoReaction(
        "demo-8", "partner@example.org", "Regio Twente", "regie", CommentKind.CONCERN,
        "Eén regisseur klinkt goed, maar in onze regio is er te weinig capaciteit. Hoe wordt "
        "voorkomen dat gezinnen op een wachtlijst komen?",
        Disposition.IN_PROGRESS,
    ),
    DemoReaction(
        "demo-9", "partner@example.org", "Proeftuin Utrecht", "De stem van het kind",
        CommentKind.QUESTION,
        "Vanaf welke leeftijd wordt het kind zelf uitgenodigd voor het gesprek?",
    ),
    DemoReaction(
        "demo-10", "partner@example.org", "Regio Twente", "De stem van het kind",
        CommentKind.GENERAL,
        "Mooi dat dit een eigen paragraaf heeft. Misschien een voorbeeld van een gesprek met "
        "een kind van acht toevoegen?",
        question="missing",
    ),
    DemoReaction(
        "demo-11", "auteur@example.org", "Werkgroep Veiligheidsplan", "Veilig Thuis",
        CommentKind.QUESTION,
        "Hoe verhoudt deze paragraaf zich tot de meldcode? Graag een verwijzing.",
        Disposition.ACCEPTED, "We voegen een verwijzing naar de meldcode toe.",
    ),
    DemoReaction(
        "demo-12", "partner@example.org", "Proeftuin Utrecht", "Lokaal team",
        CommentKind.CONCERN,
        "Het lokale team krijgt er veel taken bij. Is daar budget voor afgesproken?",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class EarlierDemoReaction:
    """A demo reaction made on Dialoogversie 1 while it was open, on a passage (``exact``) or
    the whole section, and carried into versions 2 and 3: the passages were chosen so that
    each state shows (changed, gone, unchanged, section removed). ``confirm``: the reviewer
    confirmed the hint that version 2 took it in; else ``disposition`` if any."""

    token: str
    author: str
    group: str
    section: str
    kind: CommentKind
    body: str
    exact: str = ""
    proposed: str = ""
    disposition: Disposition = Disposition.NEW
    motivation: str = ""
    confirm: bool = False


EARLIER_VERSION = 1
EARLIER_REACTIONS = [
    EarlierDemoReaction(
        "demo-v1-1", "partner@example.org", "Regio Twente", "lokaal-team",
        CommentKind.SUGGESTION,
        "Het netwerk van het gezin ontbreekt in het takenlijstje. Zet het vooraan.",
        exact="zorgen over veiligheid bespreekbaar maken met het gezin;",
        proposed="zorgen over veiligheid bespreekbaar maken met het gezin; het netwerk van het "
                 "gezin vanaf het begin betrekken;",
    ),
    EarlierDemoReaction(
        "demo-v1-2", "partner@example.org", "Proeftuin Utrecht", "beroepsgeheim",
        CommentKind.CONCERN,
        "Alleen 'afweging vastleggen' is te mager: bespreek het met een collega voordat je "
        "zonder toestemming informatie deelt.",
        exact="Weeg in dat laatste geval zorgvuldig af en leg de afweging vast.",
        confirm=True,
    ),
    EarlierDemoReaction(
        "demo-v1-3", "auteur@example.org", "Werkgroep Veiligheidsplan", "weging-van-de-ernst",
        CommentKind.QUESTION,
        "Wat is 'direct'? Binnen een uur, binnen een dag?",
        exact="Bij acute onveiligheid worden direct beschermende maatregelen getroffen.",
        disposition=Disposition.ANSWERED,
        motivation="Het onderscheid acuut/structureel verhuist naar de taxatie-instrumenten; "
                   "daar staan de termijnen.",
    ),
    EarlierDemoReaction(
        "demo-v1-4", "partner@example.org", "Regio Twente", "doel-van-dit-handelingskader",
        CommentKind.SUPPORT, "Goed dat het kader uitdrukkelijk geen protocol is.",
        exact="Het kader is nadrukkelijk geen protocol dat stap voor stap moet worden gevolgd.",
        disposition=Disposition.NOTED, motivation="Dank; die lijn houden we vast.",
    ),
    EarlierDemoReaction(
        "demo-v1-5", "partner@example.org", "Proeftuin Utrecht",
        "totstandkoming-van-deze-versie", CommentKind.GENERAL,
        "Fijn dat ervaringsdeskundigen hebben meegeschreven. Komt dat ook in de volgende "
        "versie terug?",
        disposition=Disposition.ANSWERED,
        motivation="Deze paragraaf vervalt; wie meeschreef staat voortaan in het "
                   "versieoverzicht.",
    ),
]  # fmt: skip
DEMO_OBJECTION = ("demo-2", "Wij blijven het belangrijk vinden: juist hier lezen teams mee.")
DEMO_AGREEMENT = "demo-1"
DEMO_NOTE = ("demo-8", "Navragen bij de programmaraad hoe het met de capaciteit staat.")


# Regio Twente's position on one section: its coordinator's group-only notes, a position
# sent twice (two editions) and edited once more, not sent yet.
DEMO_POSITION_SECTION = "de-stem-van-het-kind"
DEMO_POSITION_NOTES = [
    ("demo-pos-1", "Intern: kinderen vanaf acht jaar zelf uitnodigen, niet alleen horen."),
    ("demo-pos-2", "Intern: ook een gesprek zonder ouders erbij mogelijk maken."),
]
DEMO_POSITION_EDITIONS = [
    "Regio Twente vraagt kinderen vanaf acht jaar zelf uit te nodigen voor het gesprek.",
    "Regio Twente vraagt kinderen vanaf acht jaar zelf uit te nodigen voor het gesprek, "
    "zo nodig zonder ouders erbij.",
    "Regio Twente vraagt kinderen vanaf acht jaar zelf uit te nodigen voor het gesprek, "
    "zo nodig zonder ouders erbij, en het kind het verslag te laten lezen.",
]


def ensure_demo_reactions(session: DbSession) -> int:
    """Ask the authors' consultation questions on the sample document's open version, and
    post and decide the demo reactions there (two answer a question), if the database has no
    reactions at all and the demo accounts and that version are there; return how many
    reactions were made (0: nothing to do, or the version is not open any more)."""
    if session.scalar(select(func.count()).select_from(Comment)):
        return 0
    version = session.scalar(
        select(Version)
        .join(Document)
        .where(Document.slug == DEMO_DOCUMENT, Version.number == DEMO_VERSION)
    )
    people = {user.email: user for user in session.scalars(select(User))}
    reviewer = people.get("reviewer@example.org")
    if version is None or reviewer is None or any(r.author not in people for r in DEMO_REACTIONS):
        return 0
    try:
        with session.begin_nested():  # all of them or, refused, none (the rest stays)
            earlier = _replay_first_round(session, version.document, people, reviewer)
            asked = _ask_demo_questions(session, version, people["auteur@example.org"])
            made = _post_demo_reactions(session, version, people, asked)
            _decide_demo_reactions(session, reviewer, people, made)
            position = _prepare_demo_position(session, version, people["partner@example.org"])
    except FeedbackError:  # closed for feedback by now, or the accounts were changed
        return 0
    return len(made) + earlier + position


def _prepare_demo_position(session: DbSession, version: Version, coordinator: User) -> int:
    """Regio Twente's notes for the group only, and its position made of them: two editions
    sent, a third wording in preparation. Returns the reactions it made (notes and the
    position as sent)."""
    section = next(s for s in version.sections if s.key == DEMO_POSITION_SECTION)
    group = next(m.group for m in coordinator.memberships if m.group.name == "Regio Twente")
    notes = [
        post_comment(session, coordinator, section,
                     NewComment(CommentKind.GENERAL, body, client_token=token, group_id=group.id,
                                visibility=CommentVisibility.GROUP))
        for token, body in DEMO_POSITION_NOTES
    ]  # fmt: skip
    *sent, prepared = DEMO_POSITION_EDITIONS
    for wording in sent:
        draft = positions.Draft(CommentKind.SUGGESTION, wording, [n.id for n in notes])
        position = positions.save_position(session, coordinator, group, section, draft)
        positions.send_position(session, coordinator, position)
    draft = positions.Draft(CommentKind.SUGGESTION, prepared, [n.id for n in notes])
    positions.save_position(session, coordinator, group, section, draft)
    return len(notes) + 1


def _replay_first_round(
    session: DbSession, document: Document, people: dict[str, User], reviewer: User
) -> int:
    """The reactions Dialoogversie 1 got while it was open, posted as they were then (the
    version is opened for the moment they take) and so carried into versions 2 and 3 the
    way a reaction on an older open version is; then decided, one by confirming the hint
    that version 2 took it in."""
    version = next((v for v in document.versions if v.number == EARLIER_VERSION), None)
    if version is None:
        return 0
    status, closes_on = version.status, version.closes_on
    version.status, version.closes_on = VersionStatus.OPEN, None
    sections = {section.key: section for section in version.sections}
    groups = {group.name: group for group in session.scalars(select(Group))}
    made = []
    for item in EARLIER_REACTIONS:
        section = sections[item.section]
        passage = Passage(item.exact, start=section.text.index(item.exact)) if item.exact else None
        new = NewComment(item.kind, item.body, client_token=item.token,
                         group_id=groups[item.group].id, passage=passage,
                         proposed_text=item.proposed or None)  # fmt: skip
        made.append((item, post_comment(session, people[item.author], section, new)))
    version.status, version.closes_on = status, closes_on
    for item, comment in made:
        if item.confirm:
            confirm_hint(session, reviewer, comment, Disposition.PARTLY_ACCEPTED)
        elif item.disposition is not Disposition.NEW:
            decisions.decide(session, reviewer, comment,
                             Decision(item.disposition, item.motivation))  # fmt: skip
    return len(made)


def _ask_demo_questions(session: DbSession, version: Version, author: User) -> dict[str, int]:
    """The authors' questions on the open version: their ids by DEMO_QUESTIONS key."""
    sections = {section.key: section for section in version.sections}
    return {
        key: questions.add_question(session, author, version, text, sections.get(section)).id
        for key, section, text in DEMO_QUESTIONS
    }


def _post_demo_reactions(
    session: DbSession, version: Version, people: dict[str, User], asked: dict[str, int]
) -> dict[str, Comment]:
    sections = {section.key: section for section in version.sections}
    sections.update({section.heading: section for section in version.sections})
    groups = {group.name: group for group in session.scalars(select(Group))}
    fallback = version.sections[-1]
    made = {}
    for item in DEMO_REACTIONS:
        group = groups.get(item.group)
        new = NewComment(item.kind, item.body, client_token=item.token,
                         group_id=group.id if group else None,
                         question_id=asked.get(item.question))  # fmt: skip
        section = sections.get(item.section, fallback)
        made[item.token] = post_comment(session, people[item.author], section, new)
    return made


def _decide_demo_reactions(
    session: DbSession, reviewer: User, people: dict[str, User], made: dict[str, Comment]
) -> None:
    for item in DEMO_REACTIONS:
        if item.disposition is Disposition.NEW:
            continue
        target = made[item.duplicate_of].reference if item.duplicate_of else None
        decision = Decision(item.disposition, item.motivation, duplicate_of=target)
        decisions.decide(session, reviewer, made[item.token], decision)
    by_token = {item.token: people[item.author] for item in DEMO_REACTIONS}
    token, body = DEMO_OBJECTION
    decisions.answer_decision(session, by_token[token], made[token], AnswerVerdict.OBJECT, body)
    token = DEMO_AGREEMENT
    decisions.answer_decision(session, by_token[token], made[token], AnswerVerdict.AGREE, "")
    token, body = DEMO_NOTE
    decisions.add_note(session, reviewer, made[token], body)
