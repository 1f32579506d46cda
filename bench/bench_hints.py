"""Incorporation hints on carried reactions: how often ``incorporation_hint`` flags a reaction
"possibly taken in by version N" when it was (recall), and how often a flag is right
(precision), and how fast.

The data has a known truth. Source texts are the real section texts bench_anchoring.py uses
(the plain text of every section of the sample documents in documents/, and of the generated
benchmark document of bench_publish.py; each case draws from either half with equal chance).
A case picks one sentence of a section text and quotes it whole or a part of it (3 to 25
words, occurring once in the text), anchored as the browser does (``anchor_at``). A
*suggestion* also carries proposed wording: the quoted passage rewritten in one of three
ways, its *edit*: a clause inserted (inside the passage or at its end: "in overleg met het
gezin"), a few words replaced, or, on a whole sentence, a sentence added after it. Then the
section's text is edited in one controlled way, the case's *kind*, which fixes the truth:

Suggestions with proposed wording (the wording signal):

1. verbatim: the passage replaced by the proposal as it is: taken in;
2. edited: the passage replaced by the proposal with one or two of its words replaced, added
   or dropped by the author, at least half of the words the proposal adds still there: taken
   in;
3. elsewhere: another sentence of the section edited, the passage left as it was: not taken in;
4. other: the passage rewritten another way than proposed (an edit drawn independently that
   adds less than half of the words the proposal adds; a shared "in" or "de" may remain):
   not taken in;
5. repeats: a proposal that mostly repeats the passage (one word added, or one replaced), and
   another sentence edited: not taken in.

Reactions on a passage without proposed wording (the passage signal):

6. rewritten: words of the passage replaced, a clause inserted inside it, or words dropped,
   so that the quote no longer occurs: taken in;
7. deleted: the passage, or its whole sentence, deleted: taken in;
8. elsewhere: another sentence of the section edited, the passage intact: not taken in;
9. same sentence: one word of the quoted sentence outside the quote replaced: not taken in.

One more kind is reported apart and left out of the overall figures: *extended* (a clause added
at the end of the passage, or a sentence after it, the quoted words intact: taken in). The rule
by its definition looks at the quote only, which changes here only when the added words push
a sign that ended it (a full stop, a comma) away; the row shows how often such a reaction goes
without hint.

Each case is carried as feedback/carrying.py carries it: ``_passage`` (reanchor with the
old anchor's prefix, suffix and start: exact → UNCHANGED, fuzzy → CHANGED, not found →
ORPHANED), then ``incorporation_hint`` on the old and new text with that state. A case is
correct when it is flagged exactly when its truth is "taken in". Precision and recall are
given overall (kinds 1-9) and per signal: a wording hint on kinds 1-5, a passage hint on 6-9.
The time per case is that of the two calls. Kinds 1, 2, 4 and 6 are also broken down by edit,
and kinds 1 and 2 by how much of the proposal the old passage already has (``coverage`` of
the proposal by the old passage): the rule asks that the wording did not already appear in
the old text, by the same measure.

Clauses and sentences come from the short lists below (CLAUSES, SENTENCES), replacing words
from bench_publish.py's vocabulary; the random streams are fixed per kind
(``--seed``). ``--sweep`` runs the wording kinds again for other values of
``hints.WORDING_COVERAGE`` (patched in the module for the run; nothing is changed on disk).
The script always exits 0: it is a report, not a test.

Run it from the project root::

    .venv/bin/python bench/bench_hints.py [--cases 1000] [--seed 2026] [--show 2] [--json PATH]
        [--sweep 0.6,0.7,0.8,0.9]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_anchoring import (
    MIN_TEXT,
    generated_texts,
    join,
    sample_texts,
    sentence_starts,
    span_after,
    unique,
)
from bench_publish import CONTENT_WORDS, DEFAULT_SEED, VOCABULARY, WEIGHTS

from reviewhub.feedback import hints
from reviewhub.feedback.carrying import Place, _passage
from reviewhub.feedback.hints import incorporation_hint
from reviewhub.models import CarryState, HintReason
from reviewhub.text.anchoring import Anchor, anchor_at
from reviewhub.text.words import word_diff

Words = list[str]

# Wording a reviewer might propose, or an author add: clauses that fit inside a sentence
# without commas, and sentences to add after one.
CLAUSES = [
    "in overleg met het gezin",
    "binnen vijf werkdagen",
    "waar mogelijk samen met de ouders",
    "na toestemming van de ouders",
    "zo nodig met hulp van een tolk",
    "ook buiten kantoortijden",
    "in elk geval schriftelijk",
    "met een kopie aan de regiehouder",
    "tenzij de veiligheid van het kind dat niet toelaat",
    "uiterlijk binnen twee weken",
    "in begrijpelijke taal",
    "samen met de betrokken ketenpartners",
    "met aandacht voor de positie van het kind",
    "zonder onnodige vertraging",
    "op een vast moment in de week",
    "met inachtneming van de privacyregels",
    "per gezin",
    "aantoonbaar",
    "in de eigen regio",
    "na afstemming met de gedragswetenschapper",
]
SENTENCES = [
    "Dit geldt ook voor pleeggezinnen.",
    "De regiehouder legt dit vast in het dossier.",
    "Ouders krijgen hiervan binnen een week bericht.",
    "Het team evalueert deze afspraak na drie maanden.",
    "Zo nodig wordt een tolk ingeschakeld.",
    "Het kind wordt hierover in eigen woorden geïnformeerd.",
    "De gemeente stelt hiervoor voldoende middelen beschikbaar.",
    "Bij twijfel wordt de gedragswetenschapper geraadpleegd.",
    "Dit gebeurt in overleg met het gezin.",
    "De afspraken worden schriftelijk bevestigd.",
    "Een gezin kan hierover altijd een klacht indienen.",
    "De inspectie ziet hierop toe.",
    "Het veiligheidsplan wordt hierop aangepast.",
    "Ketenpartners worden hierover tijdig geïnformeerd.",
    "Uitzonderingen worden met redenen vastgelegd.",
]
MIN_SENTENCE = 5  # words: a shorter sentence leaves no room for a part of it
MAX_QUOTE = 25  # words
WHOLE_SENTENCE = 0.35  # share of quotes that are a whole sentence
_TRAILING = re.compile(r"^(.*?)(\W*)$")
_END = re.compile(r"[.!?:;]$")
WORD = re.compile(r"\w+")


# ---------------------------------------------------------------------------------------------
# Words: a text as words (plain text has single spaces), sentences as word ranges.


def sentences_of(words: Words) -> list[tuple[int, int]]:
    starts = sentence_starts(words)
    return list(pairwise(starts))


def split_signs(word: str) -> tuple[str, str]:
    """A word and the signs after it: ``"vast."`` → ``("vast", ".")``."""
    found = _TRAILING.match(word)
    assert found is not None  # the pattern matches any string
    return found.group(1), found.group(2)


def capital_as(old: str, new: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def like(old: str, new: str) -> str:
    """``new`` in the place of the word ``old``: its capital and trailing signs kept."""
    return capital_as(old, new) + split_signs(old)[1]


def bare(word: str) -> str:
    return split_signs(word)[0].lower()


def other_word(rng: Random, *avoid: str) -> str:
    """A content word that is none of ``avoid``."""
    avoided = {bare(word) for word in avoid}
    while True:
        word = rng.choice(CONTENT_WORDS)
        if word not in avoided:
            return word


def fresh_word(rng: Random) -> str:
    return rng.choices(VOCABULARY, WEIGHTS)[0]


# ---------------------------------------------------------------------------------------------
# Rewriting a passage (a proposal, or the author's rewrite) and editing text elsewhere.


def clause_inside(rng: Random, passage: Words) -> Words:
    at = rng.randint(1, len(passage) - 1)
    return [*passage[:at], *rng.choice(CLAUSES).split(), *passage[at:]]


def clause_at_end(rng: Random, passage: Words) -> Words:
    """A clause after the passage's last word, before a sentence's closing sign."""
    core, signs = split_signs(passage[-1])
    clause = rng.choice(CLAUSES).split()
    clause[-1] += signs
    return [*passage[:-1], core, *clause] if core else [*passage, *clause]


def words_replaced(rng: Random, passage: Words) -> Words:
    """One to three running words replaced by as many, one fewer or one more."""
    count = rng.randint(1, min(3, len(passage) - 1))
    at = rng.randrange(len(passage) - count + 1)
    old = passage[at : at + count]
    new = [other_word(rng, *old) for _ in range(max(1, count + rng.choice([-1, 0, 0, 1])))]
    new[0] = capital_as(old[0], new[0])
    new[-1] += split_signs(old[-1])[1]
    return [*passage[:at], *new, *passage[at + count :]]


def words_dropped(rng: Random, passage: Words) -> Words:
    """One to three running words dropped (at least two words left)."""
    count = rng.randint(1, min(3, len(passage) - 2))
    at = rng.randrange(len(passage) - count + 1)
    kept = [*passage[:at], *passage[at + count :]]
    if at == 0:
        kept[0] = capital_as(passage[0], kept[0])
    if at + count == len(passage):  # the closing sign stays
        kept[-1] = split_signs(kept[-1])[0] + split_signs(passage[-1])[1]
    return kept


def sentence_added(rng: Random, passage: Words) -> Words:
    return [*passage, *rng.choice(SENTENCES).split()]


Rewrite = Callable[[Random, Words], Words]
PROPOSALS: dict[str, Rewrite] = {
    "clause inside": clause_inside,
    "clause at end": clause_at_end,
    "words replaced": words_replaced,
    "sentence added": sentence_added,
}
PASSAGE_REWRITES: dict[str, Rewrite] = {
    "clause inside": clause_inside,
    "words replaced": words_replaced,
    "words dropped": words_dropped,
}
EXTENSIONS: dict[str, Rewrite] = {"clause at end": clause_at_end, "sentence added": sentence_added}


def draw(
    rng: Random, choices: dict[str, Rewrite], passage: Words, whole: bool
) -> tuple[str, Words]:
    """An edit of ``passage`` drawn from ``choices`` (adding a sentence only after a whole
    sentence), and its name."""
    names = [name for name in choices if whole or name != "sentence added"]
    name = rng.choice(names)
    return name, choices[name](rng, passage)


def small_edit(rng: Random, words: Words) -> Words:
    """One or two of ``words`` replaced, added or dropped (as an author touches a proposal)."""
    words = list(words)
    for _ in range(rng.randint(1, 2)):
        action = rng.choice(["replace", "add", "drop"] if len(words) > 3 else ["replace", "add"])
        at = rng.randrange(len(words))
        if action == "replace":
            words[at] = like(words[at], other_word(rng, words[at]))
        elif action == "add":
            words.insert(rng.randint(1, len(words)), fresh_word(rng))
        elif at == len(words) - 1:  # the last word: its closing sign stays
            words[at - 1 :] = [split_signs(words[at - 1])[0] + split_signs(words[at])[1]]
        else:
            del words[at]
            if at == 0:
                words[0] = words[0][:1].upper() + words[0][1:]
    return words


def added(passage: Words, rewritten: Words) -> Counter[str]:
    """The words ``rewritten`` has in place of or besides those of ``passage``."""
    old, new = [bare(w) for w in passage], [bare(w) for w in rewritten]
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    return Counter(w for op, _, _, j1, j2 in opcodes if op != "equal" for w in new[j1:j2])


def kept_change(passage: Words, proposal: Words, result: Words) -> float:
    """The share of the words a proposal adds to the passage that ``result`` adds as well."""
    proposed = added(passage, proposal)
    return (proposed & added(passage, result)).total() / proposed.total() if proposed else 0.0


def edit_sentence(rng: Random, words: Words, sentence: tuple[int, int]) -> Words:
    """The text's words with one sentence edited: one or two words replaced, inserted or
    deleted, or a clause inserted."""
    first, last = sentence
    part = words[first:last]
    for _ in range(rng.randint(1, 2)):
        action = rng.choice(["replace", "insert", "delete", "clause"] if len(part) > 2 else
                            ["replace", "insert"])  # fmt: skip
        if action == "replace":
            at = rng.randrange(len(part))
            part[at] = like(part[at], other_word(rng, part[at]))
        elif action == "insert":
            at = rng.randint(1, len(part))
            part[at:at] = [fresh_word(rng) for _ in range(rng.randint(1, 2))]
        elif action == "delete":  # a word inside: the first and last carry capital and sign
            del part[rng.randint(1, len(part) - 2)]
        else:
            part = clause_inside(rng, part)
    return [*words[:first], *part, *words[last:]]


# ---------------------------------------------------------------------------------------------
# Cases.


@dataclass(frozen=True)
class Case:
    kind: str
    old_text: str
    anchor: Anchor
    proposed: str | None
    new_text: str
    truth: bool  # taken in
    edit: str  # how the proposal or the passage was rewritten, where the kind breaks it down


@dataclass(frozen=True)
class Quote:
    """A case's quote: ``first``-``last`` words within the sentence ``sentence`` of ``words``."""

    text: str
    words: Words
    sentence: tuple[int, int]
    first: int
    last: int

    @property
    def passage(self) -> Words:
        return self.words[self.first : self.last]

    @property
    def whole(self) -> bool:
        return (self.first, self.last) == self.sentence

    @property
    def anchor(self) -> Anchor:
        start, end = span_after(self.words[: self.first], self.passage)
        return anchor_at(self.text, start, end)

    def others(self) -> list[tuple[int, int]]:
        """The text's other sentences."""
        return [s for s in sentences_of(self.words) if s != self.sentence]

    def replaced(self, passage: Words) -> str:
        """The text with the passage replaced by ``passage``."""
        return join(self.words[: self.first], passage, self.words[self.last :])


