"""What a person typed into the search box, as words and phrases: never query syntax.

Whatever the text holds (quotes, ``*``, ``NEAR(``, ``AND``/``OR``/``NOT``, ``:``, ``-``, a NUL
character, 2,000 characters or only punctuation), it is read the same way: a part between
double quotes is a phrase, the rest are words, and a word is a run of letters and digits.
Every other character separates words. The databases then get only those words, joined by
their own operators ("and", "followed by"), so no input can be a syntax error there."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY = 500  # characters a search takes (the box, the API); parse keeps MAX_TERMS words
MAX_TERMS = 20  # words in all, phrases' words included; the rest is left out (and said so)
MAX_WORD = 100  # characters: a longer "word" is no word (and PostgreSQL indexes none that long)
WORD = re.compile(r"[^\W_]+")  # letters and digits: FTS5's unicode61 separates at the rest
QUOTES = str.maketrans(dict.fromkeys("„“”″«»", '"'))  # Dutch „…” and the like


@dataclass(frozen=True)
class Terms:
    """The words and phrases of a search: a match has every one of them."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # each two words or more, in this order
    shortened: bool = False  # more than MAX_TERMS words were typed
    # Only stop words for PostgreSQL's Dutch configuration ("meer andere", "niet"): matched
    # as text instead, which that configuration would drop (fulltext.only_stop_words).
    literal: bool = False

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def tsquery(self) -> str:
        """PostgreSQL's ``to_tsquery`` text: words joined by ``&``, a phrase's by ``<->``.
        Each word is letters and digits only, so it can be no operator."""
        parts = [*self.words, *("(" + " <-> ".join(phrase) + ")" for phrase in self.phrases)]
        return " & ".join(parts)

    def pieces(self) -> list[str]:
        """Each word, and each phrase as its words with a space between."""
        return [*self.words, *(" ".join(phrase) for phrase in self.phrases)]

    def fts5(self) -> str:
        """SQLite's FTS5 query: every word and phrase a quoted string (never a keyword such
        as AND or NEAR), side by side, which FTS5 reads as "all of them"."""
        return " ".join(f'"{part}"' for part in self.pieces())


def _words(text: str) -> list[str]:
    """Lower case, as both databases compare them."""
    return [word.lower() for word in WORD.findall(text) if len(word) <= MAX_WORD]


def parse(text: str) -> Terms:
    """The words and phrases of ``text`` (see the module's docstring), at most MAX_TERMS
    words in all: the first ones."""
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    room = MAX_TERMS
    # Split at the quotes: the odd pieces were between two of them. A quote left open
    # starts no phrase: its piece is words.
    pieces = text.split('"')
    for index, piece in enumerate(pieces):
        found = _words(piece)
        quoted = index % 2 == 1 and index < len(pieces) - 1
        taken, room = found[:room], room - min(room, len(found))
        if quoted and len(taken) > 1:
            phrases.append(tuple(taken))
        else:
            words.extend(taken)
    total = sum(len(_words(piece)) for piece in pieces)
    return Terms(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(phrases)), total > MAX_TERMS)
