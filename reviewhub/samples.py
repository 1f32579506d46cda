"""Sample documents and demo accounts, so a fresh `make run` has something to show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select

from .dbtypes import DbSession
from .models import Document, Group, GroupKind, Membership, Role, User
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
