"""Placing feedback from a file: every row (or Word comment) either becomes a planned
reaction on a section of the version, or is refused with the reason, before anything is
saved. The plan is shown as a preview; carried out, it stores all of it or, refused, none,
recorded as one import (who, when, which file)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..dbtypes import DbSession
from ..feedback.display import render_body
from ..feedback.errors import FeedbackError
from ..feedback.posting import (
    MAX_BODY_LENGTH,
    NewComment,
    Passage,
    normalised_text,
    post_comment,
    store_new_reaction,
)
from ..labels import COMMENT_KIND
from ..models import (
    Comment,
    CommentKind,
    Group,
    Import,
    ImportKind,
    Section,
    User,
    Version,
    VersionStatus,
)
from ..permissions import Action, can
from ..text.anchoring import Anchor, AnchorError, locate
from .sheet import SheetRow
from .word import SectionRef, WordComment, WordFeedback

OPENING = "(opening)"  # what a Word file's text before the first heading is placed on

# The ISO template's types of comment: general, technical, editorial.
ISO_KINDS = {"ge": CommentKind.GENERAL, "te": CommentKind.SUGGESTION, "ed": CommentKind.SUGGESTION}
# Names a spreadsheet may still use: "zorg" was the concern's label before "zorgpunt".
OTHER_KINDS = {"zorg": CommentKind.CONCERN, **ISO_KINDS}


class ImportRefused(ValueError):
    """The import is refused as a whole; ``str()`` says why. Nothing was stored."""


@dataclass(frozen=True)
class Planned:
    """A reaction the import will make."""

    where: str  # "row 4", "comment 2": where it is in the file
    section: Section
    group: Group | None
    kind: CommentKind
    body: str
    anchor: Anchor | None
    proposed: str | None
    author: str  # as the file names them


@dataclass(frozen=True)
class Refused:
    where: str
    reason: str


@dataclass
class Plan:
    kind: ImportKind
    filename: str
    planned: list[Planned] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def can_be_carried_out(self) -> bool:
        """All or nothing: only a file every row of which is placed."""
        return bool(self.planned) and not self.refused


@dataclass(frozen=True)
class Draft:
    """One piece of feedback from a file, before it is placed."""

    where: str
    section: str  # a number, a key or a heading
    text: str
    group: str = ""
    kind: str = ""
    quote: str = ""
    proposed: str = ""
    author: str = ""
    formula: bool = False


def drafts_from_sheet(rows: Iterable[SheetRow]) -> list[Draft]:
    return [
        Draft(
            str(_l("row %(line)d", line=row.line)),
            row.cells.get("section", ""), row.cells.get("text", ""),
            row.cells.get("group", ""), row.cells.get("kind", ""), row.cells.get("quote", ""),
            row.cells.get("proposed", ""),
            " · ".join(p for p in (row.cells.get("author", ""),
                                   row.cells.get("organisation", "")) if p),
            row.formula,
        )
        for row in rows
    ]  # fmt: skip


def drafts_from_word(feedback: WordFeedback) -> list[Draft]:
    """Each comment a reaction on the passage it marks (its replies below it); each tracked
    change a suggestion: the version's wording quoted, the new wording proposed."""
    drafts = [
        Draft(str(_l("comment %(number)d", number=n)), _section_name(c.section),
              _thread_text(c), kind=_comment_kind(c.text), quote=c.quote, author=c.author)
        for n, c in enumerate(feedback.comments, 1)
    ]  # fmt: skip
    for n, change in enumerate(feedback.changes, 1):
        where = str(_l("tracked change %(number)d", number=n))
        section = _section_name(change.section)
        if change.before.strip():
            text = str(_l("Changed in Word by %(author)s.", author=change.author or "?"))
            drafts.append(Draft(where, section, text, kind=CommentKind.SUGGESTION.value,
                                quote=change.before, proposed=change.after,
                                author=change.author))  # fmt: skip
        else:  # a new paragraph: nothing to quote, the wording is the reaction
            text = str(_l("New text proposed in Word: %(text)s", text=change.after))
            drafts.append(Draft(where, section, text, kind=CommentKind.SUGGESTION.value,
                                author=change.author))  # fmt: skip
    return drafts


def _section_name(ref: SectionRef) -> str:
    return ref.key or ref.title or OPENING


def _thread_text(comment: WordComment) -> str:
    replies = [f"— {reply.author}: {reply.text}" for reply in comment.replies]
    return "\n\n".join([comment.text, *replies])


def _comment_kind(text: str) -> str:
    return CommentKind.QUESTION.value if text.rstrip().endswith("?") else ""


def plan(
    session: DbSession, version: Version, kind: ImportKind, filename: str,
    drafts: Iterable[Draft], default_group: Group | None = None,
) -> Plan:  # fmt: skip
    """Place ``drafts`` on the sections of ``version``."""
    result = Plan(kind, filename)
    places = _Places(session, version, default_group)
    for draft in drafts:
        placed = places.place(draft)
        if isinstance(placed, Planned):
            result.planned.append(placed)
        else:
            result.refused.append(placed)
    if not result.planned and not result.refused:
        result.refused.append(Refused("—", str(_l("The file holds no feedback."))))
    return result