def pick_quote(rng: Random, text: str, part_only: bool = False) -> Quote | None:
    """A quote of one sentence or part of one, occurring once in the text; None if the drawn
    text has no fitting sentence."""
    words = text.split(" ")
    sentences = [s for s in sentences_of(words) if s[1] - s[0] >= MIN_SENTENCE]
    if not sentences:
        return None
    first, last = rng.choice(sentences)
    length = last - first
    if not part_only and length <= MAX_QUOTE and rng.random() < WHOLE_SENTENCE:
        quote = Quote(text, words, (first, last), first, last)
    else:
        drawn = rng.randint(*rng.choice([(3, 5), (6, 12), (13, MAX_QUOTE)]))
        count = max(3, min(drawn, length - 1))
        start = rng.randint(first, last - count)
        quote = Quote(text, words, (first, last), start, start + count)
    return quote if unique(text, quote.anchor.exact) else None


def case(quote: Quote, kind: str, new_text: str, truth: bool, proposal: Words | None = None,
         edit: str = "") -> Case | None:  # fmt: skip
    """The case, or None if degenerate: the text unchanged, or a proposal that already
    occurs in the old text as it is."""
    proposed = join(proposal) if proposal is not None else None
    if new_text == quote.text or (proposed is not None and proposed in quote.text):
        return None
    return Case(kind, quote.text, quote.anchor, proposed, new_text, truth, edit)


