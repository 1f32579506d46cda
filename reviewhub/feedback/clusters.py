"""Near-duplicate reactions: several regions sending the same point, lightly reworded.

A reaction becomes a set of features (its content words, lightly stemmed, and the pairs of
neighbouring content words); two reactions on the same section are near-duplicates when the
Jaccard similarity of their sets reaches a threshold, and near-duplicates chain into clusters
(union-find). Nothing is stored: the clusters are computed when asked for.

Comparing every pair would be quadratic, so candidate pairs come from *prefix filtering*
(Bayardo et al., "Scaling up all pairs similarity search", 2007): with the features of each set
ordered from rare to common, two sets whose Jaccard similarity reaches ``t`` must share one of
the first ``n - ceil(t * n) + 1`` features of each. Those prefixes hold the rare features, so
few pairs share one; only those pairs are compared exactly (a smaller set's indexed prefix can
be shorter still: ``n - ceil(2t/(1+t) * n) + 1``). Two caps bound the work whatever the texts:
each feature's list is read from its latest ``MAX_POSTINGS`` entries, and a set is compared
with at most ``MAX_CANDIDATES`` others, those sharing the most prefix features first. A link
lost to a cap is usually made by another member of the cluster (union-find chains them).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, pairwise

from sqlalchemy import select

from ..dbtypes import DbSession
from ..models import Comment, Version

DEFAULT_THRESHOLD = 0.5  # chosen with bench/bench_clusters.py: see bench/README.md
MAX_POSTINGS = 100  # the most sets one feature's prefix list is searched through
MAX_CANDIDATES = 8  # the most sets one set is compared with

Item = tuple[int, int, str]  # (comment id, section id, text)

_WORD = re.compile(r"[^\W_]+")

# Words that carry no point: Dutch (and a few English) function words, and the courtesy
# around a reaction ("Beste reviewgroep, ... Met vriendelijke groet, regio Noord").
_STOPWORDS = frozenset([
    "aan", "al", "alle", "als", "also", "and", "are", "at", "be", "bij", "but", "by", "dan",
    "dat", "de", "deze", "die", "dit", "doen", "door", "dus", "een", "eens", "en", "er", "for",
    "geen", "het", "hier", "hij", "hoe", "hun", "ik", "in", "is", "je", "kan", "kunnen", "maar",
    "me", "meer", "met", "mij", "moet", "moeten", "na", "naar", "niet", "nog", "nu", "of", "om",
    "on", "ons", "onze", "ook", "op", "or", "over", "te", "ten", "the", "they", "this", "to",
    "tot", "u", "uit", "uw", "van", "veel", "voor", "waar", "wat", "we", "wel", "werd", "wij",
    "wordt", "worden", "zal", "ze", "zich", "zij", "zijn", "zo", "zou", "zouden", "beste",
    "geachte", "hallo", "dag", "goedemorgen", "goedemiddag", "groet", "groeten", "vriendelijke",
    "hartelijke", "hartelijk", "namens", "mvg", "dank", "bedankt", "alvast", "graag", "regio",
    "team", "collega", "collegas", "reviewgroep", "hierbij", "willen",
])  # fmt: skip
# Endings stripped so that "gezinnen"/"gezin", "veilige"/"veilig", "plannen"/"plan" meet.
_ENDINGS = ("heden", "ingen", "ende", "en", "es", "e", "s")


def normalise(text: str) -> list[str]:
    """The content words of ``text``: lower case, accents and punctuation gone, function and
    courtesy words dropped, a few Dutch endings stripped."""
    plain = text.casefold()
    if not plain.isascii():  # "reïntegratie" and "reintegratie" are one word
        folded = unicodedata.normalize("NFKD", plain)
        plain = "".join(char for char in folded if not unicodedata.combining(char))
    return [_stem(word) for word in _WORD.findall(plain) if word not in _STOPWORDS]


@lru_cache(maxsize=65536)  # a version's reactions use a few thousand words, again and again
def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if len(word) - len(ending) >= 3 and word.endswith(ending):
            stem = word[: -len(ending)]
            # Dutch doubles a consonant before an ending: "gezinnen" is "gezin" + "en".
            return stem[:-1] if stem[-1] == stem[-2] and stem[-1] not in "aeiou" else stem
    return word


def features(text: str) -> frozenset[str]:
    """What a text is compared by: its content words and each pair of neighbouring ones.
    Words survive a reordered clause; pairs keep two texts that merely share a vocabulary
    apart."""
    words = normalise(text)
    pairs = (f"{first} {second}" for first, second in pairwise(words))
    return frozenset([*words, *pairs])


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first and not second:
        return 1.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def cluster_texts(items: Iterable[Item], threshold: float = DEFAULT_THRESHOLD) -> dict[int, int]:
    """Comment id → cluster id (the smallest comment id in it) for every reaction that is a
    near-duplicate of another on the same section; reactions without one are left out."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    by_section: defaultdict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for comment_id, section_id, text in items:
        found = features(text)
        if found:  # a text of courtesy alone makes no point to share
            by_section[section_id].append((comment_id, found))
    clusters: dict[int, int] = {}
    for section_items in by_section.values():
        clusters.update(_clusters(section_items, threshold))
    return clusters


