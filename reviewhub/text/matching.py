"""Align the sections of a new version with those of the previous one.

Each new section either continues a previous section (and inherits its stable key) or is new.
Matching is one-to-one and tries, in order: the explicit ``{#key}``, identical content, the same
heading under the same parent, then text similarity above a threshold. Then each continued
section is classified: moved (other parent, or out of order among its siblings), renamed
(heading changed), edited (content changed) or unchanged, in that order of precedence.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from .sections import ParsedSection, slugify
from .words import WorkBudget, similarity, similarity_bound

SIMILARITY_THRESHOLD = 0.5
# Similarity compares unmatched new sections with unmatched old ones: every pair, as long as
# there are at most this many (renaming all 400 headings of a document made 160,000).
EXHAUSTIVE_PAIRS = 40_000
# Past that, each new section is compared only with the old sections likeliest to be its
# predecessor: the few nearest its place (sections mostly keep their order), the few nearest
# it of those with its heading, and those that share one of its rarest words, skipping words
# so common they tell nothing. At most 2 * NEIGHBOURS + RARE_WORDS * RARE_POSTINGS pairs per
# new section; the results agree with comparing all pairs on the probe's cases.
NEIGHBOURS = 4
RARE_WORDS = 3
RARE_POSTINGS = 4
# The word diffs of all the similarity scores of one matching together may do this much work
# (see words.DIFF_BASE_WORK; about three seconds): ordinary versions need a small part.
SIMILARITY_WORK = 5_000_000
_WORD = re.compile(r"\w+")


class ChangeKind(enum.StrEnum):
    """How a section relates to its predecessor in the previous version."""

    UNCHANGED = "unchanged"
    EDITED = "edited"
    RENAMED = "renamed"
    MOVED = "moved"
    NEW = "new"


@dataclass(frozen=True)
class PriorSection:
    """A section of the previous version, as matching sees it."""

    key: str
    heading: str
    parent_key: str | None
    content_hash: str
    text: str


class PlacedSection(Protocol):
    """What classifying needs of a section of the newer version."""

    @property
    def heading(self) -> str: ...

    @property
    def content_hash(self) -> str: ...

    @property
    def parent_position(self) -> int | None: ...


def prior_sections(sections: Sequence[ParsedSection], keys: Sequence[str]) -> list[PriorSection]:
    """A parsed version whose sections got ``keys``, as the next match sees it. Publishing
    builds the same from stored sections; this serves matching without a database."""
    return [
        PriorSection(
            key=keys[i],
            heading=section.heading,
            parent_key=keys[section.parent_position]
            if section.parent_position is not None
            else None,
            content_hash=section.content_hash,
            text=section.text,
        )
        for i, section in enumerate(sections)
    ]


@dataclass(frozen=True)
class SectionMatch:
    key: str
    predecessor: int | None  # index into the prior sections
    change_kind: ChangeKind


@dataclass(frozen=True)
class MatchResult:
    matches: list[SectionMatch]  # one per new section, in order
    removed: list[int]  # indexes of prior sections that have no successor


def match_sections(
    prior: Sequence[PriorSection],
    new: Sequence[ParsedSection],
    keys_in_use: Iterable[str] = (),
) -> MatchResult:
    """Match ``new`` sections to ``prior`` ones; ``keys_in_use`` are keys a new section may not
    take (for instance those of sections removed in earlier versions)."""
    pairs = _Pairs(prior, new)
    pairs.by_explicit_key()
    pairs.by_identical_content()
    pairs.by_heading_under_parent()
    pairs.by_similarity()
    pairs.by_heading_under_parent()  # children of parents that only similarity could match
    keys = _assign_keys(prior, new, pairs.old_for_new, set(keys_in_use))
    kinds = classify(prior, new, pairs.old_for_new)
    matches = [SectionMatch(keys[i], pairs.old_for_new.get(i), kinds[i]) for i in range(len(new))]
    matched_old = set(pairs.old_for_new.values())
    return MatchResult(matches, [i for i in range(len(prior)) if i not in matched_old])


def _normalised(heading: str) -> str:
    return " ".join(heading.casefold().split())


class _Pairs:
    def __init__(self, prior: Sequence[PriorSection], new: Sequence[ParsedSection]) -> None:
        self.prior = prior
        self.new = new
        self.old_for_new: dict[int, int] = {}
        self.new_for_old: dict[int, int] = {}
        self.old_parents = _prior_parents(prior)

    def pair(self, new_index: int, old_index: int) -> None:
        self.old_for_new[new_index] = old_index
        self.new_for_old[old_index] = new_index

    def free_new(self) -> list[int]:
        return [i for i in range(len(self.new)) if i not in self.old_for_new]

    def free_old(self) -> list[int]:
        return [i for i in range(len(self.prior)) if i not in self.new_for_old]

    def by_explicit_key(self) -> None:
        old_by_key = {section.key: i for i, section in enumerate(self.prior)}
        for new_index, section in enumerate(self.new):
            old_index = old_by_key.get(section.explicit_key or "")
            if old_index is not None:
                self.pair(new_index, old_index)

    def by_identical_content(self) -> None:
        # Identical empty sections prove nothing; neither does a content shared by several
        # sections unless their headings and parents also agree.
        old_by_hash: dict[str, list[int]] = defaultdict(list)
        for old_index in self.free_old():
            if self.prior[old_index].text:
                old_by_hash[self.prior[old_index].content_hash].append(old_index)
        new_by_hash: dict[str, list[int]] = defaultdict(list)
        for new_index in self.free_new():
            if self.new[new_index].text:
                new_by_hash[self.new[new_index].content_hash].append(new_index)
        for content, new_indexes in new_by_hash.items():
            old_indexes = old_by_hash.get(content, [])
            if len(old_indexes) == 1 and len(new_indexes) == 1:
                self.pair(new_indexes[0], old_indexes[0])
            elif old_indexes:
                self._pair_same_heading(new_indexes, old_indexes)

    def _pair_same_heading(self, new_indexes: list[int], old_indexes: list[int]) -> None:
        places = self._places(old_indexes)
        for new_index in new_indexes:
            self._pair_in_place(new_index, places)

    def by_heading_under_parent(self) -> None:
        places = self._places(self.free_old())
        # Document order: a parent is always matched before its children are looked at.
        for new_index in self.free_new():
            self._pair_in_place(new_index, places)

    def _places(self, old_indexes: list[int]) -> dict[tuple[str, int | None], deque[int]]:
        """Old sections by heading and parent, in document order: a new section looks up its
        own place instead of going through every old section of the same heading (thousands
        of "Toelichting"s made that quadratic)."""
        places: dict[tuple[str, int | None], deque[int]] = defaultdict(deque)
        for old_index in old_indexes:
            heading = _normalised(self.prior[old_index].heading)
            places[heading, self.old_parents[old_index]].append(old_index)
        return places

    def _pair_in_place(
        self, new_index: int, places: dict[tuple[str, int | None], deque[int]]
    ) -> None:
        """Pair with the first old section of the same heading under the same parent."""
        parent = _old_parent_of_new(self.new, self.old_for_new, new_index)
        found = places.get((_normalised(self.new[new_index].heading), parent))
        if found:  # all still free: this is the only pairing with these old sections
            self.pair(new_index, found.popleft())

    def by_similarity(self) -> None:
        candidates = []
        work = WorkBudget(SIMILARITY_WORK)
        for new_index, old_indexes in self._similarity_pairs():
            new_text = _comparable(self.new[new_index])
            for old_index in old_indexes:
                old_text = _comparable(self.prior[old_index])
                score = self._score(new_index, old_index, new_text, old_text, work)
                if score >= SIMILARITY_THRESHOLD:
                    candidates.append((-score, new_index, old_index))
        for _, new_index, old_index in sorted(candidates):
            if new_index not in self.old_for_new and old_index not in self.new_for_old:
                self.pair(new_index, old_index)

    def _similarity_pairs(self) -> Iterator[tuple[int, list[int]]]:
        """Each free new section with the free old sections to compare it with: all of them,
        unless that makes more than EXHAUSTIVE_PAIRS pairs."""
        free_new, free_old = self.free_new(), self.free_old()
        if len(free_new) * len(free_old) <= EXHAUSTIVE_PAIRS:
            yield from ((new_index, free_old) for new_index in free_new)
            return
        likely = _LikelyPredecessors(self.prior, free_old, len(self.new))
        for new_index in free_new:
            yield new_index, likely.of(new_index, self.new[new_index])

    def _score(
        self, new_index: int, old_index: int, new_text: str, old_text: str, work: WorkBudget
    ) -> float:
        if not (self.new[new_index].text and self.prior[old_index].text):
            # A heading alone is weak evidence: "Bijlage A" is not "Bijlage C" renamed.
            same = _normalised(self.new[new_index].heading) == _normalised(
                self.prior[old_index].heading
            )
            return 1.0 if same else 0.0
        if similarity_bound(old_text, new_text) < SIMILARITY_THRESHOLD:
            return 0.0
        return similarity(old_text, new_text, work)


def _comparable(section: PriorSection | ParsedSection) -> str:
    return f"{section.heading}\n{section.text}"


def _words(section: PriorSection | ParsedSection) -> set[str]:
    return set(_WORD.findall(_comparable(section).casefold()))


class _LikelyPredecessors:
    """Which old sections a new one is compared with when comparing all pairs would be too
    many (see NEIGHBOURS): those nearest its place, those with the same heading (the only ones
    that can score when one of the two has no text), and those sharing a rare word."""

    def __init__(self, prior: Sequence[PriorSection], free_old: list[int], new_count: int) -> None:
        self.free_old = free_old
        self.scale = len(prior) / max(new_count, 1)
        self.by_heading: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for old_index in free_old:
            self.by_heading[_normalised(prior[old_index].heading)].append(old_index)
            for word in _words(prior[old_index]):
                self.by_word[word].append(old_index)

    def of(self, new_index: int, section: ParsedSection) -> list[int]:
        place = round(new_index * self.scale)  # where it would stand in the old version
        found = set(_nearest(self.free_old, place, NEIGHBOURS))
        found.update(_nearest(self.by_heading.get(_normalised(section.heading), []), place))
        rare = sorted(
            (len(self.by_word[word]), word)
            for word in _words(section)
            if 0 < len(self.by_word.get(word, ())) <= RARE_POSTINGS
        )
        for _, word in rare[:RARE_WORDS]:
            found.update(self.by_word[word])
        return sorted(found)


def _nearest(indexes: list[int], place: int, count: int = NEIGHBOURS) -> list[int]:
    """The ``count`` indexes nearest ``place`` in a sorted list."""
    at = bisect_left(indexes, place)
    return indexes[max(at - count // 2, 0) : at + count - count // 2]


def _assign_keys(
    prior: Sequence[PriorSection],
    new: Sequence[ParsedSection],
    old_for_new: dict[int, int],
    keys_in_use: set[str],
) -> list[str]:
    """An explicit key wins; a continued section keeps its key; a new one gets a fresh slug."""
    taken = keys_in_use | {s.key for s in prior} | {s.explicit_key for s in new if s.explicit_key}
    keys: list[str | None] = []
    for index, section in enumerate(new):
        if section.explicit_key:
            keys.append(section.explicit_key)
        elif index in old_for_new:
            keys.append(prior[old_for_new[index]].key)
        else:
            keys.append(None)
    next_suffix: dict[str, int] = {}
    for index, section in enumerate(new):
        if keys[index] is None:
            key = _fresh_key(section.heading, taken, next_suffix)
            keys[index] = key
            taken.add(key)
    return [key for key in keys if key is not None]


def _fresh_key(heading: str, taken: set[str], next_suffix: dict[str, int]) -> str:
    """The heading's slug, or else the slug with the first free suffix (-2, -3, ...).
    ``next_suffix`` remembers for each slug where the last search ended: every suffix before
    it is taken, and stays taken, so 50,000 equal headings take linear time, not quadratic."""
    base = slugify(heading)
    if base not in taken:
        return base
    counter = next_suffix.get(base, 2)
    while (key := _suffixed(base, counter)) in taken:
        counter += 1
    next_suffix[base] = counter + 1
    return key


def _suffixed(base: str, counter: int) -> str:
    return f"{base}-{counter}"


def classify(
    prior: Sequence[PriorSection],
    new: Sequence[PlacedSection],
    old_for_new: dict[int, int],
) -> list[ChangeKind]:
    """The change kind of each new section, given which prior section it continues (by index).
    Also used to compare versions further apart, once their sections are aligned."""
    old_parents = _prior_parents(prior)
    same_parent = {
        index: old_index
        for index, old_index in old_for_new.items()
        if old_parents[old_index] == _old_parent_of_new(new, old_for_new, index)
    }
    moved = _out_of_order([(old_parents[o], o) for _, o in sorted(same_parent.items())])
    kinds = []
    for index, section in enumerate(new):
        old_index = old_for_new.get(index)
        if old_index is None:
            kinds.append(ChangeKind.NEW)
            continue
        old = prior[old_index]
        if index not in same_parent or old_index in moved:
            kinds.append(ChangeKind.MOVED)
        elif old.heading != section.heading:
            kinds.append(ChangeKind.RENAMED)
        elif old.content_hash != section.content_hash:
            kinds.append(ChangeKind.EDITED)
        else:
            kinds.append(ChangeKind.UNCHANGED)
    return kinds


_UNMATCHED_PARENT = -1


def _prior_parents(prior: Sequence[PriorSection]) -> list[int | None]:
    """Index of each prior section's parent (None at the top level)."""
    index_by_key = {section.key: i for i, section in enumerate(prior)}
    return [index_by_key[s.parent_key] if s.parent_key is not None else None for s in prior]