def wording_verbatim(rng: Random, quote: Quote) -> Case | None:
    edit, proposal = draw(rng, PROPOSALS, quote.passage, quote.whole)
    return case(quote, "wording_verbatim", quote.replaced(proposal), True, proposal, edit)


def wording_edited(rng: Random, quote: Quote) -> Case | None:
    edit, proposal = draw(rng, PROPOSALS, quote.passage, quote.whole)
    taken = small_edit(rng, proposal)
    if taken in (proposal, quote.passage) or kept_change(quote.passage, proposal, taken) < 0.5:
        return None  # the proposed change itself must be mostly there
    return case(quote, "wording_edited", quote.replaced(taken), True, proposal, edit)


def wording_elsewhere(rng: Random, quote: Quote) -> Case | None:
    edit, proposal = draw(rng, PROPOSALS, quote.passage, quote.whole)
    if not quote.others():
        return None
    new_words = edit_sentence(rng, quote.words, rng.choice(quote.others()))
    return case(quote, "wording_elsewhere", join(new_words), False, proposal, edit)


def wording_other(rng: Random, quote: Quote) -> Case | None:
    edit, proposal = draw(rng, PROPOSALS, quote.passage, quote.whole)
    _, rewritten = draw(rng, PROPOSALS, quote.passage, quote.whole)
    if kept_change(quote.passage, proposal, rewritten) >= 0.5:
        return None  # not the proposed change, though it may share a word or two
    return case(quote, "wording_other", quote.replaced(rewritten), False, proposal, edit)