def _clusters(items: Sequence[tuple[int, frozenset[str]]], threshold: float) -> dict[int, int]:
    parent = {comment_id: comment_id for comment_id, _ in items}
    for first, second in _similar_pairs(items, threshold):
        _union(parent, first, second)
    members: defaultdict[int, list[int]] = defaultdict(list)
    for comment_id in parent:
        members[_find(parent, comment_id)].append(comment_id)
    return {
        comment_id: min(group)
        for group in members.values()
        if len(group) > 1
        for comment_id in group
    }


def _similar_pairs(
    items: Sequence[tuple[int, frozenset[str]]], threshold: float
) -> Iterable[tuple[int, int]]:
    """The pairs of ``items`` whose Jaccard similarity reaches ``threshold`` (prefix filter)."""
    frequency = Counter(feature for _, found in items for feature in found)
    by_size = sorted(items, key=lambda item: len(item[1]))  # shorter sets are indexed first
    index: defaultdict[str, list[int]] = defaultdict(list)  # feature → positions in by_size
    for position, (comment_id, found) in enumerate(by_size):
        size = len(found)
        # Features a similar set shares with this one: a larger set, at least t·n of them
        # (this set's probe prefix); a smaller one, 2t/(1+t)·n (its indexed prefix).
        needed = math.ceil(threshold * size)
        needed_by_larger = math.ceil(2 * threshold / (1 + threshold) * size)
        # A feature no other reaction has cannot be shared: leaving those out keeps the
        # filter exact and its prefix short (typos, names and rare words are the rarest).
        shareable = sorted(
            sorted([feature for feature in found if frequency[feature] > 1]),
            key=frequency.__getitem__,
        )  # rarest first; between equally rare ones, in a fixed order
        if len(shareable) < needed:
            continue
        for other in _candidates(index, shareable[: len(shareable) - needed + 1]):
            other_id, other_found = by_size[other]
            if len(other_found) >= needed and jaccard(found, other_found) >= threshold:
                yield other_id, comment_id
        for feature in shareable[: len(shareable) - needed_by_larger + 1]:
            index[feature].append(position)


def _candidates(index: dict[str, list[int]], prefix: Sequence[str]) -> list[int]:
    """The earlier sets that share a feature of ``prefix``: at most MAX_CANDIDATES of them,
    those sharing the most first (near-duplicates share many features, so they lead), each
    feature's list read from its latest MAX_POSTINGS entries."""
    hits = Counter(
        chain.from_iterable(
            index[feature][-MAX_POSTINGS:] for feature in prefix if feature in index
        )
    )
    return [other for other, _ in hits.most_common(MAX_CANDIDATES)]


def _find(parent: dict[int, int], node: int) -> int:
    while parent[node] != node:
        parent[node] = parent[parent[node]]  # halve the path as we go
        node = parent[node]
    return node


def _union(parent: dict[int, int], first: int, second: int) -> None:
    root_first, root_second = _find(parent, first), _find(parent, second)
    if root_first != root_second:
        parent[max(root_first, root_second)] = min(root_first, root_second)


def near_duplicates(
    session: DbSession, version: Version, threshold: float = DEFAULT_THRESHOLD
) -> dict[int, int]:
    """The near-duplicate clusters among ``version``'s top-level reactions that are still
    there: comment id → cluster id (its smallest comment id), for clusters of two or more."""
    rows = session.execute(
        select(Comment.id, Comment.section_id, Comment.body).where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.deleted_at.is_(None),
        )
    )
    return cluster_texts(((row.id, row.section_id, row.body) for row in rows), threshold)
