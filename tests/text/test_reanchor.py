"""Re-anchoring a passage in a new version of its section (anchoring.reanchor): one example per
kind of edit, the edge cases, properties (hypothesis), and bench/bench_anchoring.py run small."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import bench_anchoring
from reviewhub.text import anchoring
from reviewhub.text.anchoring import Anchor, AnchorFound, Reanchored, anchor_at, reanchor

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TEXT = (
    "Het veiligheidsteam bespreekt elke melding binnen vijf werkdagen. De regiehouder stelt "
    "samen met het gezin een veiligheidsplan op en legt de afspraken schriftelijk vast. Bij "
    "acute onveiligheid schakelt het team direct Veilig Thuis in. Na drie maanden evalueert "
    "het team het plan met alle betrokken partners."
)
QUOTE = "stelt samen met het gezin een veiligheidsplan op"
SENTENCE = (
    "De regiehouder stelt samen met het gezin een veiligheidsplan op en legt de afspraken "
    "schriftelijk vast."
)


def anchor_of(text: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return anchor_at(text, start, start + len(quote))


def again(new_text: str, anchor: Anchor) -> Reanchored:
    return reanchor(new_text, anchor.exact, anchor.prefix, anchor.suffix, anchor.start)


def span(result: Reanchored) -> tuple[int | None, int | None]:
    return result.start, result.end


# --- One example per kind of edit --------------------------------------------------------------


def test_an_intact_passage_is_found_where_its_context_moved_it():
    new = "Dit is nieuw. " + TEXT.replace("De regiehouder", "Voortaan de casusregisseur").replace(
        "op en legt", "op en daarna legt"
    )
    result = again(new, anchor_of(TEXT, QUOTE))
    assert result.found is AnchorFound.EXACT and result.similarity == 1.0
    assert span(result) == (new.index(QUOTE), new.index(QUOTE) + len(QUOTE))


def test_a_passage_with_changed_words_is_found_in_its_new_wording():
    wording = "stelt samen met de ouders een veiligheidsplan op"
    new = TEXT.replace(QUOTE, wording)
    result = again(new, anchor_of(TEXT, QUOTE))
    assert result.found is AnchorFound.FUZZY
    assert result.anchor is not None and result.anchor.exact == wording
    assert 0.7 < result.similarity < 1


@pytest.mark.parametrize(
    ("old_word", "new_word"),
    [("stelt", "maakt"), ("op", "vast"), ("samen met het gezin", "met het gezin")],
)
def test_a_changed_first_or_last_word_still_belongs_to_the_passage(old_word, new_word):
    wording = QUOTE.replace(old_word, new_word, 1) if old_word != "op" else QUOTE[:-2] + new_word
    result = again(TEXT.replace(QUOTE, wording), anchor_of(TEXT, QUOTE))
    assert result.found is AnchorFound.FUZZY
    assert result.anchor is not None and result.anchor.exact == wording


def test_a_moved_passage_is_found_at_its_new_place():
    new = TEXT.replace(SENTENCE + " ", "") + " " + SENTENCE
    result = again(new, anchor_of(TEXT, SENTENCE))
    assert result.found is AnchorFound.EXACT
    assert span(result) == (new.index(SENTENCE), len(new))


def test_the_same_phrase_added_elsewhere_loses_to_the_original():
    copy = "Ook de gedragswetenschapper " + QUOTE + " wanneer dat nodig is. "
    new = copy + TEXT
    result = again(new, anchor_of(TEXT, QUOTE))
    assert result.found is AnchorFound.EXACT
    assert result.start == new.index(QUOTE, len(copy))


@pytest.mark.parametrize(
    "new",
    [
        TEXT.replace(SENTENCE + " ", ""),
        TEXT.replace(QUOTE + " ", ""),
        TEXT.replace(SENTENCE + " Bij acute", "Bij zeer acute"),  # and a word added by the cut
    ],
)
def test_a_deleted_passage_is_orphaned(new):
    assert again(new, anchor_of(TEXT, QUOTE)).found is AnchorFound.ORPHAN


# --- Harder cases --------------------------------------------------------------------------------


def test_a_changed_passage_whose_context_changed_too_is_found_near_its_old_place():
    wording = "stelt samen met het gezin een passend veiligheidsplan op"
    new = TEXT.replace("De regiehouder " + QUOTE + " en legt", "Daarna " + wording + " dan legt")
    result = again(new, anchor_of(TEXT, QUOTE))
    assert result.found is AnchorFound.FUZZY
    assert result.anchor is not None and result.anchor.exact == wording


def test_a_moved_and_changed_sentence_is_found_by_its_words():
    changed = SENTENCE.replace("schriftelijk", "altijd schriftelijk")
    far = " ".join(f"Punt {n} gaat over iets anders." for n in range(30))  # out of bitap's reach
    new = TEXT.replace(SENTENCE + " ", "") + " " + far + " " + changed
    result = again(new, anchor_of(TEXT, SENTENCE))
    assert result.found is AnchorFound.FUZZY
    assert result.anchor is not None and result.anchor.exact == changed


def test_a_short_changed_phrase_is_orphaned_rather_than_anchored_on_a_lookalike():
    old = "De Raad voor de Kinderbescherming onderzoekt de zaak. De Raad kan de rechter vragen."
    new = "De Kinderbescherming onderzoekt de zaak. De Raad kan de rechter vragen."
    assert again(new, anchor_of(old, "Raad voor de")).found is AnchorFound.ORPHAN


def test_without_context_or_position_only_a_long_quote_is_found_changed():
    assert reanchor(TEXT, QUOTE).start == TEXT.index(QUOTE)
    wording = QUOTE.replace("het gezin", "de ouders")
    result = reanchor(TEXT.replace(QUOTE, wording), QUOTE)
    assert result.found is AnchorFound.FUZZY and result.start == TEXT.index(QUOTE)
    short = "een veiligheidsplan op en legt"  # five words: too few to be sure without context
    changed = TEXT.replace(short, "een plan op en legt")
    assert reanchor(changed, short).found is AnchorFound.ORPHAN
    assert again(changed, anchor_of(TEXT, short)).found is AnchorFound.FUZZY


# --- Edge cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "quote"), [("", "plan"), ("", ""), (TEXT, ""), (TEXT, " \n\t ")])
def test_an_empty_text_or_quote_gives_an_orphan(text, quote):
    assert reanchor(text, quote, "voor ", " na", 3) == Reanchored(AnchorFound.ORPHAN)


def test_a_quote_longer_than_the_text():
    assert reanchor("Kort.", TEXT).found is AnchorFound.ORPHAN
    shortened = TEXT.replace(" direct", "")
    result = reanchor(shortened, TEXT, "", "", 0)
    assert result.found is AnchorFound.FUZZY and span(result) == (0, len(shortened))


def test_quotes_of_one_or_two_characters_are_only_found_exactly():
    text = "De wet en de regels: de regiehouder kiest."
    second = anchor_of(text, "de", 1)
    assert again(text, second).start == second.start
    assert again(text.replace("en de regels", "en het beleid"), second).start != second.start
    assert reanchor(text, "x").found is AnchorFound.ORPHAN
    assert reanchor(text, "xq", "De wet en ", " regels", 11).found is AnchorFound.ORPHAN


def test_a_quote_occurring_many_times_is_told_apart_by_its_context():
    text = " ".join(f"Stap {n}: het plan wordt besproken." for n in range(2000))
    target = anchor_of(text, "het plan", 1234)
    began = time.perf_counter()
    result = reanchor(text, target.exact, target.prefix, target.suffix, None)
    assert time.perf_counter() - began < 1.0
    assert result.start == target.start


def test_white_space_in_a_quote_does_not_matter():
    result = reanchor(TEXT, "stelt  samen\nmet het\t gezin ")
    assert result.found is AnchorFound.EXACT and result.start == TEXT.index("stelt samen")


def long_text(size: int) -> str:
    sentences = (
        f"In week {n} bespreekt team {n % 7} de voortgang van plan {n * 3} met het gezin."
        for n in range(size)
    )
    text = ""
    for sentence in sentences:
        if len(text) >= size:
            return text
        text += (" " if text else "") + sentence
    return text


def test_a_fifty_kilobyte_text_with_the_quote_near_its_end():
    text = long_text(50_000)
    quote = text[-200:-100].split(" ", 1)[1].rsplit(" ", 1)[0]
    anchor = anchor_of(text, quote)
    changed = anchor.exact.replace("bespreekt", "evalueert", 1)
    new = text[: anchor.start] + changed + text[anchor.end :]
    began = time.perf_counter()
    exact, fuzzy = again(text, anchor), again(new, anchor)
    assert time.perf_counter() - began < 1.0
    assert exact.found is AnchorFound.EXACT and exact.start == anchor.start
    assert fuzzy.found is AnchorFound.FUZZY and span(fuzzy) == (anchor.start, anchor.end)


def test_a_quote_of_two_thousand_characters_with_two_words_changed():
    text = long_text(10_000)
    start = text.index("In week 40 ")
    end = text.rindex(" ", start, start + anchoring.MAX_QUOTE_LENGTH)
    anchor = anchor_at(text, start, end)
    changed = anchor.exact.replace("plan 129", "project 129").replace("team 4", "groep 4", 1)
    assert changed.count("project") == 1 and changed.count("groep") == 1
    new = text[:start] + changed + text[end:]
    result = again(new, anchor)
    assert result.found is AnchorFound.FUZZY and result.similarity > 0.99
    assert span(result) == (start, start + len(changed))


def test_re_anchoring_needs_no_application(monkeypatch):
    """No message is ever made (lazy_gettext needs Flask-Babel's app), whatever it finds."""

    def no_messages(*args: object, **kwargs: object) -> str:
        raise AssertionError("a message was made")

    monkeypatch.setattr(anchoring, "lazy_gettext", no_messages)
    for new in (TEXT, TEXT.replace("het gezin", "de ouders"), "", "Iets heel anders."):
        again(new, anchor_of(TEXT, QUOTE))
    reanchor(TEXT, "x" * 3000)


# --- Properties ----------------------------------------------------------------------------------

# Few words, so that phrases repeat.
WORDS = ["de", "het", "plan", "regio", "team", "gezin", "van", "en", "kind", "neemt", "besluit"]
word_lists = st.lists(st.sampled_from([*WORDS, "De", "plan.", "regio,"]), min_size=1, max_size=80)


@st.composite
def quoted_texts(draw: st.DrawFn) -> tuple[str, int, int]:
    """A plain text and a passage in it, from one word to another."""
    words = draw(word_lists)
    first = draw(st.integers(0, len(words) - 1))
    last = draw(st.integers(first + 1, len(words)))
    start = len(" ".join(words[:first])) + (1 if first else 0)
    return " ".join(words), start, start + len(" ".join(words[first:last]))


@PROPERTY
@given(quoted_texts())
def test_a_quote_in_an_unchanged_text_is_found_exactly_at_its_own_place(case):
    text, start, end = case
    anchor = anchor_at(text, start, end)
    assert again(text, anchor) == Reanchored(AnchorFound.EXACT, anchor, 1.0)


edits = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete"]), st.integers(0, 79), st.sampled_from(WORDS)
    ),
    max_size=6,
)


