"""Reading what was typed as words and phrases (reviewhub.search.terms): no input is query
syntax, whatever it holds."""

from __future__ import annotations

import pytest

from reviewhub.search.terms import MAX_TERMS, Terms, parse


def test_words_and_a_phrase_between_quotes():
    terms = parse('veiligheid "samen beslissen" regie')
    assert terms == Terms(("veiligheid", "regie"), (("samen", "beslissen"),))
    assert terms.tsquery() == "veiligheid & regie & (samen <-> beslissen)"
    assert terms.fts5() == '"veiligheid" "regie" "samen beslissen"'


def test_dutch_quotes_make_a_phrase_and_an_open_quote_makes_none():
    assert parse("„gedeelde taal”").phrases == (("gedeelde", "taal"),)
    assert parse('"gedeelde taal').words == ("gedeelde", "taal")


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("NEAR(a b)", ("near", "a", "b")),
        ("a AND b OR NOT c", ("a", "and", "b", "or", "not", "c")),
        ("body:regie -kind*", ("body", "regie", "kind")),
        ("rol_van\x00de^regie", ("rol", "van", "de", "regie")),
        ("!!! ??? ... ---", ()),
        ("e\u0301e\u0301n", ("één",)),  # the accents typed as combining marks
    ],
)
def test_operators_and_punctuation_are_separators(typed, words):
    assert parse(typed).words == words


def test_a_long_text_is_cut_to_its_first_words_and_says_so():
    terms = parse(" ".join(f"woord{n}" for n in range(1000)) + " " + "x" * 2000)
    assert len(terms.words) == MAX_TERMS and terms.shortened
    assert not parse("een paar woorden").shortened


def test_a_word_repeated_is_searched_once():
    assert parse("regie Regie regie").words == ("regie",)
