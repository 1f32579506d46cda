"""Hiding, restoring, approving, reports and pre-moderation by calling
reviewhub.feedback.moderation directly: what is stored, audited and refused."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.feedback.errors import FeedbackError
from reviewhub.feedback.moderation import (
    approve_comment,
    hide_comment,
    moderation_queue,
    report_comment,
    restore_comment,
    set_premoderation,
)
from reviewhub.feedback.posting import post_comment
from reviewhub.models import (
    AuditEvent,
    Comment,
    CommentReport,
    CommentState,
    CommentVisibility,
    Document,
    Role,
    Section,
    User,
)
from reviewhub.permissions import Action, can
from tests.factories import group_named, reaction, sample_section

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def section(session: Session) -> Section:
    return sample_section(session)


@pytest.fixture
def document(section: Section) -> Document:
    return section.version.document


def partner_reaction(session: Session, people: dict[Role, User], section: Section, **fields):
    """The partner's reaction on behalf of Regio Twente."""
    new = reaction("Scheldwoorden hier", group=group_named(session), **fields)
    return post_comment(session, people[Role.PARTNER], section, new)


@pytest.fixture
def comment(session: Session, people: dict[Role, User], section: Section) -> Comment:
    return partner_reaction(session, people, section)


def audited(session: Session, obj: object) -> list[tuple[str, int | None]]:
    """(action, actor id) of the audit events about ``obj``, oldest first."""
    session.flush()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == type(obj).__name__.lower())
        .where(AuditEvent.object_id == obj.id)
        .order_by(AuditEvent.id)
    )
    return [(event.action, event.actor_id) for event in events]


# Hiding and restoring -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_moderators_hide_a_reaction_with_a_reason_and_restore_it(session, people, comment, role):
    moderator = people[role]
    hide_comment(session, moderator, comment, "  Niet respectvol\n")
    assert comment.is_hidden and comment.hidden_at is not None
    assert (comment.hidden_reason, comment.hidden_by_id) == ("Niet respectvol", moderator.id)
    assert comment.body == "Scheldwoorden hier"  # kept for the moderators
    restore_comment(session, moderator, comment)
    assert not comment.is_hidden
    assert (comment.hidden_reason, comment.hidden_by_id) == (None, None)
    assert audited(session, comment) == [
        ("comment.hidden", moderator.id),
        ("comment.restored", moderator.id),
    ]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_hiding_needs_a_reason(session, people, comment, reason):
    with pytest.raises(FeedbackError):
        hide_comment(session, people[Role.REVIEWER], comment, reason)
    assert not comment.is_hidden and audited(session, comment) == []


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUTHOR, Role.READER])
def test_only_moderators_hide_restore_approve_and_switch_pre_moderation(
    session, people, document, comment, role
):
    """The partner wrote the reaction; the author owns the document: neither moderates."""
    actor = people[role]
    attempts = [
        lambda: hide_comment(session, actor, comment, "Reden"),
        lambda: restore_comment(session, actor, comment),
        lambda: approve_comment(session, actor, comment),
        lambda: set_premoderation(session, actor, document, True),
    ]
    for attempt in attempts:
        with pytest.raises(FeedbackError):
            attempt()
    assert not comment.is_hidden and not document.premoderation
    assert audited(session, comment) == [] and audited(session, document) == []


# Pre-moderation -------------------------------------------------------------------------------


def test_pre_moderation_holds_new_reactions_until_approved(session, people, document, section):
    reviewer = people[Role.REVIEWER]
    set_premoderation(session, reviewer, document, True)
    assert document.premoderation
    waiting = partner_reaction(session, people, section)
    assert waiting.state is CommentState.PENDING
    viewers = {role.value: user for role, user in people.items()}
    viewers["anonymous"] = AnonymousUserMixin()
    readers = {name for name, user in viewers.items() if can(user, Action.READ_COMMENT, waiting)}
    assert readers == {"partner", "reviewer", "admin"}  # its writer and the moderators
    assert moderation_queue(session, document) == [waiting]

    approve_comment(session, reviewer, waiting)
    assert waiting.state is CommentState.PUBLISHED
    assert can(AnonymousUserMixin(), Action.READ_COMMENT, waiting)
    assert moderation_queue(session, document) == []
    assert audited(session, document) == [("document.premoderation_on", reviewer.id)]
    assert audited(session, waiting) == [("comment.approved", reviewer.id)]


def test_the_reactions_of_moderators_need_no_approval(session, people, document, section):
    set_premoderation(session, people[Role.ADMIN], document, True)
    for role in (Role.REVIEWER, Role.ADMIN):
        own = post_comment(session, people[role], section, reaction())
        assert own.state is CommentState.PUBLISHED


def test_without_pre_moderation_reactions_appear_at_once(session, people, document, section):
    reviewer = people[Role.REVIEWER]
    set_premoderation(session, reviewer, document, True)
    set_premoderation(session, reviewer, document, True)  # no change: nothing to audit
    set_premoderation(session, reviewer, document, False)
    assert not document.premoderation
    assert partner_reaction(session, people, section).state is CommentState.PUBLISHED
    assert audited(session, document) == [
        ("document.premoderation_on", reviewer.id),
        ("document.premoderation_off", reviewer.id),
    ]


# Reports --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.READER, Role.AUTHOR, Role.PARTNER])
def test_anyone_logged_in_who_may_read_a_reaction_can_report_it(session, people, comment, role):
    reporter = people[role]
    report_comment(session, reporter, comment, "  Klopt niet ")
    session.flush()
    (report,) = comment.reports
    assert (report.reporter, report.reason, report.resolved_at) == (reporter, "Klopt niet", None)
    assert moderation_queue(session, comment.section.version.document) == [comment]
    assert audited(session, comment) == [("comment.reported", reporter.id)]


def test_a_report_needs_a_reason_and_a_reporter_who_may_read_the_reaction(
    session, people, section, comment
):
    reader = people[Role.READER]
    with pytest.raises(FeedbackError):
        report_comment(session, reader, comment, "   ")
    with pytest.raises(FeedbackError):
        report_comment(session, AnonymousUserMixin(), comment, "Klopt niet")
    group_only = partner_reaction(session, people, section, visibility=CommentVisibility.GROUP)
    with pytest.raises(FeedbackError):
        report_comment(session, reader, group_only, "Klopt niet")
    assert session.scalar(select(func.count()).select_from(CommentReport)) == 0


@pytest.mark.parametrize("decide", [hide_comment, approve_comment])
def test_a_decision_on_a_reported_reaction_resolves_its_reports(
    session, people, document, comment, decide
):
    report_comment(session, people[Role.READER], comment, "Klopt niet")
    arguments = ("Niet respectvol",) if decide is hide_comment else ()
    decide(session, people[Role.REVIEWER], comment, *arguments)
    session.flush()
    (report,) = comment.reports
    assert report.resolved_at is not None
    assert moderation_queue(session, document) == []
