"""The review workspace's register: a version's top-level reactions filtered and sorted as the
review group triages them, their totals per status, the neighbours of one reaction in that
order, and who may be given a reaction. Statements, not lists: the pages page through them, so
a version of 50,000 reactions costs the same as one of fifty."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    UnaryExpression,
    case,
    func,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import load_only, selectinload, with_expression

from ..dbtypes import DbSession
from ..models import (
    Comment,
    CommentKind,
    DecisionAnswer,
    Disposition,
    DispositionChange,
    Document,
    Group,
    ReviewNote,
    Role,
    Section,
    User,
    Version,
)
from ..permissions import Action, can, role_may
from .hints import hinted_condition, hinted_in_expression
from .queries import readable_filter
from .textsearch import contains_text

SORTS = ("reference", "created", "section", "status", "group")
UNASSIGNED = 0  # the assignee filter's value for "nobody"


@dataclass(frozen=True)
class WorkspaceFilter:
    """What the workspace shows: every field left empty shows all of a version's reactions."""

    section_key: str | None = None
    group_id: int | None = None
    kind: CommentKind | None = None
    disposition: Disposition | None = None
    assignee_id: int | None = None  # UNASSIGNED: those given to nobody
    has_motivation: bool | None = None
    text: str = ""  # in the body or the reference, whatever the case
    comment_ids: frozenset[int] | None = None  # only these (a near-duplicate cluster)
    hinted: bool = False  # only the undecided ones a later version may have taken in
    question_id: int | None = None  # only the answers to this consultation question
    sort: str = "reference"
    descending: bool = False

    def as_json(self) -> dict[str, Any]:
        """The filter as JSON values, to keep with an export made later (from_json)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        ids = self.comment_ids
        return {**data, "comment_ids": sorted(ids) if ids is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkspaceFilter:
        ids, kind, disposition = data.get("comment_ids"), data.get("kind"), data.get("disposition")
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**{
            **known,
            "kind": CommentKind(kind) if kind else None,
            "disposition": Disposition(disposition) if disposition else None,
            "comment_ids": frozenset(ids) if ids is not None else None,
        })  # fmt: skip

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (sorting does not)."""
        return any(
            value is not None
            for value in (self.section_key, self.group_id, self.kind, self.disposition,
                          self.assignee_id, self.has_motivation, self.comment_ids,
                          self.question_id)
        ) or bool(self.text.strip()) or self.hinted  # fmt: skip