def wording_repeats(rng: Random, quote: Quote) -> Case | None:
    passage = list(quote.passage)
    if rng.random() < 0.7:
        edit = "one word added"
        passage.insert(rng.randint(1, len(passage) - 1), fresh_word(rng))
    else:
        edit = "one word replaced"
        at = rng.randrange(len(passage))
        passage[at] = like(passage[at], other_word(rng, passage[at]))
    if not quote.others():
        return None
    new_words = edit_sentence(rng, quote.words, rng.choice(quote.others()))
    return case(quote, "wording_repeats", join(new_words), False, passage, edit)


def passage_rewritten(rng: Random, quote: Quote) -> Case | None:
    edit, rewritten = draw(rng, PASSAGE_REWRITES, quote.passage, quote.whole)
    new_text = quote.replaced(rewritten)
    if quote.anchor.exact in new_text:
        return None
    return case(quote, "passage_rewritten", new_text, True, edit=edit)


def passage_deleted(rng: Random, quote: Quote) -> Case | None:
    if quote.whole or rng.random() < 0.5:
        edit, (first, last) = "sentence deleted", quote.sentence
    else:
        edit, (first, last) = "quote deleted", (quote.first, quote.last)
    new_words = [*quote.words[:first], *quote.words[last:]]
    if edit == "quote deleted":  # the sentence keeps its capital and closing sign
        if first == quote.sentence[0] and first < len(new_words):
            new_words[first] = capital_as(quote.words[first], new_words[first])
        if last == quote.sentence[1] and first > 0:
            new_words[first - 1] = (
                split_signs(new_words[first - 1])[0] + split_signs(quote.words[last - 1])[1]
            )
    new_text = join(new_words)
    if quote.anchor.exact in new_text:
        return None
    return case(quote, "passage_deleted", new_text, True, edit=edit)


