"""Finding reactions by a piece of text (reviewhub.feedback.textsearch), on both databases:
the index (FTS5 trigrams on SQLite, pg_trgm on PostgreSQL) must find what a plain "contains,
whatever the case" finds, follow edits and deletions, and take any input as text."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reviewhub.feedback.posting import edit_comment, post_comment
from reviewhub.feedback.textsearch import contains_text
from reviewhub.models import Comment, Role, User
from tests.factories import group_named, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")

BODIES = [
    "Het Veiligheidsplan moet eerder worden opgesteld.",
    "Graag 100% duidelijkheid over de rol_van de regie.",
    'Wat betekent "samen beslissen" hier?',
    "Geen opmerkingen: AND OR NEAR(x y) * ^ zijn gewoon tekens.",
    "Kort.",
]


def found(session: Session, text: str) -> list[str]:
    query = select(Comment.body).where(contains_text(text)).order_by(Comment.id)
    return list(session.scalars(query))


def by_hand(session: Session, text: str) -> list[str]:
    """What "contains, whatever the case" gives, read in Python."""
    rows = session.execute(select(Comment.body, Comment.reference).order_by(Comment.id))
    needle = text.lower()
    return [body for body, ref in rows if needle in body.lower() or needle in (ref or "").lower()]


@pytest.fixture
def posted(session: Session, people: dict[Role, User]) -> list[Comment]:
    section, group = sample_section(session), group_named(session)
    partner = people[Role.PARTNER]
    return [post_comment(session, partner, section, reaction(b, group=group)) for b in BODIES]


@pytest.mark.parametrize(
    "text",
    ["veiligheid", "VEILIGHEIDSPLAN", "plan moet", "100%", "%", "rol_van", "_", '"samen',
     'beslissen" hier', "AND OR", "NEAR(x", "* ^", "ort", "t.", "k", "zzz", "   x"],
)  # fmt: skip
def test_the_index_finds_what_contains_finds(session, posted, text):
    assert found(session, text) == by_hand(session, text)


def test_a_reference_is_found_in_any_case(session, posted):
    reference = posted[2].reference
    assert reference is not None
    assert found(session, reference.lower()) == [BODIES[2]]


def test_an_edit_is_found_by_its_new_words_only(session, people, posted):
    edit_comment(session, people[Role.PARTNER], posted[4], "Nu over de jeugdbescherming.", None)
    session.flush()
    assert found(session, "jeugdbescherming") == ["Nu over de jeugdbescherming."]
    assert found(session, "Kort.") == []


def test_a_removed_reaction_is_no_longer_found(session, posted):
    session.execute(delete(Comment).where(Comment.id == posted[0].id))
    assert found(session, "veiligheid") == []
    assert found(session, "regie") == [BODIES[1]]


def test_statements_with_different_texts_do_not_share_values(session, posted):
    """The condition is compiled once and cached: each use must bind its own text."""
    assert found(session, "regie") == [BODIES[1]]
    assert found(session, "beslissen") == [BODIES[2]]
