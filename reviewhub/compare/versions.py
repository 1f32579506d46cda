"""Comparing two versions of a document, and one section's history through all versions.

Sections are aligned by following the stored predecessor links through the versions in between:
keys normally agree, but the links are the truth. Each aligned pair is then classified with
matching's rules as if the two versions were consecutive: moved (other parent, or out of order
among siblings that kept their parent), renamed (heading differs), edited (content differs).
Published versions never change, so comparisons are cached per pair of versions in this process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from ..dbtypes import DbSession
from ..models import ChangeKind, Document, Section, Version, VersionStatus
from ..text.matching import PriorSection, classify
from ..text.words import count_words
from .blocks import (
    BlockDiff,
    LinkDefinitions,
    MarkdownDiff,
    Op,
    Span,
    count_changed_words,
    diff_markdown,
    diff_source,
    diff_text,
    whole_markdown,
)

CACHED_PAIRS = 8
T = TypeVar("T")


class CompareError(ValueError):
    """The versions cannot be compared; ``str()`` says why."""


class StoredSection(NamedTuple):
    """A published section as comparing needs it (its rendered HTML is loaded apart). A
    tuple: a comparison loads hundreds, and builds each straight from a database row."""

    id: int
    version_id: int
    key: str
    position: int
    parent_position: int | None
    predecessor_id: int | None
    number: str
    level: int
    heading: str
    body: str
    content_hash: str


_PARENT = aliased(Section)
# In the order of StoredSection's fields.
_COLUMNS = (
    Section.id,
    Section.version_id,
    Section.key,
    Section.position,
    _PARENT.position,
    Section.predecessor_id,
    Section.number,
    Section.level,
    Section.heading,
    Section.body,
    Section.content_hash,
)


def _load(session: DbSession, condition: ColumnElement[bool]) -> list[StoredSection]:
    query = select(*_COLUMNS).outerjoin(_PARENT, Section.parent_id == _PARENT.id).where(condition)
    # Plain rows through the session's connection: the ORM's per-row work is not needed.
    rows = session.connection().execute(query.order_by(Section.version_id, Section.position))
    return [StoredSection._make(row) for row in rows.all()]  # all(): one fetch, not per row


class _References:
    """Each version's link reference definitions, which its sections' text may use."""

    def __init__(self, versions: list[Version]) -> None:
        self._by_id = {version.id: LinkDefinitions(version.source) for version in versions}

    def of(self, section: StoredSection) -> LinkDefinitions:
        return self._by_id[section.version_id]


@dataclass(eq=False)
class SectionChange:
    """One section in the comparison: ``old`` in the older version, ``new`` in the newer one."""

    old: StoredSection | None
    new: StoredSection | None
    kind: ChangeKind | None  # None: removed
    references: _References = field(repr=False)

    @property
    def section(self) -> StoredSection:
        """The section as it is shown: the newer one, unless it was removed."""
        section = self.new or self.old
        assert section is not None
        return section

    @property
    def added(self) -> bool:
        return self.old is None

    @property
    def removed(self) -> bool:
        return self.new is None

    @property
    def moved(self) -> bool:
        return self.kind is ChangeKind.MOVED

    @property
    def renamed(self) -> bool:
        return (
            self.old is not None and self.new is not None and self.old.heading != self.new.heading
        )

    @property
    def edited(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and self.old.content_hash != self.new.content_hash
        )

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.moved or self.renamed or self.edited)

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.number != self.new.number

    @property
    def marker(self) -> str:
        """The main change, for labels and styles: new, removed, moved, renamed, edited or
        unchanged (in that order of precedence)."""
        if self.added:
            return "new"
        if self.removed:
            return "removed"
        return self.kind.value if self.kind else "unchanged"

    @cached_property
    def heading_spans(self) -> list[Span]:
        return diff_text(self.old.heading if self.old else "", self.new.heading if self.new else "")

    @cached_property
    def text_diff(self) -> MarkdownDiff | None:
        """The edited text's diff; None when the text is the same or on one side only."""
        if self.old is None or self.new is None or not self.edited:
            return None
        return diff_markdown(
            self.old.body, self.new.body, self.references.of(self.old), self.references.of(self.new)
        )

    @cached_property
    def blocks(self) -> list[BlockDiff]:
        """The text's diff, block by block: all inserted for a new section, all deleted for a
        removed one, all unchanged when the text is."""
        if self.text_diff is not None:
            return self.text_diff.blocks
        op = Op.INSERT if self.old is None else Op.DELETE if self.new is None else Op.EQUAL
        return whole_markdown(self.section.body, self.references.of(self.section), op)

    @cached_property
    def source_spans(self) -> list[Span]:
        """The Markdown source's word diff, blind to re-wrapping."""
        return diff_source(self.old.body if self.old else "", self.new.body if self.new else "")

    @cached_property
    def words(self) -> tuple[int, int]:
        """(words inserted, words deleted), in the text and the heading."""
        if self.old is None or self.new is None:
            inserted, deleted = count_changed_words(self.blocks)  # all on one side
            heading = count_words(self.section.heading)
            return (inserted + heading, 0) if self.old is None else (0, deleted + heading)
        inserted, deleted = (
            count_changed_words(self.text_diff.changed) if self.text_diff else (0, 0)
        )
        for span in self.heading_spans if self.renamed else []:
            if span.op is Op.INSERT:
                inserted += count_words(span.text)
            elif span.op is Op.DELETE:
                deleted += count_words(span.text)
        return inserted, deleted