def filter_conditions(version: Version, criteria: WorkspaceFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.section_key is not None:
        # The section's id first, so that its reactions are read through the section's index.
        section = select(Section.id).where(
            Section.version_id == version.id, Section.key == criteria.section_key
        )
        conditions.append(Comment.section_id == section.scalar_subquery())
    if criteria.group_id is not None:
        conditions.append(Comment.group_id == criteria.group_id)
    if criteria.kind is not None:
        conditions.append(Comment.kind == criteria.kind)
    if criteria.disposition is not None:
        conditions.append(Comment.disposition == criteria.disposition)
    if criteria.assignee_id == UNASSIGNED:
        conditions.append(Comment.assignee_id.is_(None))
    elif criteria.assignee_id is not None:
        conditions.append(Comment.assignee_id == criteria.assignee_id)
    if criteria.has_motivation is not None:
        motivated = func.coalesce(Comment.motivation, "") != ""
        conditions.append(motivated if criteria.has_motivation else ~motivated)
    text = criteria.text.strip()
    if text:
        conditions.append(contains_text(text))
    if criteria.comment_ids is not None:
        conditions.append(Comment.id.in_(sorted(criteria.comment_ids)))
    if criteria.hinted:
        conditions.append(hinted_condition())
    if criteria.question_id is not None:
        conditions.append(Comment.question_id == criteria.question_id)
    return conditions


_STATUS_ORDER = case(
    {disposition: index for index, disposition in enumerate(Disposition)},
    value=Comment.disposition,
)


def _sort_terms(criteria: WorkspaceFilter) -> list[Any]:
    """The sort's expressions, always ending in the id so that the order is total: the
    previous and next links walk it. None of them is ever NULL, so rows compare as tuples."""
    # References are numbered in the order reactions are posted, which is the order of their
    # ids: sorting by id sorts them as numbers (VT-2-999 before VT-2-1000) and reads an
    # index's order instead of sorting every reaction of the version. The date shown is when
    # the reaction was stored, which is that order too (posting.post_comment sets both).
    by_reference: list[Any] = [Comment.id]
    sorts: dict[str, list[Any]] = {
        "reference": by_reference,
        "created": by_reference,
        "section": [Section.position, *by_reference],
        "status": [_STATUS_ORDER, *by_reference],
        "group": [func.coalesce(Group.name, ""), *by_reference],
    }
    return [*sorts.get(criteria.sort, by_reference), Comment.id]


def _index_prefix(criteria: WorkspaceFilter) -> list[Any]:
    """The leading columns of the index that serves the list, fixed by its conditions, so
    that the order names the index's columns. The order is the same with them; PostgreSQL
    only reads the rows in the index's order when it is named like that (an IS NULL does not
    count as fixing a column), and otherwise reads the primary key until it reaches the
    version: seconds at a million reactions."""
    prefix: list[Any] = [Comment.version_id, Comment.parent_id]
    if criteria.sort in ("reference", "created"):
        if criteria.disposition is not None:
            prefix.append(Comment.disposition)
        elif criteria.group_id is not None:
            prefix.append(Comment.group_id)
    return prefix


def _order(criteria: WorkspaceFilter, backwards: bool = False) -> list[UnaryExpression[Any]]:
    descending = criteria.descending != backwards
    terms = [*_index_prefix(criteria), *_sort_terms(criteria)]
    return [term.desc() if descending else term.asc() for term in terms]


def _base(version: Version, criteria: WorkspaceFilter, viewer: Any) -> Select[Any]:
    query = (
        select(Comment)
        .where(Comment.version_id == version.id, Comment.parent_id.is_(None))
        .where(*filter_conditions(version, criteria))
    )
    if criteria.sort == "section":
        query = query.join(Section, Comment.section_id == Section.id)
    if criteria.sort == "group":
        query = query.outerjoin(Group, Comment.group_id == Group.id)
    if viewer is not None:
        # The review group reads everything; a document's author not a region's group-only
        # drafts nor what waits for a moderator.
        query = query.where(readable_filter(viewer, version.document))
    return query


def workspace_query(
    version: Version, criteria: WorkspaceFilter, viewer: Any = None
) -> Select[Comment]:
    """The top-level reactions on ``version`` that match ``criteria``, in its order, with what
    a row shows loaded alongside. Hidden and deleted ones are in it (the page says so). With
    a ``viewer``: only those they may read."""
    return (
        _base(version, criteria, viewer)
        .options(
            load_only(*_ROW),
            selectinload(Comment.author),
            selectinload(Comment.group),
            selectinload(Comment.assignee),
            with_expression(Comment.hinted_in, hinted_in_expression()),
        )
        .order_by(*_order(criteria))
    )


# What a row of the workspace shows (its section by id: the page knows the version's sections).
_ROW = (Comment.id, Comment.reference, Comment.section_id, Comment.version_id, Comment.parent_id,
        Comment.author_id, Comment.group_id, Comment.kind, Comment.body, Comment.disposition,
        Comment.assignee_id, Comment.state, Comment.visibility, Comment.hidden_at,
        Comment.deleted_at, Comment.created_at)  # fmt: skip


def workspace_totals(
    session: DbSession, version: Version, viewer: Any = None
) -> dict[Disposition, int]:
    """How many top-level reactions on ``version`` have each status (every status named, zero
    included), in one grouped query."""
    query = (
        select(Comment.disposition, func.count())
        .where(Comment.version_id == version.id, Comment.parent_id.is_(None))
        .where(readable_filter(viewer, version.document) if viewer is not None else true())
        .group_by(Comment.disposition)
    )
    totals = dict.fromkeys(Disposition, 0)
    totals.update({disposition: count for disposition, count in session.execute(query)})
    return totals


@dataclass(frozen=True)
class Composition:
    """How many top-level reactions on a version were sent for each group (None: for no
    group), on each section (by id) and of each kind. Decisions change none of these."""

    by_group: dict[int | None, int]
    by_section: dict[int, int]
    by_kind: dict[CommentKind | None, int]
    by_question: dict[int | None, int]  # None: answering no question


def workspace_composition(session: DbSession, version: Version, viewer: Any = None) -> Composition:
    """The version's reactions counted by group, by section, by kind and by the question
    they answer (four grouped queries): the group filter's choices, the answers per
    question, and the number of rows of a list filtered on one of them, without counting
    that list."""
    scope = [
        Comment.version_id == version.id,
        Comment.parent_id.is_(None),
        readable_filter(viewer, version.document) if viewer is not None else true(),
    ]

    def counted(column: Any) -> dict[Any, int]:
        rows = session.execute(select(column, func.count()).where(*scope).group_by(column))
        return {value: count for value, count in rows}

    return Composition(
        by_group=counted(Comment.group_id),
        by_section=counted(Comment.section_id),
        by_kind=counted(Comment.kind),
        by_question=counted(Comment.question_id),
    )


def known_total(
    criteria: WorkspaceFilter,
    totals: dict[Disposition, int],
    composition: Composition,
    section_id: int | None = None,
) -> int | None:
    """The number of rows of the list ``criteria`` asks for, when the kept counts tell it:
    no filter, or one on status, group, section (``section_id``: the key's section) or kind
    alone. None: the list has to be counted."""
    single = {
        "disposition": criteria.disposition, "group_id": criteria.group_id,
        "section_key": criteria.section_key, "kind": criteria.kind,
        "question_id": criteria.question_id,
    }  # fmt: skip
    narrowed = [name for name, value in single.items() if value is not None]
    rest = replace(criteria, disposition=None, group_id=None, section_key=None, kind=None,
                   question_id=None)  # fmt: skip
    if len(narrowed) > 1 or rest.active:
        return None
    if not narrowed:
        return sum(totals.values())
    name = narrowed[0]
    if name == "disposition":
        return totals.get(criteria.disposition, 0)  # type: ignore[arg-type]
    if name == "group_id":
        return composition.by_group.get(criteria.group_id, 0)
    if name == "kind":
        return composition.by_kind.get(criteria.kind, 0)
    if name == "question_id":
        return composition.by_question.get(criteria.question_id, 0)
    return composition.by_section.get(section_id, 0) if section_id is not None else 0


@dataclass(frozen=True)
class Neighbours:
    """The reactions before and after one in the workspace's order (their references)."""

    previous: str | None = None
    next: str | None = None
    position: int | None = None  # 1-based; None: the reaction is not in the filtered list
    total: int = 0


def neighbours(
    session: DbSession,
    version: Version,
    criteria: WorkspaceFilter,
    comment: Comment,
    viewer: Any = None,
) -> Neighbours:
    """Where ``comment`` stands in the filtered, sorted list. Keyset steps (the rows just
    after and before its sort key), never a walk through the list: four short queries
    whatever the length of the list."""
    terms = _sort_terms(criteria)
    base = _base(version, criteria, viewer)
    key = session.execute(
        base.with_only_columns(*terms).where(Comment.id == comment.id)
    ).one_or_none()
    if key is None:
        return Neighbours()
    here = tuple_(*terms)
    after = here < tuple(key) if criteria.descending else here > tuple(key)
    before = here > tuple(key) if criteria.descending else here < tuple(key)
    step = base.with_only_columns(Comment.reference).limit(1)
    following = session.scalar(step.where(after).order_by(*_order(criteria)))
    preceding = session.scalar(step.where(before).order_by(*_order(criteria, backwards=True)))
    total, ahead = session.execute(
        base.with_only_columns(func.count(), func.count(case((before, 1))))
    ).one()
    return Neighbours(preceding, following, ahead + 1, total)


def in_version(session: DbSession, version: Version, ids: Collection[int]) -> list[Comment]:
    """The top-level reactions on ``version`` among ``ids``, in the order of ``ids``, with what
    deciding on them reads loaded alongside; ids of anything else are left out."""
    if not ids:
        return []
    found = session.scalars(
        select(Comment)
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.id.in_(sorted(ids)),
        )
        .options(selectinload(Comment.section).selectinload(Section.version))
    ).all()
    by_id = {comment.id: comment for comment in found}
    return [by_id[i] for i in ids if i in by_id]


