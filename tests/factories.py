"""Small factories and helpers for tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.extensions import db
from reviewhub.models import Document, Role, User
from reviewhub.publishing import VersionMeta, get_or_create_document, publish_version
from reviewhub.samples import DEMO_PASSWORD, ensure_demo_accounts, load_documents

SAMPLE_SLUG = "handelingskader-veiligheidsteams"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def user_with_role(session: Session, role: Role) -> User:
    return session.scalars(select(User).where(User.email == Auth.EMAILS[role])).one()


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
        load_documents(db.session, PROJECT_ROOT / "documents")
        ensure_demo_accounts(db.session)
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
