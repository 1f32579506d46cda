"""A group's position (reviewhub.feedback.positions): its coordinator composes it from the
members' reactions, keeps it in preparation, sends it as the group's reaction and sends it
again as a second edition, both kept; whatever is refused stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.feedback.positions import (
    Draft,
    PositionError,
    edition_diff,
    merged_text,
    overview,
    position_of,
    save_position,
    send_position,
)
from reviewhub.feedback.posting import post_comment
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentVisibility,
    GroupPosition,
    Role,
    User,
    VersionStatus,
)
from tests.factories import group_named, make_user, reaction, sample_section, user_with_role

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def twente(session: Session):
    return group_named(session)


@pytest.fixture
def coordinator(session: Session) -> User:
    return user_with_role(session, Role.PARTNER)  # coordinates Regio Twente


@pytest.fixture
def members(session: Session, twente, coordinator) -> list[Comment]:
    """Two members' group-only reactions on the section, and one public one of the group."""
    member = make_user(session, "lid@example.org", Role.PARTNER, twente)
    section = sample_section(session)
    internal = CommentVisibility.GROUP
    return [
        post_comment(session, member, section, reaction("Noem de school.", group=twente,
                                                        visibility=internal)),
        post_comment(session, coordinator, section, reaction("Wie beslist bij onenigheid?",
                                                             group=twente, visibility=internal)),
        post_comment(session, member, section, reaction("Goed stuk.", group=twente)),
    ]  # fmt: skip


def test_compose_send_and_send_again_as_a_second_edition(session, twente, coordinator, members):
    section = sample_section(session)
    text = merged_text("", members[:2])
    assert text == "Noem de school.\n\nWie beslist bij onenigheid?"
    position = save_position(
        session,
        coordinator,
        twente,
        section,
        Draft(CommentKind.SUGGESTION, text, [m.id for m in members[:2]]),
    )
    assert position.in_preparation and position.comment is None
    assert [s.id for s in position.sources] == [members[0].id, members[1].id]

    first = send_position(session, coordinator, position)
    official = position.comment
    assert first.number == 1 and official is not None
    assert official.position_edition == 1 and official.group_id == twente.id
    assert official.visibility is CommentVisibility.PUBLIC and official.reference
    assert not position.in_preparation

    save_position(
        session,
        coordinator,
        twente,
        section,
        Draft(CommentKind.SUGGESTION, text + "\n\nBetrek ook de GGD.", []),
    )
    second = send_position(session, coordinator, position)
    session.refresh(official)
    assert second.number == 2 and official.position_edition == 2
    assert "GGD" in official.body and [r.body for r in official.revisions] == [text]
    assert [e.number for e in position_of(session, twente, section).editions] == [1, 2]
    assert any(op == 1 and "GGD" in part for op, part in edition_diff(position, 2))
    # One official reaction whatever the number of editions.
    assert session.scalar(select(func.count()).where(Comment.position_edition.is_not(None))) == 1


def test_nothing_is_sent_twice_unchanged(session, twente, coordinator, members):
    position = save_position(
        session,
        coordinator,
        twente,
        sample_section(session),
        Draft(CommentKind.CONCERN, "Te weinig capaciteit."),
    )
    send_position(session, coordinator, position)
    with pytest.raises(PositionError, match="editie 1"):
        send_position(session, coordinator, position)


def test_the_overview_lists_sections_with_member_reactions_or_a_position(
    session, twente, coordinator, members
):
    version = sample_section(session).version
    [row] = overview(session, twente, version)
    assert row.member_reactions == 3 and row.position is None
    position = save_position(
        session,
        coordinator,
        twente,
        sample_section(session),
        Draft(CommentKind.GENERAL, "Samengevat."),
    )
    send_position(session, coordinator, position)
    [row] = overview(session, twente, version)  # the sent position is no member reaction
    assert row.member_reactions == 3 and row.position is position


def test_refusals_store_nothing(session, twente, coordinator, members):
    section = sample_section(session)
    member = session.scalars(select(User).where(User.email == "lid@example.org")).one()
    with pytest.raises(PositionError):  # a member, not a coordinator
        save_position(session, member, twente, section, Draft(CommentKind.GENERAL, "Ons punt."))
    with pytest.raises(PositionError):  # empty
        save_position(session, coordinator, twente, section, Draft(CommentKind.GENERAL, "  "))
    with pytest.raises(PositionError):  # too long
        save_position(session, coordinator, twente, section, Draft(CommentKind.GENERAL, "x" * 2001))
    utrecht = group_named(session, "Proeftuin Utrecht")
    other = post_comment(session, coordinator, section, reaction("Utrecht.", group=utrecht))
    with pytest.raises(PositionError):  # another group's reaction as a source
        save_position(
            session,
            coordinator,
            twente,
            section,
            Draft(CommentKind.GENERAL, "Ons punt.", [other.id]),
        )
    closed = sample_section(session, 2)
    with pytest.raises(PositionError):  # a version closed for feedback
        save_position(session, coordinator, twente, closed, Draft(CommentKind.GENERAL, "Laat."))
    assert session.scalar(select(func.count()).select_from(GroupPosition)) == 0


def test_a_position_cannot_be_sent_once_the_round_closed(session, twente, coordinator, members):
    section = sample_section(session)
    position = save_position(
        session, coordinator, twente, section, Draft(CommentKind.GENERAL, "Ons punt.")
    )
    section.version.status = VersionStatus.CLOSED
    with pytest.raises(PositionError, match="niet open"):
        send_position(session, coordinator, position)
    assert position.comment is None and position.editions == []