def edited(text: str, changes: list[tuple[str, int, str]]) -> str:
    words = text.split(" ")
    for action, at, word in changes:
        at = at % (len(words) + 1)
        if action == "insert":
            words.insert(at, word)
        elif words and at < len(words):
            words[at : at + 1] = [word] if action == "replace" else []
    return " ".join(words)


def assert_valid(result: Reanchored, new_text: str, quote: str) -> None:
    if result.found is AnchorFound.ORPHAN:
        assert result.anchor is None
        return
    assert result.start is not None and result.end is not None
    assert 0 <= result.start < result.end <= len(new_text)
    assert result.anchor == anchor_at(new_text, result.start, result.end)
    if result.found is AnchorFound.EXACT:
        assert result.anchor.exact == " ".join(quote.split())


@PROPERTY
@given(quoted_texts(), edits)
def test_a_quote_found_in_an_edited_text_is_a_span_of_it(case, changes):
    text, start, end = case
    anchor = anchor_at(text, start, end)
    new_text = edited(text, changes)
    assert_valid(again(new_text, anchor), new_text, anchor.exact)


@PROPERTY
@given(st.text(max_size=300), st.text(max_size=60), st.text(max_size=40), st.text(max_size=40),
       st.none() | st.integers(-100, 400))  # fmt: skip
def test_any_input_gives_an_orphan_or_a_span_of_the_text(text, quote, prefix, suffix, start):
    assert_valid(reanchor(text, quote, prefix, suffix, start), text, quote)


# --- The benchmark, run small --------------------------------------------------------------------


@pytest.mark.parametrize("kind", bench_anchoring.KINDS)
def test_the_benchmark_cases_come_out_right(kind):
    seed = 7
    texts = [bench_anchoring.sample_texts(), bench_anchoring.generated_texts(seed)]
    cases = bench_anchoring.make_cases(kind, 100, seed, texts)
    assert len(cases) == 100
    for case in cases:  # the generator's truth: the passage, or nothing, in the new text
        if case.truth is None:
            assert case.anchor.exact not in case.new_text
        elif kind != "inside":
            assert case.new_text[slice(*case.truth)] == case.anchor.exact
    outcomes = bench_anchoring.run_cases(cases)
    assert sum(outcome.correct for outcome in outcomes) >= 99