class _Places:
    """The version's sections and the groups, looked up once per file."""

    def __init__(self, session: DbSession, version: Version, default: Group | None) -> None:
        sections = list(session.scalars(select(Section).where(Section.version_id == version.id)))
        self.sections: dict[str, Section] = {}
        for section in sections:  # a number first, then a key, then a heading
            title = f"{section.number} {section.heading}".strip().lower()
            names = (title, section.heading.lower(), section.key.lower(),
                     section.number.rstrip("."))  # fmt: skip
            for name in names:
                if name:
                    self.sections[name] = section
            if section.is_preamble:
                self.sections[OPENING] = section
        self.groups = {g.name.lower(): g for g in session.scalars(select(Group)) if g.active}
        self.default = default

    def place(self, draft: Draft) -> Planned | Refused:
        def refuse(reason: object) -> Refused:
            return Refused(draft.where, str(reason))

        if draft.formula:
            return refuse(_l("A cell holds a formula; type its text instead."))
        section = self.sections.get(draft.section.strip().rstrip(".").lower())
        if section is None and draft.section == OPENING:
            return refuse(_l("The comment is on text before the first section heading."))
        if section is None:
            return refuse(_l("No section %(section)s in this version.", section=draft.section))
        body = normalised_text(draft.text)
        if not body:
            return refuse(_l("The reaction's text is empty."))
        if len(body) > MAX_BODY_LENGTH:
            return refuse(_l("The text has %(count)d characters; at most %(most)d fit.",
                             count=len(body), most=MAX_BODY_LENGTH))  # fmt: skip
        group = self.default
        if draft.group.strip():
            group = self.groups.get(draft.group.strip().lower())
            if group is None:
                return refuse(_l("No group is called %(name)s.", name=draft.group))
        kind = _kind(draft.kind)
        if kind is None:
            return refuse(_l("Unknown kind %(kind)s.", kind=draft.kind))
        anchor = None
        if draft.quote.strip():
            try:
                anchor = locate(section.text, draft.quote)
            except AnchorError:
                return refuse(_l("The quote is not in the text of section %(number)s.",
                                 number=section.number or section.heading))  # fmt: skip
        proposed = normalised_text(draft.proposed) or None
        if proposed and anchor is None:
            return refuse(_l("Proposed wording needs the quote it replaces."))
        if proposed:
            kind = CommentKind.SUGGESTION
        return Planned(draft.where, section, group, kind, body, anchor, proposed, draft.author)


def _kind(text: str) -> CommentKind | None:
    wanted = text.strip().lower()
    if not wanted:
        return CommentKind.GENERAL
    if wanted in OTHER_KINDS:
        return OTHER_KINDS[wanted]
    for kind in CommentKind:
        if wanted in (kind.value, str(COMMENT_KIND[kind]).lower()):
            return kind
    return None


# Carrying the plan out ---------------------------------------------------------------------


def carry_out(
    session: DbSession, person: User, version: Version, plan_: Plan, *, for_review_group: bool
) -> Import:
    """Store every planned reaction, all or none: as the review group's import of feedback
    that came in elsewhere (``for_review_group``), or as ``person``'s own reactions, posted
    as any reaction is (open version, their own groups)."""
    if for_review_group and not can(person, Action.DECIDE, version.document):
        raise ImportRefused(_l("Only the review group imports feedback for others."))
    if version.status is VersionStatus.DRAFT:
        raise ImportRefused(_l("A draft takes no feedback."))
    if not plan_.can_be_carried_out:
        raise ImportRefused(_l("Nothing was imported: first solve what the preview lists."))
    record = Import(version=version, kind=plan_.kind, filename=plan_.filename[:255],
                    imported_by=person, reactions=len(plan_.planned))  # fmt: skip
    session.add(record)
    session.flush()
    for number, planned in enumerate(plan_.planned, 1):
        token = f"import-{record.id}-{number}"
        if for_review_group:
            store_new_reaction(session, _comment(person, planned, token, record.id))
        else:
            _post_own(session, person, planned, token, record.id)
    audit.record(session, person, "feedback.imported", version,
                 f"{plan_.filename}: {len(plan_.planned)}", kind=plan_.kind.value)  # fmt: skip
    session.flush()
    return record


def _post_own(session: DbSession, person: User, planned: Planned, token: str,
              import_id: int) -> None:  # fmt: skip
    anchor = planned.anchor
    passage = Passage(anchor.exact, anchor.prefix, anchor.suffix, anchor.start) if anchor else None
    new = NewComment(planned.kind, planned.body, token,
                     group_id=planned.group.id if planned.group else None, passage=passage,
                     proposed_text=planned.proposed)  # fmt: skip
    try:
        comment = post_comment(session, person, planned.section, new)
    except FeedbackError as error:
        raise ImportRefused(
            _l("%(where)s: %(why)s", where=planned.where, why=str(error))
        ) from error
    comment.import_id = import_id


def _comment(importer: User, planned: Planned, token: str, import_id: int) -> Comment:
    comment = Comment(
        section=planned.section, author=importer, group=planned.group, kind=planned.kind,
        body=planned.body, body_html=render_body(planned.body), proposed_text=planned.proposed,
        client_token=token, import_id=import_id, imported_author=planned.author[:200] or None,
    )  # fmt: skip
    if planned.anchor is not None:
        anchor = planned.anchor
        comment.quote_exact, comment.quote_prefix, comment.quote_suffix = (
            anchor.exact, anchor.prefix, anchor.suffix)  # fmt: skip
        comment.quote_start, comment.quote_end = anchor.start, anchor.end
    return comment
