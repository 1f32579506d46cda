"""Loading what a URL names: 404 when it does not exist, refusal when it may not be read."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Document, Version
from ..permissions import Action
from .helpers import require


def load_document(slug: str) -> Document:
    """The document with its versions, or 404 (access is the caller's to check)."""
    doc = db.session.scalar(
        select(Document).where(Document.slug == slug).options(selectinload(Document.versions))
    )
    if doc is None:
        abort(404)
    return doc


def load_version(slug: str, number: int) -> Version:
    """The version, or 404; refused (log-in or 403) when the visitor may not read it."""
    ver = db.session.scalar(
        select(Version).join(Document).where(Document.slug == slug, Version.number == number)
    )
    if ver is None:
        abort(404)
    require(Action.READ_VERSION, ver)
    return ver
