"""Passage anchors: the same cases the browser's annotate.js is tested against."""

import json

import pytest

from reviewhub.text.anchoring import AnchorError, anchor_at, locate
from reviewhub.text.sections import plain_text
from tests.factories import DATA

CASES = json.loads((DATA / "anchoring_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_anchor_from_positions_in_the_plain_text(case):
    text = plain_text(case["html"])
    assert text == case["text"]
    anchor = anchor_at(text, case["start"], case["end"])
    assert {"exact": anchor.exact, "prefix": anchor.prefix, "suffix": anchor.suffix} == case[
        "expected"
    ]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_locating_the_quote_finds_the_same_place(case):
    e = case["expected"]
    anchor = locate(case["text"], e["exact"], e["prefix"], e["suffix"])
    assert (anchor.start, anchor.end) == (case["start"], case["end"])


def test_repeated_words_are_told_apart_by_their_context():
    text = "Het plan is klaar. Daarna volgt het plan van aanpak. Het plan blijft."
    second = locate(text, "het plan", prefix="Daarna volgt ", suffix=" van aanpak")
    assert second.start == text.index("het plan van")
    near = locate(text.lower(), "het plan", start=50)
    assert near.start == text.lower().rindex("het plan")


def test_pasted_quotes_may_differ_in_whitespace():
    anchor = locate("Een lange zin met spaties.", "lange\n  zin")
    assert anchor.exact == "lange zin" and anchor.start == 4


@pytest.mark.parametrize(
    ("quote", "message"),
    [
        ("staat niet in de tekst", "does not occur"),
        ("   ", "Choose the passage"),
        ("x" * 2001, "at most"),
    ],
)
def test_quotes_that_cannot_be_anchored_are_refused(quote, message):
    with pytest.raises(AnchorError, match=message):
        locate("De veiligheid van het kind staat voorop.", quote)


def test_positions_outside_the_text_are_refused():
    with pytest.raises(AnchorError):
        anchor_at("kort", 2, 10)
