"""Small factories and helpers for tests."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.extensions import db
from reviewhub.feedback.posting import NewComment
from reviewhub.models import (
    Attribution,
    CommentKind,
    Document,
    Group,
    Membership,
    Role,
    Section,
    User,
    Version,
)
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import DEMO_PASSWORD, ensure_demo_accounts, load_documents

SAMPLE_SLUG = "handelingskader-veiligheidsteams"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = PROJECT_ROOT / "documents"  # the sample documents
DATA = Path(__file__).resolve().parent / "data"  # cases shared by tests in every sub-package


class Auth:
    """Log in as a demo account of a role, in one line: ``auth.login(Role.AUTHOR)``."""

    EMAILS: ClassVar[dict[Role, str]] = {
        Role.ADMIN: "admin@example.org",
        Role.AUTHOR: "auteur@example.org",
        Role.REVIEWER: "reviewer@example.org",
        Role.PARTNER: "partner@example.org",
        Role.READER: "lezer@example.org",
    }

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, role: Role = Role.AUTHOR, password: str = DEMO_PASSWORD) -> Any:
        return self.client.post("/login", data={"email": self.EMAILS[role], "password": password})

    def logout(self) -> Any:
        return self.client.post("/logout")


def make_document(session: Session, slug: str = "testdocument", title: str = "Test") -> Document:
    return get_or_create_document(session, slug, title)


def publish(session: Session, document: Document, source: str, **meta: Any) -> Any:
    meta.setdefault("label", "Versie")
    return publish_version(session, document, source, VersionMeta(**meta))


PUBLISH_FORM = "/documents/publish"
PREVIEW_TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def publish_through_form(client: FlaskClient, data: dict[str, Any], **post: Any) -> Any:
    """Send the publish form and confirm its preview, as an author does; the last answer.
    When the form is refused (no preview), that answer."""
    preview = client.post(PUBLISH_FORM, data=data, **post)
    preview.request.input_stream.close()  # a large body is spooled to a file by the client
    token = PREVIEW_TOKEN.search(preview.get_data(as_text=True))
    if preview.status_code != 200 or token is None:
        return preview
    return client.post(f"{PUBLISH_FORM}/confirm", data={"token": token[1], "action": "publish"})


def user_with_role(session: Session, role: Role) -> User:
    return session.scalars(select(User).where(User.email == Auth.EMAILS[role])).one()


def make_user(session: Session, email: str, role: Role, *groups: Group) -> User:
    """Another account besides the demo ones, a member of ``groups``."""
    user = User(email=email, name=email.partition("@")[0].title(), role=role)
    user.memberships.extend(Membership(group=group) for group in groups)
    session.add(user)
    session.flush()
    return user


def sample_section(session: Session, number: int = 3, key: str = "veiligheid") -> Section:
    """A section of the sample document; its version 3 is open for feedback until 1 March
    2027, version 2 is closed."""
    return session.scalars(
        select(Section)
        .join(Version)
        .join(Document)
        .where(Document.slug == SAMPLE_SLUG, Version.number == number, Section.key == key)
    ).one()


def group_named(session: Session, name: str = "Regio Twente") -> Group:
    """A demo group: the partner is in Regio Twente and Proeftuin Utrecht, the reviewer in the
    review group, the author in Werkgroep Veiligheidsplan; nobody is in Regio Noord-Holland
    Noord."""
    return session.scalars(select(Group).where(Group.name == name)).one()


def reaction(
    body: str = "Wat bedoelt u hiermee?",
    kind: CommentKind | None = CommentKind.QUESTION,
    group: Group | None = None,
    **fields: Any,
) -> NewComment:
    """What a reaction form sends, with a fresh form token unless one is given."""
    fields.setdefault("client_token", uuid4().hex)
    return NewComment(kind, body, group_id=group.id if group else None, **fields)


class Outbox:
    """The messages the mail module wrote to a folder, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def messages(self) -> list[EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[misc]
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def last_link(self) -> str:
        """The first link in the newest message, as a path on this site."""
        body = self.messages[-1].get_body(("plain",)).get_content()
        return urlsplit(re.search(r"https?://\S+", body).group(0)).path


@contextmanager
def sample_database(app: Flask) -> Iterator[Flask]:
    """The app with its schema built by the real migrations, the sample documents and the demo
    accounts committed; its connections are closed afterwards."""
    with app.app_context():
        upgrade()
        load_documents(db.session, DOCUMENTS)
        for person in ensure_demo_accounts(db.session):
            # As if each had reacted before: the question at a first reaction is tested on
            # its own (tests/feedback/test_attribution.py), and `make run` still asks it.
            person.attribution = Attribution.FULL
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def compile_catalogues(folder: Path) -> list[Path]:
    """Compile each ``<locale>/LC_MESSAGES/messages.po`` whose ``.mo`` is missing or older, as
    ``make translations`` (``pybabel compile --use-fuzzy``) does: fuzzy translations are
    used, and a catalogue marked fuzzy as a whole is compiled too. Return the files written.

    The ``.mo`` is written to a temporary file and renamed, so a run that starts meanwhile
    never reads half a catalogue. A catalogue with errors (say, a placeholder the
    translation lacks) stops the run, as it stops ``make test``."""
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        errors = [
            f"{po}:{message.lineno}: {error}"
            for message, message_errors in catalogue.check()
            for error in message_errors
        ]
        if errors:
            raise pytest.UsageError("Cannot compile the catalogue:\n" + "\n".join(errors))
        temporary = mo.with_name(f".{mo.stem}-{os.getpid()}.mo")  # git ignores it too
        try:
            with temporary.open("wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=True)
            temporary.replace(mo)
        finally:
            temporary.unlink(missing_ok=True)
        written.append(mo)
    return written
