"""What every export is made of: the top-level reactions of a version, or of a whole
document, as flat rows with what the register shows of each (section, quote, group, author,
status, motivation, who decided, the version that took it in, the commenter's answer), read
in one streamed query, a batch at a time, in the order of the document's sections.

Two audiences: the review group's register (``Scope.REGISTER``: everything the viewer may
read, hidden and withdrawn reactions marked as such) and the reactienota that goes to every
participant (``Scope.PUBLIC``: only what anyone may read: published, public, not hidden, not
withdrawn)."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from ..dbtypes import DbSession
from ..feedback.decisions import OPEN
from ..feedback.queries import readable_filter
from ..feedback.register import WorkspaceFilter, filter_conditions
from ..models import (
    AnswerVerdict,
    Attachment,
    Attribution,
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    DecisionAnswer,
    Disposition,
    DispositionChange,
    Document,
    Group,
    GroupKind,
    Question,
    Section,
    User,
    Version,
)
from ..notifications.accounts import external_url

BATCH = 1000  # rows fetched at a time: an export of 20,000 reactions never holds them all


class Scope(enum.Enum):
    REGISTER = "register"  # the review group's: all the viewer may read
    PUBLIC = "public"  # the reactienota: what every participant may read


@dataclass(frozen=True)
class AttachmentRef:
    """A file sent with a reaction: enough to name it and link to its download."""

    id: int
    filename: str


@dataclass(frozen=True)
class ExportRow:
    """One top-level reaction as the exports show it."""

    comment_id: int
    reference: str
    version_number: int
    version_label: str
    section_key: str
    section_number: str
    section_heading: str
    section_level: int
    kind: CommentKind | None
    group: str
    group_kind: GroupKind | None
    author: str
    organisation: str
    created_at: datetime
    body: str
    proposed_text: str
    quote: str
    quote_prefix: str
    quote_suffix: str
    quote_start: int | None
    quote_end: int | None
    status: Disposition
    motivation: str
    decided_by: str
    decided_at: datetime | None
    taken_in_version: int | None
    taken_in_label: str
    answer: AnswerVerdict | None
    answer_text: str
    visibility: CommentVisibility
    hidden: bool
    withdrawn: bool
    position_edition: int | None
    attachments: tuple[AttachmentRef, ...] = ()
    question_id: int | None = None  # the consultation question it answers
    question: str = ""  # … its wording
    question_position: int = 0  # … its place in the version's order
    question_of_section: bool = False  # … asked about the reaction's section (else the version)

    @property
    def decided(self) -> bool:
        return self.status not in OPEN

    @property
    def open_objection(self) -> bool:
        return self.answer is AnswerVerdict.OBJECT

    @property
    def section_title(self) -> str:
        return f"{self.section_number} {self.section_heading}".strip()


@dataclass(frozen=True)
class ExportRequest:
    """Which reactions an export holds: of ``version`` (None: every version of the
    document), narrowed like the workspace (``criteria``), for ``viewer``."""

    document: Document
    version: Version | None
    viewer: Any
    scope: Scope = Scope.REGISTER
    criteria: WorkspaceFilter = field(default_factory=WorkspaceFilter)


def export_query(request: ExportRequest) -> Select[*tuple[Any, ...]]:
    """The statement behind the rows, in the order of versions and their sections."""
    author, decider = aliased(User), aliased(User)
    taken = aliased(Version)
    current_change = (
        select(func.max(DispositionChange.id))
        .where(DispositionChange.comment_id == Comment.id)
        .correlate(Comment)
        .scalar_subquery()
    )
    answer = aliased(DecisionAnswer)
    query: Select[*tuple[Any, ...]] = (
        select(
            Comment.id, Comment.reference, Version.number, Version.label, Section.key,
            Section.number, Section.heading, Section.level, Comment.kind, Group.name,
            Group.kind, author.name, author.organisation, Comment.created_at, Comment.body,
            Comment.proposed_text, Comment.quote_exact, Comment.quote_prefix,
            Comment.quote_suffix, Comment.quote_start, Comment.quote_end,
            Comment.disposition, Comment.motivation, decider.name, Comment.decided_at,
            taken.number, taken.label, answer.verdict, answer.body, Comment.visibility,
            Comment.hidden_at, Comment.deleted_at, Comment.position_edition, author.attribution,
            Question.id, Question.text, Question.position, Question.section_id,
        )
        .join(Section, Section.id == Comment.section_id)
        .join(Version, Version.id == Comment.version_id)
        .outerjoin(Group, Group.id == Comment.group_id)
        .outerjoin(author, author.id == Comment.author_id)
        .outerjoin(decider, decider.id == Comment.decided_by_id)
        .outerjoin(taken, taken.id == Comment.taken_in_version_id)
        .outerjoin(Question, Question.id == Comment.question_id)
        .outerjoin(answer, and_(answer.comment_id == Comment.id,
                                answer.change_id == current_change))
        .where(Version.document_id == request.document.id, Comment.parent_id.is_(None))
        .order_by(Version.number, Section.position, Comment.id)
    )  # fmt: skip
    if request.version is not None:
        query = query.where(Comment.version_id == request.version.id).where(
            *filter_conditions(request.version, request.criteria)
        )
    if request.viewer is not None:
        query = query.where(readable_filter(request.viewer, request.document))
    if request.scope is Scope.PUBLIC:
        query = query.where(
            Comment.state == CommentState.PUBLISHED,
            Comment.visibility == CommentVisibility.PUBLIC,
            Comment.hidden_at.is_(None),
            Comment.deleted_at.is_(None),
        )
    return query


def export_rows(session: DbSession, request: ExportRequest) -> Iterator[ExportRow]:
    """The rows of ``request``, streamed a batch at a time. The statement is made at once,
    while the request's objects (the viewer, the document) are still loaded: a streamed
    download reads the rows after its view has returned."""
    return _stream(session, export_query(request), public=request.scope is Scope.PUBLIC)


def count_rows(session: DbSession, request: ExportRequest) -> int:
    query = export_query(request).order_by(None).with_only_columns(func.count(Comment.id))
    return session.scalar(query) or 0


def _stream(
    session: DbSession, query: Select[*tuple[Any, ...]], *, public: bool
) -> Iterator[ExportRow]:
    result = session.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions(BATCH):
        files = _attachments_of(session, [row[0] for row in batch])  # one query a batch
        for row in batch:
            yield _row(row, files.get(row[0], ()), public=public)


def _attachments_of(
    session: DbSession, comment_ids: list[int]
) -> dict[int, tuple[AttachmentRef, ...]]:
    found: dict[int, list[AttachmentRef]] = {}
    rows = session.execute(
        select(Attachment.comment_id, Attachment.id, Attachment.filename)
        .where(Attachment.comment_id.in_(comment_ids))
        .order_by(Attachment.id)
    )
    for comment_id, attachment_id, filename in rows:
        found.setdefault(comment_id, []).append(AttachmentRef(attachment_id, filename))
    return {comment_id: tuple(refs) for comment_id, refs in found.items()}


def _row(row: Any, files: tuple[AttachmentRef, ...], *, public: bool) -> ExportRow:
    (comment_id, reference, version_number, version_label, key, number, heading, level, kind,
     group, group_kind, author, organisation, created_at, body, proposed, quote, prefix, suffix,
     start, end, status, motivation, decided_by, decided_at, taken_number, taken_label,
     verdict, answer_text, visibility, hidden_at, deleted_at, edition,
     attribution, question_id, question, question_position,
     question_section) = row  # fmt: skip
    if public and attribution is Attribution.ORGANISATION:
        author = ""  # they asked to be named by their organisation only
    return ExportRow(
        comment_id, reference or "", version_number, version_label, key, number or "",
        heading or "", level, kind, group or "", group_kind, author or "", organisation or "",
        created_at, body, proposed or "", quote or "", prefix or "", suffix or "", start, end,
        status, motivation or "", decided_by or "", decided_at, taken_number,
        taken_label or "", verdict, answer_text or "", visibility, hidden_at is not None,
        deleted_at is not None, edition, files, question_id, question or "",
        question_position or 0, question_section is not None,
    )  # fmt: skip


# What the reactienota says around the rows ---------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """The numbers of a title page and the closing list of who took part."""

    reactions: int
    by_status: dict[Disposition, int]
    groups: list[tuple[str, GroupKind | None]]  # the participating groups, by name
    organisations: list[str]  # of the people who reacted, by name
    opens_on: date | None
    closes_on: date | None


def overview(rows: list[ExportRow], version: Version | None) -> Overview:
    by_status = dict.fromkeys(Disposition, 0)
    groups: dict[str, GroupKind | None] = {}
    organisations: set[str] = set()
    for row in rows:
        by_status[row.status] += 1
        if row.group:
            groups[row.group] = row.group_kind
        if row.organisation:
            organisations.add(row.organisation)
    return Overview(
        reactions=len(rows),
        by_status=by_status,
        groups=sorted(groups.items()),
        organisations=sorted(organisations),
        opens_on=version.published_at.date() if version is not None else None,
        closes_on=version.closes_on if version is not None else None,
    )


def aware(moment: datetime) -> datetime:
    """``moment`` with its time zone: a database that keeps none hands back UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Links ---------------------------------------------------------------------------------------

