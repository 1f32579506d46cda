"""Every write of a reaction gives its version a new feedback revision, in the same
transaction, whichever function writes it: what pages keep is keyed by that value."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewhub.feedback import revisions
from reviewhub.feedback.moderation import approve_comment, hide_comment, restore_comment
from reviewhub.feedback.posting import delete_comment, edit_comment, post_comment
from reviewhub.models import Comment, Role, Section, User, Version
from tests.factories import group_named, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


def revision(session: Session, version_id: int) -> int:
    return session.scalar(select(Version.feedback_revision).where(Version.id == version_id))


def test_each_write_of_a_reaction_gives_a_new_revision(session, people):
    section = sample_section(session)
    partner, reviewer = people[Role.PARTNER], people[Role.REVIEWER]
    seen = [revision(session, section.version_id)]

    def written() -> None:
        session.commit()
        now = revision(session, section.version_id)
        assert now not in seen, "a write that kept the revision"
        seen.append(now)

    comment = post_comment(session, partner, section, reaction(group=group_named(session)))
    written()
    edit_comment(session, partner, comment, "Anders gezegd.", None)
    written()
    post_comment(session, reviewer, section, reaction("Dank.", kind=None), comment)
    written()
    hide_comment(session, reviewer, comment, "Persoonsgegevens")
    written()
    restore_comment(session, reviewer, comment)
    written()
    delete_comment(session, partner, comment)
    written()


def test_an_approval_gives_a_new_revision(session, people):
    section = sample_section(session)
    comment = post_comment(
        session, people[Role.PARTNER], section, reaction(group=group_named(session))
    )
    comment.state = comment.state.PENDING
    session.commit()
    before = revision(session, section.version_id)
    approve_comment(session, people[Role.REVIEWER], comment)
    session.commit()
    assert revision(session, section.version_id) != before


def test_other_versions_keep_theirs(session, people):
    section = sample_section(session, number=3)
    other = sample_section(session, number=2)
    before = revision(session, other.version_id)
    post_comment(session, people[Role.PARTNER], section, reaction(group=group_named(session)))
    session.commit()
    assert revision(session, other.version_id) == before


def test_a_rolled_back_write_leaves_the_revision_as_it_was(session, people):
    section = sample_section(session)
    before = revision(session, section.version_id)
    post_comment(session, people[Role.PARTNER], section, reaction(group=group_named(session)))
    session.flush()
    assert revision(session, section.version_id) != before
    session.rollback()
    assert revision(session, section.version_id) == before


def test_bulk_writes_say_so_with_bump(session, people):
    """An insert past the ORM's flush (bench data, an import) names its versions itself."""
    section: Section = sample_section(session)
    partner: User = people[Role.PARTNER]
    before = revision(session, section.version_id)
    session.execute(
        insert(Comment),
        [{"section_id": section.id, "version_id": section.version_id, "author_id": partner.id,
          "body": "Bulk.", "client_token": "bulk-1"}],
    )  # fmt: skip
    assert revision(session, section.version_id) == before
    revisions.bump(session, [section.version_id])
    assert revision(session, section.version_id) != before