def passage_elsewhere(rng: Random, quote: Quote) -> Case | None:
    if not quote.others():
        return None
    new_words = edit_sentence(rng, quote.words, rng.choice(quote.others()))
    return case(quote, "passage_elsewhere", join(new_words), False)


def passage_same_sentence(rng: Random, quote: Quote) -> Case | None:
    first, last = quote.sentence
    outside = [*range(first, quote.first), *range(quote.last, last)]
    if not outside:
        return None
    at = rng.choice(outside)
    new_words = list(quote.words)
    new_words[at] = like(new_words[at], other_word(rng, new_words[at]))
    return case(quote, "passage_same_sentence", join(new_words), False)


def passage_extended(rng: Random, quote: Quote) -> Case | None:
    edit, extended = draw(rng, EXTENSIONS, quote.passage, quote.whole)
    return case(quote, "passage_extended", quote.replaced(extended), True, edit=edit)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    signal: str  # "wording" or "passage"
    truth: bool
    make: Callable[[Random, Quote], Case | None]
    part_only: bool = False  # quotes never a whole sentence


KINDS = (
    Kind("wording_verbatim", "1 wording: taken in verbatim", "wording", True, wording_verbatim),
    Kind("wording_edited", "2 wording: taken in, author edited", "wording", True, wording_edited),
    Kind("wording_elsewhere", "3 wording: edited elsewhere", "wording", False, wording_elsewhere),
    Kind("wording_other", "4 wording: rewritten otherwise", "wording", False, wording_other),
    Kind("wording_repeats", "5 wording: repeats text", "wording", False, wording_repeats),
    Kind("passage_rewritten", "6 passage: rewritten", "passage", True, passage_rewritten),
    Kind("passage_deleted", "7 passage: deleted", "passage", True, passage_deleted),
    Kind("passage_elsewhere", "8 passage: edited elsewhere", "passage", False, passage_elsewhere),
    Kind("passage_same_sentence", "9 passage: same sentence", "passage", False,
         passage_same_sentence, part_only=True),
)  # fmt: skip
EXTRA_KINDS = (
    Kind("passage_extended", "(extra) passage: extended", "passage", True, passage_extended),
)
BY_EDIT = ("wording_verbatim", "wording_edited", "wording_other", "passage_rewritten")