def _old_parent_of_new(
    new: Sequence[PlacedSection], old_for_new: dict[int, int], new_index: int
) -> int | None:
    """The prior section that the new section's parent continues: None at the top level, and
    a value no prior section has when the parent is new (or not matched yet)."""
    parent = new[new_index].parent_position
    if parent is None:
        return None
    return old_for_new.get(parent, _UNMATCHED_PARENT)


def _out_of_order(siblings: list[tuple[int | None, int]]) -> set[int]:
    """Previous-version indexes of sections that changed place among siblings that kept their
    parent: everything outside a longest increasing run of old positions, per parent."""
    groups: dict[int | None, list[int]] = defaultdict(list)
    for parent, old_index in siblings:
        groups[parent].append(old_index)
    moved: set[int] = set()
    for old_positions in groups.values():
        kept = set(_longest_increasing(old_positions))
        moved.update(p for p in old_positions if p not in kept)
    return moved


def _longest_increasing(values: list[int]) -> list[int]:
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_index: list[int] = []
    previous: list[int | None] = []
    for index, value in enumerate(values):
        length = bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[length] = value
            tail_index[length] = index
        previous.append(tail_index[length - 1] if length else None)
    run: list[int] = []
    cursor = tail_index[-1] if tail_index else None
    while cursor is not None:
        run.append(values[cursor])
        cursor = previous[cursor]
    return run[::-1]
