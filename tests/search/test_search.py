"""Searching (reviewhub.search), on both databases: a phrase in a section and in a reaction
is found, the hits come grouped by document and version with the words marked and the rest
escaped, filters narrow them, nobody finds what they may not read, the index follows every
change, any input is words, and a page costs the same number of statements whatever it
finds."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from reviewhub import search as search_wing
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import delete_comment, edit_comment, post_comment
from reviewhub.models import (
    Comment,
    CommentVisibility,
    Role,
    User,
    VersionStatus,
    Visibility,
)
from reviewhub.search import Kind, search
from tests.factories import (
    SAMPLE_SLUG,
    group_named,
    make_document,
    make_user,
    publish,
    reaction,
    sample_section,
)

pytestmark = pytest.mark.usefixtures("app_context")

WORD = "olifantenpaadje"  # in no sample text
OPEN_UNTIL = date(2099, 1, 1)


def marked(snippet: str) -> list[str]:
    """The words in ``<mark>``: SQLite marks a phrase whole, PostgreSQL word by word (and
    every word of it, in the phrase or not)."""
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def post(session: Session, author: User, body: str, **fields: Any) -> Comment:
    section = sample_section(session)
    group = fields.pop("group", None) or group_named(session)
    return post_comment(session, author, section, reaction(body, group=group, **fields))


@contextmanager
def statements(session: Session) -> Any:
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_phrase_is_found_in_a_section_and_in_a_reaction(session, people):
    post(session, people[Role.PARTNER], f"Graag een gedeelde taal voor het {WORD}.")
    session.flush()
    results = search(session, people[Role.READER], '"gedeelde taal"')
    sections = [hit for hit in results.hits if hit.kind is Kind.SECTION]
    reactions = [hit for hit in results.hits if hit.kind is Kind.REACTION]
    assert sections and len(reactions) == 1
    assert all(hit.document.slug == SAMPLE_SLUG for hit in results.hits)
    assert {"gedeelde", "taal"} <= set(" ".join(marked(sections[0].snippet)).split())
    assert reactions[0].comment is not None and WORD in reactions[0].comment.body
    assert reactions[0].section is not None and reactions[0].section.key == "veiligheid"


def test_words_need_not_stand_together_but_a_phrase_does(session, people):
    post(session, people[Role.PARTNER], f"Het {WORD} loopt langs de taal van de regio.")
    session.flush()
    reader = people[Role.READER]
    assert search(session, reader, f"regio {WORD}").total == 1
    assert search(session, reader, f'"regio {WORD}"').total == 0


def test_hits_come_grouped_by_document_then_version_newest_first(session, people):
    results = search(session, people[Role.READER], "handelingskader", per_page=500)
    assert results.documents[0].document.slug == SAMPLE_SLUG
    first = results.documents[0]
    assert [hit.kind for hit in first.hits] == [Kind.DOCUMENT]
    numbers = [part.version.number for part in first.versions]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 1
    for part in first.versions:
        positions = [hit.section.position for hit in part.hits if hit.kind is Kind.SECTION]
        assert positions == sorted(positions)
    assert results.total == len(results.hits)


def test_the_snippet_is_escaped_and_only_matches_are_marked(session, people):
    body = f"<script>alert(1)</script> {WORD} \ue000nep\ue001 & \ue001<b>vet</b>"
    post(session, people[Role.PARTNER], body)
    session.flush()
    [hit] = search(session, people[Role.READER], WORD).hits
    assert f"<mark>{WORD}</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") == 1


def test_filters_by_kind_and_by_version(session, people):
    post(session, people[Role.PARTNER], f"Over de veiligheid en het {WORD}.")
    session.flush()
    reader, version = people[Role.READER], sample_section(session).version
    everything = search(session, reader, "veiligheid", per_page=500)
    assert {hit.kind for hit in everything.hits} >= {Kind.SECTION, Kind.REACTION}
    only_reactions = search(session, reader, "veiligheid", kinds=[Kind.REACTION], per_page=500)
    assert {hit.kind for hit in only_reactions.hits} == {Kind.REACTION}
    in_version = search(session, reader, "veiligheid", version=version, per_page=500)
    assert {hit.version.id for hit in in_version.hits if hit.version} == {version.id}
    assert in_version.total < everything.total
    assert all(hit.kind is not Kind.DOCUMENT for hit in in_version.hits)


def test_pages_split_the_hits_in_order(session, people):
    reader = people[Role.READER]
    whole = [
        (h.kind, h.document.id, id(h))
        for h in search(session, reader, "veiligheid", per_page=500).hits
    ]
    first = search(session, reader, "veiligheid", per_page=5)
    second = search(session, reader, "veiligheid", per_page=5, page=2)
    assert first.pages == -(-first.total // 5) and len(first.hits) == 5
    assert [hit.kind for hit in first.hits + second.hits] == [kind for kind, *_ in whole[:10]]
    assert search(session, reader, "veiligheid", page=10_000).hits == []


# Who finds what ------------------------------------------------------------------------------


def test_a_hidden_reaction_is_found_by_moderators_only_and_a_deleted_one_by_nobody(session, people):
    hidden = post(session, people[Role.PARTNER], f"Verborgen {WORD}")
    hide_comment(session, people[Role.REVIEWER], hidden, "Beledigend")
    gone = post(session, people[Role.PARTNER], f"Verwijderd {WORD}")
    delete_comment(session, people[Role.PARTNER], gone)
    session.flush()
    assert search(session, people[Role.PARTNER], WORD).total == 0
    assert search(session, people[Role.READER], WORD).total == 0
    [found] = search(session, people[Role.REVIEWER], WORD).hits
    assert found.comment is not None and found.comment.id == hidden.id


def test_a_reaction_for_another_group_only_is_not_found(session, people):
    other = group_named(session, "Regio Noord-Holland Noord")
    member = make_user(session, "noord@example.org", Role.PARTNER, other)
    post(session, member, f"Alleen voor ons: {WORD}", group=other,
         visibility=CommentVisibility.GROUP)  # fmt: skip
    session.flush()
    assert search(session, people[Role.PARTNER], WORD).total == 0
    assert search(session, None, WORD).total == 0
    assert search(session, member, WORD).total == 1
    assert search(session, people[Role.REVIEWER], WORD).total == 1


def test_a_draft_is_found_only_by_who_may_publish_it(session, people):
    document = make_document(session, "zoekdocument", "Zoekdocument")
    document.owner = people[Role.AUTHOR]
    publish(session, document, f"# Inleiding\n\nHet {WORD} als concept.\n",
            status=VersionStatus.DRAFT)  # fmt: skip
    session.flush()
    assert search(session, people[Role.PARTNER], WORD).total == 0
    assert search(session, people[Role.REVIEWER], WORD).total == 0
    assert [hit.kind for hit in search(session, people[Role.AUTHOR], WORD).hits] == [Kind.SECTION]


def test_a_restricted_document_is_found_by_its_groups_only(session, people):
    other = group_named(session, "Regio Noord-Holland Noord")
    member = make_user(session, "noord@example.org", Role.PARTNER, other)
    document = make_document(session, "besloten", f"Besloten {WORD}")
    document.visibility, document.groups = Visibility.RESTRICTED, [other]
    publish(
        session,
        document,
        f"# Inleiding\n\nOver het {WORD}.\n",
        status=VersionStatus.OPEN,
        closes_on=OPEN_UNTIL,
    )
    session.flush()
    assert search(session, people[Role.PARTNER], WORD).total == 0
    assert search(session, None, WORD).total == 0
    assert {hit.kind for hit in search(session, member, WORD).hits} == {Kind.DOCUMENT,
                                                                      Kind.SECTION}  # fmt: skip


# Kept up to date ----------------------------------------------------------------------------


def test_an_edit_is_found_by_its_new_words_only(session, people):
    comment = post(session, people[Role.PARTNER], f"Eerst over het {WORD}.")
    session.flush()
    edit_comment(session, people[Role.PARTNER], comment, "Nu over de jeugdbeschermingstafel.", None)
    session.flush()
    reader = people[Role.READER]
    assert search(session, reader, WORD).total == 0
    assert search(session, reader, "jeugdbeschermingstafel").total == 1


def test_a_removed_reaction_and_version_are_no_longer_found(session, people):
    comment = post(session, people[Role.PARTNER], f"Weg ermee: {WORD}")
    document = make_document(session, "zoekdocument", "Zoekdocument")
    version = publish(
        session,
        document,
        f"# Een\n\n{WORD} twee.\n",
        status=VersionStatus.OPEN,
        closes_on=OPEN_UNTIL,
    )
    session.flush()
    assert search(session, people[Role.READER], WORD).total == 2
    session.execute(delete(Comment).where(Comment.id == comment.id))
    session.delete(version)
    session.flush()
    assert search(session, people[Role.READER], WORD).total == 0


def test_a_published_version_is_found_at_once_with_its_label_and_summary(session, people):
    document = make_document(session, "zoekdocument", "Zoekdocument")
    publish(session, document, "# Een\n\nTekst.\n", status=VersionStatus.OPEN, closes_on=OPEN_UNTIL,
            label="Dialoogversie Paasei", summary=f"Nieuw: het {WORD}.")  # fmt: skip
    session.flush()
    [hit] = search(session, people[Role.READER], WORD).hits
    assert hit.kind is Kind.VERSION and f"<mark>{WORD}</mark>" in hit.snippet
    assert search(session, people[Role.READER], "paasei").hits[0].kind is Kind.VERSION


# Any input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ['"', '""', '"veiligheid', "veiligheid*", "NEAR(veiligheid regie)", "AND", "OR NOT",
     "veiligheid AND OR", "body:veiligheid", "-veiligheid", "a\x00b", "x" * 2000,
     "woord " * 400, "!!! ... ???", "'; DROP TABLE comments; --", "de het een", "(", "^*"],
)  # fmt: skip
def test_any_input_is_words_never_an_error(session, people, typed):
    results = search(session, people[Role.PARTNER], typed)
    assert results.total >= 0


def test_operators_are_searched_as_words(session, people):
    post(session, people[Role.PARTNER], f"Zoek NEAR of AND bij het {WORD}.")
    session.flush()
    assert search(session, people[Role.READER], f"NEAR( {WORD} AND").total == 1
    assert search(session, people[Role.READER], f"{WORD} NOT").total == 0


def test_punctuation_alone_searches_nothing(session, people):
    results = search(session, people[Role.PARTNER], "?!-*")
    assert results.terms.empty and results.total == 0 and results.hits == []


def test_accents_and_case_do_not_matter(session, people):
    post(session, people[Role.PARTNER], f"Eén gezin en het {WORD.upper()}.")
    session.flush()
    assert search(session, people[Role.READER], f"een {WORD}").total == 1


# What it costs ------------------------------------------------------------------------------


def test_a_page_costs_the_same_statements_whatever_it_finds(session, people):
    partner, reader = people[Role.PARTNER], people[Role.READER]
    post(session, partner, f"Een {WORD} en veiligheid.")
    session.flush()
    search(session, reader, "veiligheid")  # the viewer's memberships are loaded once
    with statements(session) as few:
        small = search(session, reader, WORD)
    for number in range(30):
        post(session, partner, f"Nog een {WORD} ({number}).")
    session.flush()
    with statements(session) as many:
        large = search(session, reader, WORD)
    assert small.total == 1 and large.total == 31
    assert len(many) == len(few)


def test_words_the_dutch_configuration_drops_are_still_found(session, people):
    # "meer" and "andere" are both Dutch stop words: PostgreSQL's text search keeps none of
    # them, so such a search is matched as text instead (SQLite drops no word).
    post(session, people[Role.PARTNER], f"Er zijn meer andere {WORD}s.")
    session.flush()
    results = search(session, people[Role.READER], '"meer andere"', kinds=[Kind.REACTION])
    [hit] = results.hits
    assert marked(hit.snippet) in (["meer andere"], ["meer", "andere"])


def test_a_phrase_is_its_words_side_by_side_on_both_databases(session, people):
    # PostgreSQL leaves the stop word "andere" out of its phrase query; the phrase still
    # has to stand in the text (a line break or a comma between its words is no matter).
    post(session, people[Role.PARTNER], f"Zonder extra capaciteit, geen {WORD}.")
    post(session, people[Role.PARTNER], f"Meer mensen,\nandere capaciteit voor het {WORD}.")
    session.flush()

    def found(text: str) -> int:
        return len(search(session, people[Role.READER], text, kinds=[Kind.REACTION]).hits)

    assert (found('"andere capaciteit"'), found('"extra capaciteit"'), found("capaciteit")) == (
        1, 1, 2,
    )  # fmt: skip
    assert found('"mensen andere"') == 1  # across a comma and a line break


def test_past_the_count_limit_the_hits_are_more_than_it(session, people, monkeypatch):
    monkeypatch.setattr(search_wing, "COUNT_LIMIT", 2)
    for n in range(3):
        post(session, people[Role.PARTNER], f"Nummer {n} over het {WORD}.")
    session.flush()
    results = search(session, people[Role.READER], WORD, kinds=[Kind.REACTION])
    assert (results.total, results.more, results.pages) == (2, True, 1)
