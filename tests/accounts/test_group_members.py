"""Members of a group, the domain part (reviewhub.accounts.groups): adding, appointing and
removing coordinators, removing members; each change audited about the person, naming the
group. The group's page is tested in tests/views/test_admin_groups.py."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from reviewhub import accounts
from reviewhub.models import AuditEvent, Membership, Role
from tests.factories import group_named, make_user, user_with_role


def trail(session, person) -> list[tuple[str, str]]:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == person.id,
               AuditEvent.action.startswith("group."))
        .order_by(AuditEvent.id)
    )  # fmt: skip
    return [(event.action, event.details["group"]) for event in events]


def test_a_member_is_added_appointed_stood_down_and_removed(session):
    admin, reader = user_with_role(session, Role.ADMIN), user_with_role(session, Role.READER)
    noord = group_named(session, "Regio Noord-Holland Noord")
    accounts.add_member(session, admin, noord, reader)
    session.flush()
    assert reader in [m.user for m in accounts.members(session, noord)]
    accounts.set_coordinator(session, admin, noord, reader, True)
    accounts.set_coordinator(session, admin, noord, reader, True)  # no change: not recorded
    accounts.set_coordinator(session, admin, noord, reader, False)
    accounts.remove_member(session, admin, noord, reader)
    session.flush()
    assert noord not in reader.groups
    assert session.get(Membership, (reader.id, noord.id)) is None
    name = noord.name
    assert trail(session, reader) == [
        ("group.member_added", name),
        ("group.coordinator_added", name),
        ("group.coordinator_removed", name),
        ("group.member_removed", name),
    ]


def test_added_as_coordinator_at_once(session):
    admin = user_with_role(session, Role.ADMIN)
    noord = group_named(session, "Regio Noord-Holland Noord")
    person = make_user(session, "coordinator@example.org", Role.PARTNER)
    membership = accounts.add_member(session, admin, noord, person, coordinator=True)
    assert membership.coordinator
    assert [action for action, _ in trail(session, person)] == [
        "group.member_added", "group.coordinator_added"
    ]  # fmt: skip


def test_refused_changes_say_why(app, session):
    admin, partner = user_with_role(session, Role.ADMIN), user_with_role(session, Role.PARTNER)
    twente, noord = group_named(session), group_named(session, "Regio Noord-Holland Noord")
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(accounts.AccountError, match="member of this group already"):
            accounts.add_member(session, admin, twente, partner)
        with pytest.raises(accounts.AccountError, match="not a member"):
            accounts.set_coordinator(session, admin, noord, partner, True)
        with pytest.raises(accounts.AccountError, match="not a member"):
            accounts.remove_member(session, admin, noord, partner)
        accounts.anonymise(session, admin, partner)
        with pytest.raises(accounts.AccountError, match="anonymised"):
            accounts.add_member(session, admin, noord, partner)


def test_the_suggestions_leave_out_members_and_closed_accounts(session):
    twente = group_named(session)
    partner = user_with_role(session, Role.PARTNER)
    gone = make_user(session, "weg@example.org", Role.READER)
    gone.active = False
    session.flush()
    suggested = accounts.possible_members(session, twente)
    assert partner not in suggested and gone not in suggested
    assert user_with_role(session, Role.READER) in suggested