def make_cases(kind: Kind, count: int, seed: int, texts: list[tuple[str, ...]]) -> list[Case]:
    """``count`` cases of a kind, each from a text drawn from one of ``texts`` (groups drawn
    with equal chance). Each kind has a random stream of its own."""
    rng = Random(f"{seed}:{kind.name}")
    cases: list[Case] = []
    for _ in range(50 * count):
        if len(cases) == count:
            break
        quote = pick_quote(rng, rng.choice(rng.choice(texts)), kind.part_only)
        made = kind.make(rng, quote) if quote is not None else None
        if made is not None:
            cases.append(made)
    return cases


# ---------------------------------------------------------------------------------------------
# Running and scoring.


@dataclass
class Outcome:
    case: Case
    state: CarryState
    hint: HintReason | None
    ms: float

    @property
    def flagged(self) -> bool:
        return self.hint is not None

    @property
    def correct(self) -> bool:
        return self.flagged == self.case.truth


def run_case(case: Case) -> Outcome:
    """The case carried as carrying._carried carries a reaction on a passage."""
    anchor = case.anchor
    place = Place(0, 0, anchor.exact, anchor.start, anchor.end, proposed=case.proposed)
    began = time.perf_counter()
    found = _passage(place, case.old_text, case.new_text, same_text=False)
    state, start, end = found["state"], found.get("quote_start"), found.get("quote_end")
    assert isinstance(state, CarryState)
    span = (start, end) if isinstance(start, int) and isinstance(end, int) else None
    hint = incorporation_hint(case.old_text, case.new_text, case.proposed, state, anchor.exact,
                              span)  # fmt: skip
    return Outcome(case, state, hint, (time.perf_counter() - began) * 1000)


@dataclass
class Row:
    kind: Kind
    outcomes: list[Outcome]

    def count(self, test: Callable[[Outcome], bool]) -> int:
        return sum(1 for o in self.outcomes if test(o))

    def summary(self) -> dict[str, Any]:
        times = [o.ms for o in self.outcomes] or [0.0]
        return {
            "kind": self.kind.name,
            "label": self.kind.label,
            "truth": self.kind.truth,
            "cases": len(self.outcomes),
            "flagged": self.count(lambda o: o.flagged),
            "correct": self.count(lambda o: o.correct),
            "states": dict(Counter(o.state.value for o in self.outcomes)),
            "mean_ms": statistics.fmean(times),
            "max_ms": max(times),
        }


@dataclass(frozen=True)
class Score:
    name: str
    flagged: int
    right: int  # flagged and taken in
    taken_in: int
    found: int  # taken in and flagged

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else float("nan")

    @property
    def recall(self) -> float:
        return self.found / self.taken_in if self.taken_in else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "flagged": self.flagged, "right": self.right,
                "taken_in": self.taken_in, "found": self.found,
                "precision": self.precision, "recall": self.recall}  # fmt: skip


def score(name: str, outcomes: list[Outcome]) -> Score:
    flagged = [o for o in outcomes if o.flagged]
    taken_in = [o for o in outcomes if o.case.truth]
    return Score(name, len(flagged), sum(o.case.truth for o in flagged), len(taken_in),
                 sum(o.flagged for o in taken_in))  # fmt: skip


def scores(rows: list[Row]) -> list[Score]:
    """Per signal (a wording hint on the wording kinds, a passage hint on the others) and
    overall. No wording case can get a passage hint, nor the reverse."""
    of = {signal: [o for r in rows if r.kind.signal == signal for o in r.outcomes]
          for signal in ("wording", "passage")}  # fmt: skip
    everything = [o for r in rows for o in r.outcomes]
    return [score("wording", of["wording"]), score("passage", of["passage"]),
            score("overall", everything)]  # fmt: skip