_MARK = 987654321  # a number no route holds, replaced by each row's own


@dataclass(frozen=True)
class Links:
    """Absolute addresses of a row's reaction and section, under REVIEWHUB_BASE_URL: made
    once per export from the app's routes, then filled in per row (20,000 rows would spend
    half a second building each one)."""

    reaction_pattern: str
    section_pattern: str
    attachment_pattern: str = "/attachments/{id}/{filename}"

    @classmethod
    def of(cls, document: Document) -> Links:
        mark = str(_MARK)
        reaction = external_url("review.permalink", comment_id=_MARK)
        section = external_url("review.section", slug=document.slug, number=_MARK, key="keymark")
        attachment = external_url("attachments.download", attachment_id=_MARK, filename="namemark")
        return cls(reaction.replace(mark, "{id}"),
                   section.replace(mark, "{number}").replace("keymark", "{key}"),
                   attachment.replace(mark, "{id}").replace("namemark", "{filename}"))  # fmt: skip

    def reaction(self, row: ExportRow) -> str:
        return self.reaction_pattern.format(id=row.comment_id)

    def section(self, row: ExportRow) -> str:
        return self.section_pattern.format(number=row.version_number, key=row.section_key)

    def attachments(self, row: ExportRow) -> str:
        """The row's files, one address a line (a file's name is part of its address)."""
        return "\n".join(
            self.attachment_pattern.format(id=ref.id, filename=quote(ref.filename))
            for ref in row.attachments
        )
