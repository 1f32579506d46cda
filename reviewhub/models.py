"""The data model: documents, their immutable versions, sections, and the people using them."""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, date, datetime
from typing import Any, cast

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import Model, db
from .text.matching import ChangeKind  # what matching decides, stored per section


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings with a CHECK constraint: portable across SQLite and PostgreSQL
    # and simple to extend in a migration.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    AUTHOR = "author"
    REVIEWER = "reviewer"
    PARTNER = "partner"
    READER = "reader"


class GroupKind(enum.StrEnum):
    REGION = "region"
    WORKGROUP = "workgroup"
    PILOT = "pilot"  # a proeftuin
    REVIEW = "review"
    ORGANISATION = "organisation"


class Visibility(enum.StrEnum):
    PUBLIC = "public"  # anyone reads; log-in needed to react
    RESTRICTED = "restricted"  # only members of the document's groups


class CommentKind(enum.StrEnum):
    QUESTION = "question"
    SUGGESTION = "suggestion"
    CONCERN = "concern"
    SUPPORT = "support"
    GENERAL = "general"


class CommentVisibility(enum.StrEnum):
    PUBLIC = "public"
    GROUP = "group"  # the group and the review group only: a region drafting internally


class CommentState(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waits for a moderator (pre-moderation)


class Disposition(enum.StrEnum):
    """What became of a top-level reaction: the comment-resolution register's status."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"  # overgenomen
    PARTLY_ACCEPTED = "partly_accepted"  # deels overgenomen
    NOT_ACCEPTED = "not_accepted"  # niet overgenomen
    NOTED = "noted"  # kennisgenomen
    ANSWERED = "answered"  # beantwoord (a question)
    OUT_OF_SCOPE = "out_of_scope"  # buiten de reikwijdte
    DUPLICATE = "duplicate"  # dubbel: see duplicate_of


class AnswerVerdict(enum.StrEnum):
    """The commenter's answer to the decision on their reaction."""

    AGREE = "agree"  # akkoord
    OBJECT = "object"  # bezwaar


class Attribution(enum.StrEnum):
    """How a person's reactions are signed on the pages everyone reads (and in the nota)."""

    FULL = "full"  # name, function and organisation
    ORGANISATION = "organisation"  # only the organisation (and the group reacted for)


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FINAL = "final"


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum_column(Role, "role"), default=Role.READER)
    active: Mapped[bool] = mapped_column(default=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    # None until the person chooses, which they are asked to at their first reaction.
    attribution: Mapped[Attribution | None] = mapped_column(
        _enum_column(Attribution, "attribution")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.active

    @property
    def credentials_stamp(self) -> str:
        """Changes whenever the password does: ends other sessions and used links."""
        return hashlib.sha256((self.password_hash or "no password").encode()).hexdigest()[:16]

    # The log-in session this object was loaded for (see LoginSession); not a column, so
    # no annotation (the declarative mapping would take one for a column).
    login_token = cast("str | None", None)

    # UserMixin compares by get_id(), which names a log-in, not a person: one object per row
    # (the session's identity map) makes identity the right comparison.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        """What flask-login keeps in the session and remember-me cookies: the token of a
        LoginSession row, so that ending the row ends every cookie that carries it."""
        if self.login_token is None:
            raise RuntimeError("log in through accounts.start_session, not login_user alone")
        return self.login_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash and check_password_hash(self.password_hash, password))

    @property
    def groups(self) -> list[Group]:
        return [membership.group for membership in self.memberships]


class LoginSession(Model):
    """One log-in on one device. Log-out deletes it, deactivation and a new password end all
    of a person's: a copied session or remember-me cookie then no longer works."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token in the cookie: the table alone lets nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credentials_stamp: Mapped[str] = mapped_column(String(16))
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class TokenScope(enum.StrEnum):
    """What an API token may do, within what its holder may do anyway (``can``)."""

    READ = "read"  # read what the holder may read
    WRITE = "write"  # react, reply, edit and delete their own reactions
    REVIEW = "review"  # decide on reactions (the review group)


class ApiToken(Model):
    """A personal API token. Only its SHA-256 is kept: the token is shown once, when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # its first characters, to recognise it
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Group(Model):
    """A region, workgroup, pilot site, the review group or an organisation."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[GroupKind] = mapped_column(_enum_column(GroupKind, "group_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )


class Membership(Model):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    coordinator: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship(back_populates="memberships")


document_groups = Table(
    "document_groups",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class Document(Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # Short and unique: the first part of every reaction's reference (VT-2-014).
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        _enum_column(Visibility, "visibility"), default=Visibility.PUBLIC
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    premoderation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=document_groups, order_by=Group.name)
    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.number", cascade="all, delete-orphan"
    )


class Version(Model):
    """One published dialogue version. Its source and sections never change after publication;
    only its status and closing date do."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        UniqueConstraint("document_id", "source_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[VersionStatus] = mapped_column(
        _enum_column(VersionStatus, "version_status"), default=VersionStatus.DRAFT
    )
    closes_on: Mapped[date | None]
    change_summary: Mapped[str] = mapped_column(Text, default="")
    change_summary_html: Mapped[str] = mapped_column(Text, default="")
    # Deferred: a 400 KB source per version, loaded with every list of versions, cost the
    # document list 25 ms on PostgreSQL; only the download and the comparison read it.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A new random value at every write of a reaction on the version (feedback.revisions):
    # what pages keep of its reactions is keyed by it.
    feedback_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # Changed only when the wording of a reaction on the version is (added, edited, hidden,
    # deleted), not by decisions: what depends on the texts alone (near-duplicate clusters,
    # seconds to compute) is kept by it.
    texts_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last number given to a reaction on this version (its reference): never reused.
    reaction_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    # "Feedback handled": allowed once every reaction on the version has a decision.
    feedback_handled_at: Mapped[datetime | None]
    feedback_handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    document: Mapped[Document] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    sections: Mapped[list[Section]] = relationship(
        back_populates="version",
        order_by="Section.position",
        cascade="all, delete-orphan",
        foreign_keys="Section.version_id",
    )

    def effective_status(self, today: date) -> VersionStatus:
        """An open version whose closing date has passed is closed, whatever was stored."""
        if self.status is VersionStatus.OPEN and self.closes_on and today > self.closes_on:
            return VersionStatus.CLOSED
        return self.status


class Section(Model):
    """A numbered part of a version, with a key that stays the same across versions."""

    __tablename__ = "sections"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        UniqueConstraint("version_id", "position"),
        Index("ix_sections_predecessor_id", "predecessor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(40))
    level: Mapped[int]
    heading: Mapped[str] = mapped_column(Text)
    heading_html: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    predecessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL")
    )
    change_kind: Mapped[ChangeKind] = mapped_column(_enum_column(ChangeKind, "change_kind"))

    version: Mapped[Version] = relationship(back_populates="sections", foreign_keys=[version_id])
    parent: Mapped[Section | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    predecessor: Mapped[Section | None] = relationship(
        remote_side=[id], foreign_keys=[predecessor_id]
    )

    @property
    def is_preamble(self) -> bool:
        return self.level == 0

    @property
    def renamed(self) -> bool:
        return self.predecessor is not None and self.predecessor.heading != self.heading

    @property
    def edited(self) -> bool:
        return self.predecessor is not None and self.predecessor.content_hash != self.content_hash


class AuditEvent(Model):
    """Who did what, when: log-ins, changes to people and groups, publications."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class Question(Model):
    """A consultation question the authors ask about a version as a whole or about one of its
    sections ("Wat mist u in dit hoofdstuk?"): shown above the reaction form; a top-level
    reaction may answer one (``Comment.question_id``)."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_version_id_position", "version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    # None: a question about the version as a whole.
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))  # plain text, shown as it is
    position: Mapped[int] = mapped_column(default=0)  # the order the version shows them in
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[Version] = relationship()
    section: Mapped[Section | None] = relationship()


_IS_REPLY = text("parent_id IS NOT NULL")
_TAKEN_IN = text("taken_in_version_id IS NOT NULL")
_ANSWERS = text("question_id IS NOT NULL")


class Comment(Model):
    """A reaction to a section, or to a passage in it, or a reply in its thread."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("author_id", "client_token"),  # a form sent twice stores one comment
        Index("ix_comments_section_id", "section_id"),
        # Replies only: a reaction's replies are found through it, and a query for the
        # top-level ones (parent IS NULL) is left to the version indexes below, which both
        # databases' planners would otherwise pass over for this one.
        Index(
            "ix_comments_parent_id", "parent_id", sqlite_where=_IS_REPLY, postgresql_where=_IS_REPLY
        ),
        # A section's threads, oldest first, a page at a time: read in order, not sorted.
        Index("ix_comments_section_id_created_at", "section_id", "created_at", "id"),
        # The workspace and the progress counts: a version's reactions by status.
        Index("ix_comments_author_id_created_at", "author_id", "created_at"),
        # A version's reactions without going through its sections: the workspace pages
        # through the top-level ones by id (their reference order), and by status. The
        # parent comes second: "IS NULL" then narrows the range instead of the parent's own
        # index, which SQLite's planner would take otherwise.
        Index("ix_comments_version_id_parent_id_id", "version_id", "parent_id", "id"),
        Index(
            "ix_comments_version_id_parent_id_disposition",
            *("version_id", "parent_id", "disposition", "id"),
        ),
        # The moderation queue: what waits for approval, per version, oldest first.
        Index("ix_comments_state_version_id", "state", "version_id", "created_at"),
        # A section's history: the reactions a version took in there (few: only those).
        Index(
            "ix_comments_taken_in_version_id",
            "taken_in_version_id",
            "taken_in_section_key",
            sqlite_where=_TAKEN_IN,
            postgresql_where=_TAKEN_IN,
        ),
        # The latest decisions on a version (its Atom feed), read in order, not sorted.
        Index("ix_comments_version_id_decided_at", "version_id", "decided_at"),
        # … and what one group sent ("what did this region say?").
        Index(
            "ix_comments_version_id_parent_id_group_id",
            *("version_id", "parent_id", "group_id", "id"),
        ),
        # The answers to one question (few of a version's reactions answer one).
        Index(
            "ix_comments_question_id",
            "question_id",
            sqlite_where=_ANSWERS,
            postgresql_where=_ANSWERS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    # The section's version, kept on the reaction (a section never changes version): the
    # version's reactions are then one index range rather than a join over its sections.
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    kind: Mapped[CommentKind | None] = mapped_column(_enum_column(CommentKind, "comment_kind"))
    body: Mapped[str] = mapped_column(Text)
    # The body rendered (feedback.display.render_body), written with the body: pages show it
    # as stored instead of rendering the Markdown of every reaction on every request.
    body_html: Mapped[str] = mapped_column(Text, default="")
    proposed_text: Mapped[str | None] = mapped_column(Text)
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_prefix: Mapped[str | None] = mapped_column(Text)
    quote_suffix: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None]
    quote_end: Mapped[int | None]
    visibility: Mapped[CommentVisibility] = mapped_column(
        _enum_column(CommentVisibility, "comment_visibility"), default=CommentVisibility.PUBLIC
    )
    state: Mapped[CommentState] = mapped_column(
        _enum_column(CommentState, "comment_state"), default=CommentState.PUBLISHED
    )
    official: Mapped[bool] = mapped_column(default=False)  # a reply by an author or reviewer
    client_token: Mapped[str] = mapped_column(String(64))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # The register (top-level reactions only; feedback.decisions writes these).
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)  # VT-2-014
    disposition: Mapped[Disposition] = mapped_column(
        _enum_column(Disposition, "disposition"), default=Disposition.NEW,
        server_default=Disposition.NEW.value,
    )  # fmt: skip
    motivation: Mapped[str | None] = mapped_column(Text)
    motivation_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL")
    )
    # Where an accepted reaction was taken in: set when the next version is published.
    taken_in_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="SET NULL")
    )
    taken_in_section_key: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Optimistic locking of decisions: a decision names the revision it was made on.
    disposition_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set on a group's position as sent (feedback.positions): the edition the reaction's
    # wording is; None on every other reaction.
    position_edition: Mapped[int | None]
    # Taken in from a file (a spreadsheet from a meeting, a Word file with comments): the
    # import it came with (imports.id; no foreign key: adding one to comments would rebuild
    # the table on SQLite, and an import is never deleted but with its version, which takes
    # its reactions along), and the name the file gave as its author.
    import_id: Mapped[int | None]
    imported_author: Mapped[str | None] = mapped_column(String(200))
    # The consultation question the reaction answers (top-level reactions only; one of its
    # version's, of its own section when the question is a section's: feedback.questions).
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    # Not a column: the number of the first later version that may have taken the reaction
    # in, loaded by the workspace's list where it asks for it (feedback.hints).
    hinted_in: Mapped[int | None] = query_expression()

    section: Mapped[Section] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    group: Mapped[Group | None] = relationship()
    parent: Mapped[Comment | None] = relationship(
        remote_side=[id], back_populates="replies", foreign_keys=[parent_id]
    )
    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent", order_by="Comment.created_at", foreign_keys=[parent_id]
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped[Comment | None] = relationship(
        remote_side=[id], foreign_keys=[duplicate_of_id]
    )
    taken_in_version: Mapped[Version | None] = relationship(foreign_keys=[taken_in_version_id])
    question: Mapped[Question | None] = relationship()
    changes: Mapped[list[DispositionChange]] = relationship(
        back_populates="comment", order_by="DispositionChange.id",
        cascade="all, delete-orphan", foreign_keys="DispositionChange.comment_id",
    )  # fmt: skip
    answers: Mapped[list[DecisionAnswer]] = relationship(
        back_populates="comment", order_by="DecisionAnswer.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list[ReviewNote]] = relationship(
        back_populates="comment", order_by="ReviewNote.id", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", order_by="CommentRevision.replaced_at",
        cascade="all, delete-orphan",
    )  # fmt: skip
    reports: Mapped[list[CommentReport]] = relationship(
        back_populates="comment", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_quote(self) -> bool:
        return self.quote_exact is not None


@event.listens_for(Comment, "before_insert")
def _take_version_of_section(_mapper: Mapper[Comment], connection: Connection,
                             comment: Comment) -> None:  # fmt: skip
    """Every reaction stored through the ORM gets its section's version (bulk inserts name it
    themselves)."""
    if comment.version_id is not None:
        return
    section = inspect(comment).attrs.section.loaded_value
    if isinstance(section, Section) and section.version_id is not None:
        comment.version_id = section.version_id
    else:
        comment.version_id = connection.scalar(
            select(Section.version_id).where(Section.id == comment.section_id)
        )


class CommentRevision(Model):
    """An earlier wording of an edited comment: edits stay traceable."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class CommentReport(Model):
    """Someone asked the moderators to look at a comment."""

    __tablename__ = "comment_reports"
    # The moderation queue: the reports nobody has looked at yet.
    __table_args__ = (Index("ix_comment_reports_resolved_at", "resolved_at", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship(back_populates="reports")
    reporter: Mapped[User | None] = relationship()


class Attachment(Model):
    """A file sent with a reaction (a region's position paper). The file itself lies in the
    instance folder under ``stored_name``, a random name: never under the web root, never
    under the name it came with."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # as sent, cleaned: for the download
    content_type: Mapped[str] = mapped_column(String(100))  # decided by the content
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="attachments")


class CarryState(enum.StrEnum):
    """What became of a reaction's place when it was carried into a later version."""

    UNCHANGED = "unchanged"  # the passage (or, without one, the section's text) is as it was
    CHANGED = "changed"  # the passage's words (or the section's text) changed; re-anchored
    ORPHANED = "orphaned"  # the passage is gone from the section: shown with its old context
    SECTION_REMOVED = "section_removed"  # the section has no successor in this version


class HintReason(enum.StrEnum):
    """Why a carried reaction may have been taken in by the version (feedback.hints)."""

    WORDING = "wording"  # the suggestion's proposed wording appears in the new text
    PASSAGE = "passage"  # the passage it is about changed, or is gone


class CarriedReaction(Model):
    """A top-level reaction of an earlier version, carried into a later one: where it now
    lies (the section that continues its section, the passage re-anchored in its text) and
    in what state. Written when the later version is published (feedback.carrying)."""

    __tablename__ = "carried_reactions"
    __table_args__ = (
        UniqueConstraint("comment_id", "version_id"),  # carrying twice changes nothing
        Index("ix_carried_reactions_version_id_section_id", "version_id", "section_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    # None: the section was removed (the reaction is listed with the version as a whole).
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    state: Mapped[CarryState] = mapped_column(_enum_column(CarryState, "carry_state"))
    # The passage in the section's new text (None without a passage, or for an orphan).
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None]
    quote_end: Mapped[int | None]
    similarity: Mapped[float | None]  # of the new wording to the old, for a changed passage
    # Set when the new text suggests the reaction was taken in: the workspace asks a reviewer
    # to confirm it ("mogelijk verwerkt in versie N").
    hint: Mapped[HintReason | None] = mapped_column(_enum_column(HintReason, "hint_reason"))

    comment: Mapped[Comment] = relationship()
    version: Mapped[Version] = relationship()
    section: Mapped[Section | None] = relationship()


class DispositionChange(Model):
    """One decision on a reaction, as it was made: the register's history (audit.record
    logs it too). The reaction holds the current one."""

    __tablename__ = "disposition_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    disposition: Mapped[Disposition] = mapped_column(_enum_column(Disposition, "disposition"))
    motivation: Mapped[str | None] = mapped_column(Text)
    motivation_html: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="changes", foreign_keys=[comment_id])
    decided_by: Mapped[User | None] = relationship()


class DecisionAnswer(Model):
    """The commenter's answer (akkoord or bezwaar) to one decision: once per decision."""

    __tablename__ = "decision_answers"
    __table_args__ = (UniqueConstraint("change_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    change_id: Mapped[int] = mapped_column(ForeignKey("disposition_changes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[AnswerVerdict] = mapped_column(_enum_column(AnswerVerdict, "answer_verdict"))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="answers")
    change: Mapped[DispositionChange] = relationship()
    author: Mapped[User | None] = relationship()


class ReviewNote(Model):
    """A note on a reaction for the review group only."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


position_sources = Table(
    "position_sources",
    db.metadata,
    Column("position_id", ForeignKey("group_positions.id", ondelete="CASCADE"), primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
)


class GroupPosition(Model):
    """A group's position on one section of a version, composed by its coordinator from the
    members' reactions (its sources): "in voorbereiding" until sent, and again after an edit
    since the last edition. Sending makes an edition and the group's official reaction (its
    ``comment``), which every later edition rewords."""

    __tablename__ = "group_positions"
    __table_args__ = (
        UniqueConstraint("group_id", "section_id"),  # one position per group and section
        Index("ix_group_positions_version_id_group_id", "version_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    kind: Mapped[CommentKind] = mapped_column(_enum_column(CommentKind, "comment_kind"))
    body: Mapped[str] = mapped_column(Text)  # the wording being prepared
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))

    group: Mapped[Group] = relationship()
    section: Mapped[Section] = relationship()
    updated_by: Mapped[User | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    sources: Mapped[list[Comment]] = relationship(secondary=position_sources, order_by="Comment.id")
    editions: Mapped[list[PositionEdition]] = relationship(
        back_populates="position", order_by="PositionEdition.number",
        cascade="all, delete-orphan",
    )  # fmt: skip

    @property
    def last_edition(self) -> PositionEdition | None:
        return self.editions[-1] if self.editions else None

    @property
    def in_preparation(self) -> bool:
        """Unsent: never sent, or changed since the last edition."""
        last = self.last_edition
        return last is None or (last.body, last.kind) != (self.body, self.kind)


class PositionEdition(Model):
    """A group's position as it was sent, once per sending: all are kept, so the review group
    sees how the position changed (as in LEOS's inter-service consultation)."""

    __tablename__ = "position_editions"
    __table_args__ = (UniqueConstraint("position_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("group_positions.id", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[CommentKind] = mapped_column(_enum_column(CommentKind, "comment_kind"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    position: Mapped[GroupPosition] = relationship(back_populates="editions")
    sent_by: Mapped[User | None] = relationship()


class ImportKind(enum.StrEnum):
    SPREADSHEET = "spreadsheet"  # XLSX or CSV, ours or the ISO commenting template
    WORD = "word"  # a Word file with comments and tracked changes


class Import(Model):
    """A file of feedback taken in at once: by whom, when, onto which version."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(_enum_column(ImportKind, "import_kind"))
    filename: Mapped[str] = mapped_column(String(255))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reactions: Mapped[int] = mapped_column(default=0)

    version: Mapped[Version] = relationship()
    imported_by: Mapped[User | None] = relationship()


class FailedJob(Model):
    """A job of the queue (reviewhub.jobs) that failed on its last try: kept for the
    administrators to read, and to send again or put aside."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))  # the job's name, e.g. "deliver_mail"
    summary: Mapped[str] = mapped_column(String(500), default="")  # what it was for
    error: Mapped[str] = mapped_column(Text, default="")
    tries: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # the queue's own form, to enqueue again
    settled_at: Mapped[datetime | None]  # sent again or put aside: no longer waiting


class NotificationKind(enum.StrEnum):
    """What a person can be told about (notifications.events)."""

    NEW_VERSION = "new_version"  # of a document they follow
    REPLY = "reply"  # to their reaction
    DECISION = "decision"  # on their reaction, or on their group's
    PASSAGE_CHANGED = "passage_changed"  # the passage of their reaction, in a new version
    ROUND_CLOSING = "round_closing"  # of a document they follow, in three days
    EXPORT_READY = "export_ready"  # an export they asked to be made in the background


class EmailMode(enum.StrEnum):
    IMMEDIATE = "immediate"  # a mail per notification
    DAILY = "daily"  # one mail a day with what came in
    OFF = "off"  # only the inbox


class Follow(Model):
    """A person follows a document: they hear of its new versions."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationSettings(Model):
    """What a person wants to hear of and how; no row: everything, by mail at once."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kinds_off: Mapped[list[str]] = mapped_column(JSON, default=list)  # NotificationKind values
    email: Mapped[EmailMode] = mapped_column(
        _enum_column(EmailMode, "email_mode"), default=EmailMode.IMMEDIATE
    )


class Notification(Model):
    """One message in a person's inbox. Its text is made when it is read, in the reader's
    language, from its kind and ``params``; ``path`` is where it leads on the site."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        _enum_column(NotificationKind, "notification_kind")
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]  # None while a daily digest still has to send it

    user: Mapped[User] = relationship()


class ExportFile(Model):
    """An export too large to make within a page request (a reactienota PDF of thousands of
    reactions), asked for by ``user`` and made by a job (exports.queued): what was asked
    (document, version, format, the workspace's filter as ``criteria``, the language), and,
    once ready, the file in the instance folder under ``stored_name``, a random name. Kept a
    week, for its owner only."""

    __tablename__ = "export_files"
    __table_args__ = (Index("ix_export_files_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    fmt: Mapped[str] = mapped_column(String(20))  # a key of exports.formats.FORMATS
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(5))
    filename: Mapped[str] = mapped_column(String(255))  # for the download
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ready_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    document: Mapped[Document] = relationship()
    version: Mapped[Version | None] = relationship()