def breakdown(rows: list[Row], key: Callable[[Outcome], str]) -> list[tuple[str, str, int, int]]:
    """(kind, group, cases, flagged) per group of ``key`` within each row."""
    found: list[tuple[str, str, int, int]] = []
    for row in rows:
        groups: dict[str, list[Outcome]] = {}
        for outcome in row.outcomes:
            groups.setdefault(key(outcome), []).append(outcome)
        for group in sorted(groups):
            flagged = sum(o.flagged for o in groups[group])
            found.append((row.kind.label, group, len(groups[group]), flagged))
    return found


def kept_share(outcome: Outcome) -> str:
    """How much of the proposal the old passage already has, in bands."""
    assert outcome.case.proposed is not None
    kept = coverage(outcome.case.proposed, outcome.case.anchor.exact)
    if kept < 0.5:
        return "a: under 0.50"
    return "b: 0.50 to 0.75" if kept < 0.75 else "c: 0.75 or more"


def coverage(wording: str, passage: str) -> float:
    """The share of ``wording``'s words that ``passage`` has, in the same order."""
    words = WORD.findall(wording)
    kept = sum(len(WORD.findall(part)) for op, part in word_diff(wording, passage) if op == 0)
    return kept / len(words) if words else 0.0


# ---------------------------------------------------------------------------------------------
# Printing.

HEADER = (
    f"{'kind':<36} {'truth':>5} {'cases':>6} {'flagged':>7} {'correct':>7} {'share':>7} "
    f"{'mean ms':>8} {'max ms':>7}"
)


def row_line(summary: dict[str, Any]) -> str:
    share = summary["correct"] / summary["cases"] if summary["cases"] else float("nan")
    return (
        f"{summary['label']:<36} {'yes' if summary['truth'] else 'no':>5} {summary['cases']:>6} "
        f"{summary['flagged']:>7} {summary['correct']:>7} {100 * share:>6.1f}% "
        f"{summary['mean_ms']:>8.2f} {summary['max_ms']:>7.2f}"
    )


def print_scores(title: str, found: list[Score]) -> None:
    print(f"\n{title}")
    print(f"{'signal':<8} {'flagged':>7} {'right':>6} {'taken in':>8} {'found':>6} "
          f"{'precision':>9} {'recall':>7}")  # fmt: skip
    for s in found:
        print(f"{s.name:<8} {s.flagged:>7} {s.right:>6} {s.taken_in:>8} {s.found:>6} "
              f"{s.precision:>9.3f} {s.recall:>7.3f}")  # fmt: skip


def print_breakdown(title: str, found: list[tuple[str, str, int, int]]) -> None:
    print(f"\n{title}\n{'kind':<36} {'':<24} {'cases':>6} {'flagged':>7}")
    for label, group, cases, flagged in found:
        print(f"{label:<36} {group:<24} {cases:>6} {flagged:>7}")


def describe(outcome: Outcome) -> str:
    case = outcome.case
    lines = [f"[{case.kind}{', ' + case.edit if case.edit else ''}] state {outcome.state.value}, "
             f"hint {outcome.hint.value if outcome.hint else None}, truth "
             f"{'taken in' if case.truth else 'not taken in'}",
             f"    quote:    {case.anchor.exact!r}"]  # fmt: skip
    if case.proposed is not None:
        lines.append(f"    proposed: {case.proposed!r}")
    lines.append(f"    new text: {changed_part(case.old_text, case.new_text)!r}")
    return "\n".join(lines)


def changed_part(old: str, new: str) -> str:
    """The new text from a few words before its first difference to a few after its last."""
    head = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))  # fmt: skip
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, new.rfind(" ", 0, max(0, head - 40)))
    end = new.find(" ", len(new) - tail + 40)
    return (
        ("…" if start else "")
        + new[start : end if end != -1 else len(new)].strip()
        + ("…" if end != -1 else "")
    )