@dataclass(frozen=True)
class Summary:
    added: int
    removed: int
    moved: int
    renamed: int
    edited: int
    unchanged: int
    words_added: int
    words_removed: int

    @classmethod
    def of(cls, changes: list[SectionChange]) -> Summary:
        """A section moved, renamed and edited counts under each of the three."""
        return cls(
            added=sum(c.added for c in changes),
            removed=sum(c.removed for c in changes),
            moved=sum(c.moved for c in changes),
            renamed=sum(c.renamed for c in changes),
            edited=sum(c.edited for c in changes),
            unchanged=sum(c.unchanged for c in changes),
            words_added=sum(c.words[0] for c in changes),
            words_removed=sum(c.words[1] for c in changes),
        )


@dataclass(frozen=True)
class Comparison:
    old_version_id: int
    new_version_id: int
    changes: list[SectionChange]  # the newer version's order; removed ones where they stood
    summary: Summary

    @property
    def changed(self) -> list[SectionChange]:
        return [change for change in self.changes if not change.unchanged]


class _PairCache:
    """A small least-recently-used cache, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _PairCache(CACHED_PAIRS)


def clear_cache() -> None:
    _CACHE.clear()


def _identity(version: Version) -> tuple[Any, ...]:
    # A version row never changes, but a rolled-back test (or a deleted document) can free its
    # id for another one: its hash and publication time tell them apart.
    return (version.id, version.source_hash, version.published_at)


def compare_versions(session: DbSession, first: Version, second: Version) -> Comparison:
    """Compare two versions of one document, always the older with the newer (whatever the
    order given); raise CompareError for versions of different documents."""
    if first.document_id != second.document_id:
        raise CompareError(lazy_gettext("Only versions of the same document can be compared."))
    old, new = sorted((first, second), key=lambda version: version.number)
    return _CACHE.get((_identity(old), _identity(new)), lambda: _compare(session, old, new))


@dataclass(frozen=True)
class Loaded:
    """What comparing two versions reads from the database."""

    old: Version
    new: Version
    old_sections: list[StoredSection]
    new_sections: list[StoredSection]
    links: dict[int, int | None]  # predecessor of each section of the versions in between


def load(session: DbSession, old: Version, new: Version) -> Loaded:
    old_sections = _load(session, Section.version_id == old.id)
    new_sections = (
        old_sections if new.id == old.id else _load(session, Section.version_id == new.id)
    )
    between = session.execute(
        select(Section.id, Section.predecessor_id)
        .join(Version, Section.version_id == Version.id)
        .where(
            Version.document_id == old.document_id,
            Version.number > old.number,
            Version.number < new.number,
        )
    )
    links = {section: predecessor for section, predecessor in between}
    return Loaded(old, new, old_sections, new_sections, links)


def _compare(session: DbSession, old: Version, new: Version) -> Comparison:
    return align_and_diff(load(session, old, new))


def align_and_diff(loaded: Loaded) -> Comparison:
    """The comparison proper, without the database: align the sections, classify each pair,
    diff the changed ones word by word and sum it all up."""
    old_rows, new_rows = loaded.old_sections, loaded.new_sections
    old_for_new = _align(old_rows, new_rows, loaded.links, same=loaded.old.id == loaded.new.id)
    kinds = classify(_as_prior(old_rows), new_rows, old_for_new)
    references = _References([loaded.old, loaded.new])
    removed_after = _removed_by_place(old_rows, old_for_new)
    changes = [SectionChange(row, None, None, references) for row in removed_after[-1]]
    for index, row in enumerate(new_rows):
        origin = old_for_new.get(index)
        old_row = old_rows[origin] if origin is not None else None
        changes.append(SectionChange(old_row, row, kinds[index], references))
        changes += [SectionChange(gone, None, None, references) for gone in removed_after[index]]
    return Comparison(loaded.old.id, loaded.new.id, changes, Summary.of(changes))


def _align(
    old_rows: list[StoredSection],
    new_rows: list[StoredSection],
    links: Mapping[int, int | None],
    same: bool,
) -> dict[int, int]:
    """For each new section (by index), the old section (by index) it descends from: follow
    its predecessors back, one version at a time, to the older version."""
    if same:
        return {index: index for index in range(len(new_rows))}
    old_index = {row.id: index for index, row in enumerate(old_rows)}
    aligned: dict[int, int] = {}
    for index, row in enumerate(new_rows):
        ancestor = row.predecessor_id
        while ancestor is not None and ancestor not in old_index:
            ancestor = links.get(ancestor)
        if ancestor is not None:
            aligned[index] = old_index[ancestor]
    return _align_by_key(old_rows, new_rows, aligned)


def _align_by_key(
    old_rows: list[StoredSection], new_rows: list[StoredSection], aligned: dict[int, int]
) -> dict[int, int]:
    """Pair what the links left unpaired by key: a draft and a later version descend from the
    same public version along two branches, so no link leads from one to the other, but a
    section keeps its key along both. Keys are never reused within the public chain, so for
    versions on one chain this adds nothing."""
    taken = set(aligned.values())
    free_old = {row.key: index for index, row in enumerate(old_rows) if index not in taken}
    for index, row in enumerate(new_rows):
        if index not in aligned and row.key in free_old:
            aligned[index] = free_old.pop(row.key)
    return aligned


def _as_prior(rows: list[StoredSection]) -> list[PriorSection]:
    key_at = {row.position: row.key for row in rows}
    return [
        PriorSection(
            key=row.key,
            heading=row.heading,
            parent_key=key_at[row.parent_position] if row.parent_position is not None else None,
            content_hash=row.content_hash,
            text="",  # classifying reads no text
        )
        for row in rows
    ]


def _removed_by_place(
    old_rows: list[StoredSection], old_for_new: Mapping[int, int]
) -> defaultdict[int, list[StoredSection]]:
    """Old sections without a successor, by the new section they are shown after (-1: before
    all): after the successor of the nearest continued section that preceded them."""
    new_for_old = {old: new for new, old in old_for_new.items()}
    removed: defaultdict[int, list[StoredSection]] = defaultdict(list)
    place = -1
    for index, row in enumerate(old_rows):
        if index in new_for_old:
            place = new_for_old[index]
        else:
            removed[place].append(row)
    return removed


@dataclass(frozen=True)
class HistoryStep:
    """What happened to the section in ``version``, compared with the version before."""

    version: Version
    change: SectionChange


def section_history(
    session: DbSession, document: Document, key: str, readable: Collection[Version]
) -> list[HistoryStep]:
    """The section with ``key`` through the ``readable`` versions: from the version it appeared
    in (or the first), each version it is in, and the version that removed it, if one did.
    It follows the public chain; a draft appears only as the last step of its own history, so
    nothing is ever compared with a draft's text. Empty when no readable version has such a
    section."""
    versions = {version.id: version for version in readable}
    latest = session.scalar(
        select(Section.id)
        .join(Version, Section.version_id == Version.id)
        .where(Section.version_id.in_(versions), Section.key == key)
        .order_by(Version.number.desc())
        .limit(1)
    )
    if latest is None:
        return []
    chain = _chain(session, latest)
    shown = set(
        session.scalars(
            select(Section.id).where(Section.id.in_(chain), Section.version_id.in_(versions))
        )
    )
    chain = [section for section in chain if section in shown]
    rows = sorted(_load(session, Section.id.in_(chain)), key=lambda row: chain.index(row.id))
    stored = session.execute(select(Section.id, Section.change_kind).where(Section.id.in_(chain)))
    kinds = {section: kind for section, kind in stored}
    references = _References([versions[row.version_id] for row in rows])
    steps: list[HistoryStep] = []
    previous: StoredSection | None = None
    for row in rows:
        kind = ChangeKind.NEW if previous is None else kinds[row.id]
        change = SectionChange(previous, row, kind, references)
        steps.append(HistoryStep(versions[row.version_id], change))
        previous = row
    last = steps[-1].version
    following = sorted(
        (v for v in readable if v.number > last.number and v.status is not VersionStatus.DRAFT),
        key=lambda version: version.number,
    )
    if following and last.status is not VersionStatus.DRAFT:
        steps.append(HistoryStep(following[0], SectionChange(previous, None, None, references)))
    return steps


def _chain(session: DbSession, section_id: int) -> list[int]:
    """The ids of a section's ancestors, itself and its descendants. Forward, a public
    section's successor in a public version comes first; a draft's successor only where no
    public one exists (a draft branch, which only its authors can read)."""
    chain = [section_id]
    while earlier := session.scalar(select(Section.predecessor_id).where(Section.id == chain[0])):
        chain.insert(0, earlier)
    while later := session.scalar(
        select(Section.id)
        .join(Version, Section.version_id == Version.id)
        .where(Section.predecessor_id == chain[-1])
        .order_by((Version.status == VersionStatus.DRAFT).asc(), Version.number)
        .limit(1)
    ):
        chain.append(later)
    return chain


def stored_html(session: DbSession, changes: list[SectionChange]) -> dict[int, str]:
    """The rendered HTML of the sections shown whole: unchanged, new and removed ones."""
    ids = {c.section.id for c in changes if not c.edited}
    if not ids:
        return {}
    rows = session.execute(select(Section.id, Section.html).where(Section.id.in_(ids)))
    return {section: html for section, html in rows}
