"""Files sent with a reaction: a PDF, Word (DOCX) or OpenDocument (ODT) text of at most
10 MB, its type decided by what the file contains, never by its name. The file is stored in
a folder the caller names (the instance folder: outside the web root) under a random name;
the database keeps its name as sent, for the download."""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

from flask_babel import lazy_gettext

from .. import audit
from ..dbtypes import DbSession
from ..files import write_private
from ..models import Attachment, Comment, User
from ..permissions import Action, can
from . import revisions
from .errors import FeedbackError

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_REACTION = 5
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
SUFFIXES = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}
LABELS = {PDF: "PDF", DOCX: "Word", ODT: "OpenDocument"}


class AttachmentRefused(FeedbackError):
    """The file was refused; ``str()`` says why. Nothing was stored."""


def content_type(data: bytes) -> str | None:
    """PDF, DOCX or ODT as the bytes show it; None for anything else (a renamed .exe too)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT if "content.xml" in names else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):  # damaged or encrypted
        return None
    return None


def clean_filename(name: str, kind: str) -> str:
    """The name as sent, without folders or control characters, ending in its real type's
    suffix: what the download is called."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C").strip(" .")  # fmt: skip
    stem = os.path.splitext(base)[0][:150] or "bijlage"
    return stem + SUFFIXES[kind]


def check(filename: str, data: bytes) -> str:
    """The file's type, or AttachmentRefused saying what is wrong with it."""
    if not data:
        raise AttachmentRefused(lazy_gettext("The file %(name)s is empty.", name=filename))
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(
            lazy_gettext(
                "The file %(name)s is %(size)s MB; an attachment may be at most 10 MB.",
                name=filename,
                size=f"{len(data) / 1024 / 1024:.1f}",
            )
        )
    kind = content_type(data)
    if kind is None:
        raise AttachmentRefused(
            lazy_gettext(
                "%(name)s is not a PDF, Word (.docx) or OpenDocument (.odt) text. Save it in "
                "one of those formats and attach it again.",
                name=filename,
            )
        )
    return kind


def add_attachment(
    session: DbSession, folder: Path, user: User, comment: Comment, filename: str, data: bytes
) -> Attachment:
    """Store ``data`` with ``comment``, which ``user`` wrote; raise AttachmentRefused."""
    if comment.author_id != user.id or comment.is_deleted or comment.parent_id is not None:
        raise AttachmentRefused(lazy_gettext("You can attach files only to your own reactions."))
    if not can(user, Action.READ_COMMENT, comment):
        raise AttachmentRefused(lazy_gettext("You can attach files only to your own reactions."))
    if len(comment.attachments) >= MAX_PER_REACTION:
        raise AttachmentRefused(
            lazy_gettext("A reaction can have at most %(num)d attachments.", num=MAX_PER_REACTION)
        )
    kind = check(filename, data)
    stored_name, _size = write_private(folder, [data])
    attachment = Attachment(
        comment=comment, filename=clean_filename(filename, kind), content_type=kind,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), stored_name=stored_name,
        uploaded_by_id=user.id,
    )  # fmt: skip
    session.add(attachment)
    audit.record(session, user, "attachment.added", comment, attachment.filename,
                 size=len(data), content_type=kind)  # fmt: skip
    revisions.bump(session, [comment.version_id], texts=False)
    return attachment


def remove_files(folder: Path, attachments: list[Attachment]) -> None:
    """Delete the stored files (after the rows are gone, or were never committed)."""
    for attachment in attachments:
        (folder / attachment.stored_name).unlink(missing_ok=True)
