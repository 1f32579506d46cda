"""Publishing a version: validate the upload, parse it, match it with the previous version and
store version, sections and mapping in one transaction (the caller commits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, lazy_gettext, lazy_ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import exc, func, select

from . import audit
from .clock import local_today
from .dbtypes import DbSession
from .feedback.carrying import carry_forward
from .feedback.decisions import record_taken_in
from .feedback.references import new_document_code
from .models import Document, Group, Section, User, Version, VersionStatus, Visibility
from .permissions import Action, can
from .text.matching import ChangeKind, MatchResult, PriorSection, match_sections
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
    return decode_source(data, max_bytes, pasted=False)


def decode_source(data: bytes, max_bytes: int, *, pasted: bool = True) -> str:
    """The text of an upload (``pasted`` False) or of a pasted text, or a PublishError."""
    if len(data) > max_bytes:
        size, limit = -(-len(data) // 1024), max_bytes // 1024  # never "2048 KB of 2048"
        raise PublishError(
            lazy_gettext("The text is %(size)d KB; the limit is %(limit)d KB.", size=size,
                         limit=limit)
            if pasted
            else lazy_gettext("The file is %(size)d KB; the limit is %(limit)d KB.", size=size,
                              limit=limit)
        )  # fmt: skip
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


def check_new_slug(session: DbSession, slug: str) -> None:
    """Refuse a new document's short name that is malformed or taken."""
    if session.scalar(select(Document.id).where(Document.slug == validate_slug(slug))):
        raise PublishError(
            lazy_gettext("A document with the short name %(slug)s exists already.", slug=slug)
        )


def create_document(session: DbSession, slug: str, title: str | None, owner: User) -> Document:
    """A new document owned by ``owner``; refused when the short name is taken."""
    check_new_slug(session, slug)
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
        session,
        actor,
        "document.settings_changed",
        document,
        document.title,
        visibility=visibility.value,
        groups=sorted(g.name for g in groups),
        owner=owner.email if owner else None,
    )


@dataclass(frozen=True)
class _Prepared:
    """A text checked and matched with the version it would continue; nothing stored yet."""

    parsed: ParsedDocument
    meta: VersionMeta  # completed from the front matter
    content_hash: str
    number: int
    previous: Version | None  # the version its sections continue (see previous_version)
    prior: list[Section]  # that version's sections
    matched: MatchResult


def _prepare(
    session: DbSession,
    document: Document | None,
    source: str,
    meta: VersionMeta,
    max_sections: int,
    today: date | None,
) -> _Prepared:
    """Every check publishing makes, and the matching; raise PublishError if refused.
    ``document`` None: a new document (nothing to match with)."""
    if not source.strip():
        raise PublishError(lazy_gettext("The file is empty."))
    try:
        parsed = parse_document(source, max_sections)
    except MarkdownError as error:
        raise PublishError(str(error)) from error
    meta = _complete_meta(meta, parsed, today or local_today())
    content_hash = source_hash(parsed.content)
    if document is None:
        return _Prepared(
            parsed, meta, content_hash, 1, None, [], match_sections([], parsed.sections)
        )
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
    latest = session.scalar(
        select(func.max(Version.number)).where(Version.document_id == document.id)
    )
    number = (latest or 0) + 1
    assert meta.status is not None  # _complete_meta decides it
    previous = _version_before(session, document.id, number, meta.status)
    prior = list(previous.sections) if previous else []
    keys = _keys_ever_used(session, document.id, meta.status)
    return _Prepared(
        parsed,
        meta,
        content_hash,
        number,
        previous,
        prior,
        match_sections([_prior_view(s) for s in prior], parsed.sections, keys),
    )


