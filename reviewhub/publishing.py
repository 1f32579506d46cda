"""Publishing a version: validate the upload, parse it, match it with the previous version and
store version, sections and mapping in one transaction (the caller commits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext
from sqlalchemy import exc, select

from . import audit
from .dbtypes import DbSession
from .feedback.carrying import carry_forward
from .feedback.decisions import record_taken_in
from .feedback.references import new_document_code
from .models import Document, Group, Section, User, Version, VersionStatus, Visibility
from .permissions import Action, can
from .text.matching import PriorSection, match_sections
from .text.sections import (
    DEFAULT_MAX_SECTIONS,
    MarkdownError,
    ParsedDocument,
    parse_document,
    render_markdown,
    source_hash,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALLOWED_SUFFIXES = (".md", ".markdown", ".txt")


class PublishError(ValueError):
    """Publishing was refused; ``str()`` is a message for the author. Nothing was stored."""


class PublishConflict(PublishError):
    """Someone else published a version of the same document at the same moment."""


@dataclass(frozen=True)
class VersionMeta:
    """What the author says about a version; ``None`` fields fall back to the front matter."""

    label: str | None = None
    status: VersionStatus | None = None
    closes_on: date | None = None
    summary: str | None = None
    published_at: datetime | None = None


def decode_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """Check an uploaded file and return its text, or raise PublishError saying what is wrong."""
    if not filename.lower().endswith(ALLOWED_SUFFIXES):
        raise PublishError(
            lazy_gettext(
                "Upload a Markdown file ending in .md (the file was called %(name)s).",
                name=filename,
            )
        )
    return decode_source(data, max_bytes)


def decode_source(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise PublishError(
            lazy_gettext(
                "The file is %(size)d KB; the limit is %(limit)d KB.",
                size=len(data) // 1024,
                limit=max_bytes // 1024,
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PublishError(
            lazy_gettext(
                "The file is not UTF-8 text (unreadable bytes on line %(line)d). Save it as "
                "UTF-8 and try again.",
                line=line,
            )
        ) from error
    if "\x00" in text:
        raise PublishError(lazy_gettext("The file contains binary data; upload a Markdown text."))
    return text


def validate_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug) or len(slug) > 100:
        raise PublishError(
            lazy_gettext(
                "A document's short name may contain only lowercase letters, digits and "
                "hyphens (for example handelingskader-2027)."
            )
        )
    return slug


def get_or_create_document(
    session: DbSession, slug: str, title: str | None = None, owner: User | None = None
) -> Document:
    document = session.scalar(select(Document).where(Document.slug == validate_slug(slug)))
    if document is None:
        title = title or slug.replace("-", " ").capitalize()
        document = Document(
            slug=slug, title=title, owner=owner, code=new_document_code(session, title)
        )
        session.add(document)
        session.flush()
    return document


def create_document(session: DbSession, slug: str, title: str | None, owner: User) -> Document:
    """A new document owned by ``owner``; refused when the short name is taken."""
    if session.scalar(select(Document.id).where(Document.slug == validate_slug(slug))):
        raise PublishError(
            lazy_gettext("A document with the short name %(slug)s exists already.", slug=slug)
        )
    document = get_or_create_document(session, slug, title, owner)
    audit.record(session, owner, "document.created", document, document.title)
    return document


def update_settings(
    session: DbSession,
    actor: User,
    document: Document,
    *,
    visibility: Visibility,
    group_ids: list[int],
    owner_id: int | None,
) -> None:
    """Who may read the document, and who owns (publishes) it."""
    groups = list(session.scalars(select(Group).where(Group.id.in_(group_ids))))
    if visibility is Visibility.RESTRICTED and not groups:
        raise PublishError(lazy_gettext("Choose at least one group for a restricted document."))
    owner = session.get(User, owner_id) if owner_id else None
    if owner_id and (owner is None or not can(owner, Action.OWN_DOCUMENTS)):
        raise PublishError(lazy_gettext("The owner must be an author."))
    if owner is not document.owner and not can(actor, Action.ASSIGN_OWNER, document):
        raise PublishError(
            lazy_gettext("Only an administrator can hand a document to someone else.")
        )
    document.visibility, document.groups, document.owner = visibility, groups, owner
    audit.record(
        session, actor, "document.settings_changed", document, document.title,
        visibility=visibility.value, groups=sorted(g.name for g in groups),
        owner=owner.email if owner else None,
    )  # fmt: skip


def publish_version(
    session: DbSession,
    document: Document,
    source: str,
    meta: VersionMeta,
    publisher: User | None = None,
    *,
    max_sections: int = DEFAULT_MAX_SECTIONS,
) -> Version:
    """Store ``source`` as the next version of ``document``; raise PublishError if refused.
    ``max_sections``: the MAX_SECTIONS setting."""
    if not source.strip():
        raise PublishError(lazy_gettext("The file is empty."))
    try:
        parsed = parse_document(source, max_sections)
    except MarkdownError as error:
        raise PublishError(str(error)) from error
    meta = _complete_meta(meta, parsed)
    content_hash = source_hash(parsed.content)
    if session.scalar(
        select(Version.number).where(
            Version.document_id == document.id, Version.source_hash == content_hash
        )
    ):
        raise PublishError(
            lazy_gettext(
                "This text is identical to a version already published; nothing was stored."
            )
        )
    previous = session.scalar(
        select(Version)
        .where(Version.document_id == document.id)
        .order_by(Version.number.desc())
        .limit(1)
    )
    version = Version(
        document_id=document.id,
        number=(previous.number + 1) if previous else 1,
        label=meta.label,
        status=meta.status,
        closes_on=meta.closes_on,
        change_summary=meta.summary or "",
        change_summary_html=render_markdown(meta.summary) if meta.summary else "",
        source=source.replace("\r\n", "\n"),
        source_hash=content_hash,
        published_by=publisher,
    )
    if meta.published_at:
        version.published_at = meta.published_at
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except (exc.IntegrityError, exc.OperationalError) as error:
        raise PublishConflict(
            lazy_gettext(
                "Someone else published a version of this document at the same moment. "
                "Reload the document to see it, then publish again if still needed."
            )
        ) from error
    matched = previous_version(session, version)  # the one its sections continue
    _store_sections(session, version, parsed, matched)
    if version.status is not VersionStatus.DRAFT:
        record_taken_in(session, version)
        carry_forward(session, version, matched)
    audit.record(
        session, publisher, "version.published", version, f"{document.slug} {version.label}",
        document=document.slug, number=version.number,
    )  # fmt: skip
    return version


def _complete_meta(meta: VersionMeta, parsed: ParsedDocument) -> VersionMeta:
    front = parsed.front_matter
    label = meta.label or str(front.get("label") or "").strip()
    if not label:
        raise PublishError(lazy_gettext("Give the version a label, such as 'Dialoogversie 2'."))
    status = meta.status or _front_status(front.get("status"))
    closes_on = meta.closes_on or _front_date(front.get("closes"), "closes")
    if status is VersionStatus.OPEN and closes_on is None:
        raise PublishError(lazy_gettext("A version open for feedback needs a closing date."))
    summary = meta.summary if meta.summary is not None else str(front.get("summary") or "")
    published_at = meta.published_at
    if published_at is None and front.get("date"):
        day = _front_date(front.get("date"), "date")
        published_at = datetime(day.year, day.month, day.day, 9) if day else None
    return VersionMeta(label[:200], status, closes_on, summary, published_at)


def _front_status(value: object) -> VersionStatus:
    if value is None:
        return VersionStatus.DRAFT
    try:
        return VersionStatus(str(value).strip().lower())
    except ValueError as error:
        raise PublishError(
            lazy_gettext(
                "Unknown status '%(value)s' in the front matter; use draft, open, closed or final.",
                value=value,
            )
        ) from error


def _front_date(value: object, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise PublishError(
            lazy_gettext(
                "The front matter's %(field)s must be a date written as 2027-03-01.", field=field
            )
        ) from error


def _store_sections(
    session: DbSession, version: Version, parsed: ParsedDocument, previous: Version | None
) -> None:
    prior = list(previous.sections) if previous else []
    prior_view = [
        PriorSection(
            key=s.key,
            heading=s.heading,
            parent_key=s.parent.key if s.parent else None,
            content_hash=s.content_hash,
            text=s.text,
        )
        for s in prior
    ]
    result = match_sections(prior_view, parsed.sections, _keys_ever_used(session, version))
    rows: list[Section] = []
    for parsed_section, match in zip(parsed.sections, result.matches, strict=True):
        parent = (
            rows[parsed_section.parent_position]
            if parsed_section.parent_position is not None
            else None
        )
        rows.append(
            Section(
                version=version,
                key=match.key,
                position=parsed_section.position,
                parent=parent,
                number=parsed_section.number,
                level=parsed_section.level,
                heading=parsed_section.heading,
                heading_html=parsed_section.heading_html,
                body=parsed_section.body,
                html=parsed_section.html,
                text=parsed_section.text,
                content_hash=parsed_section.content_hash,
                predecessor=prior[match.predecessor] if match.predecessor is not None else None,
                change_kind=match.change_kind,
            )
        )
    session.add_all(rows)
    session.flush()


def previous_version(session: DbSession, version: Version) -> Version | None:
    """The version that ``version`` is matched with and compared to. For a public version:
    the latest earlier one that is not a draft. For a draft: the latest earlier one of any
    kind, so that successive drafts build on each other. Drafts thus form a side branch that
    only their authors see: nothing public is ever matched with a draft, and no heading, key
    or text of a draft can show through a later version."""
    query = select(Version).where(
        Version.document_id == version.document_id, Version.number < version.number
    )
    if version.status is not VersionStatus.DRAFT:
        query = query.where(Version.status != VersionStatus.DRAFT)
    return session.scalar(query.order_by(Version.number.desc()).limit(1))


def _keys_ever_used(session: DbSession, version: Version) -> set[str]:
    """Keys of earlier sections of the document: a new section never reuses a key that once
    meant something else, so section history stays unambiguous. A public version looks only at
    public versions' keys: avoiding a draft's key would tell of the draft ("-2")."""
    query = (
        select(Section.key)
        .join(Version, Section.version_id == Version.id)
        .where(Version.document_id == version.document_id, Version.id != version.id)
    )
    if version.status is not VersionStatus.DRAFT:
        query = query.where(Version.status != VersionStatus.DRAFT)
    return set(session.scalars(query.distinct()))


def removed_sections(session: DbSession, version: Version) -> list[Section]:
    """Sections of the previous version (see ``previous_version``) that no section of
    ``version`` continues."""
    previous = previous_version(session, version)
    if previous is None:
        return []
    continued = select(Section.predecessor_id).where(
        Section.version_id == version.id, Section.predecessor_id.is_not(None)
    )
    return list(
        session.scalars(
            select(Section)
            .where(Section.version_id == previous.id, Section.id.not_in(continued))
            .order_by(Section.position)
        )
    )