@contextmanager
def change_share(value: float) -> Iterator[None]:
    """hints.CHANGE_SHARE set to ``value`` for the block (read per call)."""
    kept = hints.CHANGE_SHARE
    hints.CHANGE_SHARE = value
    try:
        yield
    finally:
        hints.CHANGE_SHARE = kept


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1000, help="cases per kind")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--show", type=int, default=2, help="wrong outcomes to print per kind")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--sweep",
        type=lambda text: [float(part) for part in text.split(",") if part],
        default=[],
        help="also run the wording kinds with these CHANGE_SHARE values (e.g. 0.3,0.7)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = [sample_texts(), generated_texts(args.seed)]
    print(
        f"ReviewHub incorporation-hint benchmark: seed {args.seed}; {len(texts[0])} sample and "
        f"{len(texts[1])} generated section texts of at least {MIN_TEXT} characters; "
        f"CHANGE_SHARE {hints.CHANGE_SHARE}"
    )
    began = time.perf_counter()
    made = {k.name: make_cases(k, args.cases, args.seed, texts) for k in (*KINDS, *EXTRA_KINDS)}
    rows = [Row(k, [run_case(c) for c in made[k.name]]) for k in KINDS]
    extra = [Row(k, [run_case(c) for c in made[k.name]]) for k in EXTRA_KINDS]
    summaries = [row.summary() for row in rows + extra]
    print(f"\n{HEADER}\n{'-' * len(HEADER)}")
    for summary in summaries[: len(rows)]:
        print(row_line(summary))
    print("-" * len(HEADER))
    for summary in summaries[len(rows) :]:
        print(row_line(summary) + "  (not in the figures below)")
    found = scores(rows)
    print_scores("Precision and recall (kinds 1-9):", found)
    all_ms = [o.ms for row in rows for o in row.outcomes] or [0.0]
    print(f"\nTime per case: mean {statistics.fmean(all_ms):.2f} ms, worst {max(all_ms):.2f} ms")
    edits = breakdown([r for r in rows + extra if r.kind.name in BY_EDIT or r in extra],
                      lambda o: o.case.edit)  # fmt: skip
    print_breakdown("By edit (of the proposal; for kind 6 and extra, of the passage):", edits)
    shares = breakdown(rows[:2], kept_share)
    print_breakdown("Kinds 1-2 by how much of the proposal the old passage has:", shares)
    sweep: list[dict[str, Any]] = []
    wording_cases = [(k, made[k.name]) for k in KINDS if k.signal == "wording"]
    for value in args.sweep:
        with change_share(value):
            swept = [Row(k, [run_case(c) for c in cases]) for k, cases in wording_cases]
        result = score("wording", [o for r in swept for o in r.outcomes])
        sweep.append({"change_share": value, **result.as_dict(),
                      "flagged_per_kind": {r.kind.name: r.count(lambda o: o.flagged)
                                           for r in swept}})  # fmt: skip
    if sweep:
        print("\nCHANGE_SHARE sweep (kinds 1-5, flagged per kind 1..5):")
        for entry in sweep:
            per_kind = " ".join(f"{n:>4}" for n in entry["flagged_per_kind"].values())
            print(f"  {entry['change_share']:.2f}: precision {entry['precision']:.3f}, "
                  f"recall {entry['recall']:.3f}; flagged {per_kind}")  # fmt: skip
    print(f"\n{sum(len(r.outcomes) for r in rows + extra)} cases in "
          f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    for row in rows + extra:
        for outcome in [o for o in row.outcomes if not o.correct][: args.show]:
            print(describe(outcome))
    if args.json:
        data = {
            "seed": args.seed,
            "cases_per_kind": args.cases,
            "change_share": hints.CHANGE_SHARE,
            "kinds": summaries,
            "scores": [s.as_dict() for s in found],
            "by_edit": [dict(zip(("kind", "edit", "cases", "flagged"), e, strict=True))
                        for e in edits],
            "by_kept_share": [dict(zip(("kind", "share", "cases", "flagged"), e, strict=True))
                              for e in shares],
            "mean_ms": statistics.fmean(all_ms),
            "worst_ms": max(all_ms),
            "sweep": sweep,
        }  # fmt: skip
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