def by_reference(session: DbSession, version: Version, reference: str) -> Comment | None:
    """The top-level reaction on ``version`` with ``reference`` (any case), or None, with
    what its workspace page shows loaded alongside: its thread, history, answers and notes."""
    return session.scalar(
        select(Comment)
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            func.upper(Comment.reference) == reference.strip().upper(),
        )
        .options(
            selectinload(Comment.section).selectinload(Section.version),
            *(selectinload(relation) for relation in _PEOPLE),
            selectinload(Comment.duplicate_of),
            selectinload(Comment.question),
            selectinload(Comment.replies).options(
                selectinload(Comment.author), selectinload(Comment.group)
            ),
            selectinload(Comment.changes).selectinload(DispositionChange.decided_by),
            selectinload(Comment.answers).selectinload(DecisionAnswer.author),
            selectinload(Comment.notes).selectinload(ReviewNote.author),
        )
    )


_PEOPLE = (Comment.author, Comment.group, Comment.assignee, Comment.decided_by)


def review_group(session: DbSession, document: Document) -> list[User]:
    """The active people who may decide on ``document``'s reactions (``Action.DECIDE``): the
    choices for giving a reaction to someone. The roles that may are asked of the permission
    layer, so one query finds the candidates; ``can`` has the last word on each."""
    roles = [role for role in Role if role_may(role, Action.DECIDE, document)]
    if not roles:
        return []
    candidates = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(roles))
        .options(selectinload(User.memberships))
        .order_by(User.name, User.id)
    )
    return [person for person in candidates if can(person, Action.DECIDE, document)]


def sections_of(session: DbSession, version: Version) -> list[Section]:
    """The sections of ``version`` in order, for the section filter (no text loaded)."""
    return list(
        session.scalars(
            select(Section)
            .where(Section.version_id == version.id)
            .options(load_only(Section.key, Section.number, Section.heading, Section.level))
            .order_by(Section.position)
        )
    )