def publish_version(
    session: DbSession,
    document: Document,
    source: str,
    meta: VersionMeta,
    publisher: User | None = None,
    *,
    max_sections: int = DEFAULT_MAX_SECTIONS,
    today: date | None = None,
) -> Version:
    """Store ``source`` as the next version of ``document``; raise PublishError if refused.
    ``max_sections``: the MAX_SECTIONS setting; ``today``: for the closing date's check."""
    prepared = _prepare(session, document, source, meta, max_sections, today)
    meta = prepared.meta
    version = Version(
        document_id=document.id,
        number=prepared.number,
        label=meta.label,
        status=meta.status,
        closes_on=meta.closes_on,
        change_summary=meta.summary or "",
        change_summary_html=render_markdown(meta.summary) if meta.summary else "",
        source=source.replace("\r\n", "\n"),
        source_hash=prepared.content_hash,
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
    _store_sections(session, version, prepared)
    if version.status is not VersionStatus.DRAFT:
        record_taken_in(session, version)
        carry_forward(session, version, prepared.previous)
    audit.record(
        session,
        publisher,
        "version.published",
        version,
        f"{document.slug} {version.label}",
        document=document.slug,
        number=version.number,
    )
    return version


@dataclass(frozen=True)
class PreviewSection:
    """A section as it would be published, with its relation to the previous version."""

    number: str
    heading: str
    level: int
    change_kind: ChangeKind
    was: Section | None  # the section it continues


@dataclass(frozen=True)
class PublicationPreview:
    """What publishing a text would store, shown before the author confirms."""

    number: int
    meta: VersionMeta  # completed from the front matter
    summary_html: str
    previous: Version | None
    sections: list[PreviewSection]
    removed: list[Section]
    warnings: list[str]


def preview_version(
    session: DbSession,
    document: Document | None,
    source: str,
    meta: VersionMeta,
    *,
    max_sections: int = DEFAULT_MAX_SECTIONS,
    today: date | None = None,
) -> PublicationPreview:
    """The version ``publish_version`` would store, or the PublishError it would raise;
    nothing is stored. ``document`` None: a new document."""
    today = today or local_today()
    prepared = _prepare(session, document, source, meta, max_sections, today)
    sections = [
        PreviewSection(
            section.number,
            section.heading,
            section.level,
            match.change_kind,
            prepared.prior[match.predecessor] if match.predecessor is not None else None,
        )
        for section, match in zip(prepared.parsed.sections, prepared.matched.matches, strict=True)
    ]
    removed = [prepared.prior[index] for index in prepared.matched.removed]
    summary = prepared.meta.summary
    return PublicationPreview(
        number=prepared.number,
        meta=prepared.meta,
        summary_html=render_markdown(summary) if summary else "",
        previous=prepared.previous,
        sections=sections,
        removed=removed,
        warnings=_warnings(prepared, sections, removed, today),
    )


SHORT_ROUND_DAYS = 14  # a feedback period shorter than this is worth a second look
MOSTLY_NEW = 0.5  # … and so is a version in which more than half the sections are new


def _warnings(
    prepared: _Prepared, sections: list[PreviewSection], removed: list[Section], today: date
) -> list[str]:
    warnings: list[str] = []
    if all(section.level == 0 for section in sections):
        warnings.append(
            lazy_gettext(
                "The text has no headings, so it becomes a single section. Start each section "
                "with a heading line, such as '# Werkwijze'."
            )
        )
    previous = prepared.previous
    if previous is not None and removed:
        warnings.append(
            lazy_ngettext(
                "%(num)d section of %(label)s is removed in this version.",
                "%(num)d sections of %(label)s are removed in this version.",
                len(removed),
                label=previous.label,
            )
        )
    new = sum(1 for section in sections if section.change_kind is ChangeKind.NEW)
    if previous is not None and len(sections) > 3 and new > MOSTLY_NEW * len(sections):
        warnings.append(
            lazy_gettext(
                "%(new)d of the %(total)d sections are new: check that this text is the next "
                "version of this document.",
                new=new,
                total=len(sections),
            )
        )
    meta = prepared.meta
    if meta.status is VersionStatus.OPEN and meta.closes_on and not meta.published_at:
        days = (meta.closes_on - today).days
        if days < SHORT_ROUND_DAYS:
            warnings.append(
                lazy_ngettext(
                    "Feedback closes in %(num)d day.", "Feedback closes in %(num)d days.", days
                )
                if days
                else lazy_gettext("Feedback closes today.")
            )
    return [str(warning) for warning in warnings]


def _complete_meta(meta: VersionMeta, parsed: ParsedDocument, today: date) -> VersionMeta:
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
    if status is VersionStatus.OPEN and closes_on and closes_on < today and not published_at:
        # Backdated versions (a revision history taken in) may have closed long ago.
        raise PublishError(
            lazy_gettext(
                "The closing date %(date)s lies in the past: choose a later date, or publish "
                "the version as closed.",
                date=LazyString(format_date, closes_on, "long"),
            )
        )
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


def _prior_view(section: Section) -> PriorSection:
    return PriorSection(
        key=section.key,
        heading=section.heading,
        parent_key=section.parent.key if section.parent else None,
        content_hash=section.content_hash,
        text=section.text,
    )


def _store_sections(session: DbSession, version: Version, prepared: _Prepared) -> None:
    prior = prepared.prior
    rows: list[Section] = []
    for parsed_section, match in zip(
        prepared.parsed.sections, prepared.matched.matches, strict=True
    ):
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
    return _version_before(session, version.document_id, version.number, version.status)


def _version_before(
    session: DbSession, document_id: int, number: int, status: VersionStatus
) -> Version | None:
    query = select(Version).where(Version.document_id == document_id, Version.number < number)
    if status is not VersionStatus.DRAFT:
        query = query.where(Version.status != VersionStatus.DRAFT)
    return session.scalar(query.order_by(Version.number.desc()).limit(1))


def _keys_ever_used(session: DbSession, document_id: int, status: VersionStatus) -> set[str]:
    """Keys of earlier sections of the document: a new section never reuses a key that once
    meant something else, so section history stays unambiguous. A public version looks only at
    public versions' keys: avoiding a draft's key would tell of the draft ("-2")."""
    query = (
        select(Section.key)
        .join(Version, Section.version_id == Version.id)
        .where(Version.document_id == document_id)
    )
    if status is not VersionStatus.DRAFT:
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
