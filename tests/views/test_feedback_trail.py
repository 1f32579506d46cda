"""The feedback trail: a section's history says per version how many reactions it got and how
they were decided, and which reactions a version took in there; counted under the reading
rules of the reactions themselves."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from reviewhub.feedback.hints import confirm_hint
from reviewhub.feedback.posting import post_comment
from reviewhub.models import CommentVisibility, Role
from tests.factories import Auth, group_named, reaction, user_with_role
from tests.feedback.test_hints import published, section  # noqa: F401 (a fixture)

HISTORY = "/documents/testdocument/sections/regie/history"


@pytest.fixture
def reviewer(session):
    return user_with_role(session, Role.REVIEWER)


@pytest.fixture
def trail(app, session: Session, published, reviewer):  # noqa: F811
    v1, _v2, made = published
    with app.app_context():
        confirm_hint(session, reviewer, made["suggestion"])
        partner = user_with_role(session, Role.PARTNER)
        post_comment(session, partner, section(session, v1, "regie"),
                     reaction("Intern: nog bespreken.", group=group_named(session),
                              visibility=CommentVisibility.GROUP))  # fmt: skip
    session.commit()
    return made


def test_the_history_counts_reactions_per_version_and_names_what_was_taken_in(client, trail):
    page = client.get(HISTORY).get_data(as_text=True)
    # On V1: the suggestion (now accepted) and the reaction on the whole section; the
    # group-only draft is not counted for an anonymous visitor.
    assert "2 reacties gegeven op deze versie" in page
    assert "Nieuw 1; Overgenomen 1" in page  # in the order of the register's statuses
    assert "Deze versie verwerkte hier 1 reactie:" in page
    assert f'href="/comments/{trail["suggestion"].id}">{trail["suggestion"].reference}</a>' in page
    assert "Op deze versie zijn geen reacties gegeven." in page  # nothing made on V2 yet


def test_the_group_reads_its_own_draft_in_the_count(client, auth: Auth, trail):
    auth.login(Role.PARTNER)
    page = client.get(HISTORY).get_data(as_text=True)
    assert "3 reacties gegeven op deze versie" in page
