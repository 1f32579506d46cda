"""The register's references: a short code per document and a number per reaction on a
version, such as ``VT-2-014``, that people can quote in meetings and documents. A number is
never given twice, also not after a reaction is deleted."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from sqlalchemy import select, update

from ..dbtypes import DbSession
from ..models import Comment, Document, Version

MAX_CODE = 12
# Words that do not make a code: "Handelingskader voor de veiligheidsteams" is HV, not HVDV.
_SMALL_WORDS = {"de", "het", "een", "en", "van", "voor", "in", "op", "met", "bij", "of", "te",
                "the", "a", "an", "and", "for", "to", "on", "with"}  # fmt: skip


def document_code(title: str, taken: Container[str]) -> str:
    """Initials of ``title``'s words (at least two letters), made unique against ``taken``
    by a number: HV, HV2, HV3…"""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[A-Za-z0-9]+", plain) if w.lower() not in _SMALL_WORDS]
    initials = "".join(word[0] for word in words).upper()[:6]
    if len(initials) < 2:
        initials = (words[0][:3].upper() if words else "DOC").ljust(2, "X")
    code, number = initials, 1
    while code in taken:
        number += 1
        code = f"{initials}{number}"[:MAX_CODE]
    return code


def new_document_code(session: DbSession, title: str) -> str:
    taken = set(session.scalars(select(Document.code)))
    return document_code(title, taken)


def reference(code: str, version_number: int, number: int) -> str:
    return f"{code}-{version_number}-{number:03d}"


def assign_reference(session: DbSession, comment: Comment) -> None:
    """Give a new top-level reaction the next number of its version: the counter moves on in
    the same transaction (a row lock on PostgreSQL, the write lock on SQLite), so two
    reactions never get the same number."""
    version = comment.section.version
    number = session.execute(
        update(Version)
        .where(Version.id == version.id)
        .values(reaction_counter=Version.reaction_counter + 1)
        .returning(Version.reaction_counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    comment.reference = reference(version.document.code, version.number, number)
