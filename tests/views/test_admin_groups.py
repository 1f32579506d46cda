"""A group's page in the administration: its members listed, people with an account added by
e-mail address (suggested as one types), coordinators appointed and stood down, members
removed; each change audited, every refusal explained on the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviewhub.models import AuditEvent, Role
from tests.factories import group_named, make_user, user_with_role
from tests.views.test_query_counts import counted


@pytest.fixture
def admin(client, auth):
    auth.login(Role.ADMIN)
    client.post("/language", data={"language": "en"})  # the new strings are not translated yet


def members_url(group) -> str:
    return f"/admin/groups/{group.id}/members"


def test_an_admin_adds_someone_by_e_mail_address_as_coordinator(client, session, admin):
    noord = group_named(session, "Regio Noord-Holland Noord")
    reader = user_with_role(session, Role.READER)
    response = client.post(members_url(noord),
                           data={"email": reader.email.upper(), "coordinator": "y"})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith(
        f"/admin/groups/{noord.id}#members"
    )
    [membership] = [m for m in reader.memberships if m.group_id == noord.id]
    assert membership.coordinator
    page = client.get(f"/admin/groups/{noord.id}").get_data(as_text=True)
    assert f"{reader.name} is now a member of {noord.name}." in page
    assert f'<a href="/admin/people/{reader.id}">{reader.name}</a>' in page
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == reader.id,
                                        AuditEvent.action.startswith("group."))
    ).all()  # fmt: skip
    assert actions == ["group.member_added", "group.coordinator_added"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("niemand@example.org", "There is no account with this e-mail address."),
        ("partner@example.org", "is a member of this group already."),
        ("geen adres", "Invalid email address."),
    ],
)
def test_a_refused_addition_is_explained_and_keeps_what_was_typed(
    client, session, admin, email, message
):
    twente = group_named(session)
    response = client.post(members_url(twente), data={"email": email})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'value="{email}"' in page
    assert 'value="Regio Twente"' in page  # the group's own form shows what is stored


def test_coordinators_are_appointed_and_stood_down_and_members_removed(client, session, admin):
    twente, partner = group_named(session), user_with_role(session, Role.PARTNER)
    base = f"/admin/groups/{twente.id}/members/{partner.id}"
    assert client.post(f"{base}/coordinator", data={"coordinator": "0"}).status_code == 302
    membership = next(m for m in partner.memberships if m.group_id == twente.id)
    session.refresh(membership)
    assert not membership.coordinator
    assert client.post(f"{base}/coordinator", data={"coordinator": "1"}).status_code == 302
    session.refresh(membership)
    assert membership.coordinator
    assert client.post(f"{base}/remove").status_code == 302
    session.expire_all()
    assert twente not in partner.groups
    page = client.get(f"/admin/groups/{twente.id}").get_data(as_text=True)
    assert "is no longer a member of Regio Twente" in page
    again = client.post(f"{base}/remove")
    assert "not a member of this group" in client.get(again.location).get_data(as_text=True)


def test_the_page_suggests_the_people_not_in_the_group_yet(client, session, admin):
    twente = group_named(session)
    page = client.get(f"/admin/groups/{twente.id}").get_data(as_text=True)
    suggestions = re.search(r'<datalist id="member-suggestions">(.*?)</datalist>', page, re.S)
    assert 'value="lezer@example.org"' in suggestions.group(1)
    assert 'value="partner@example.org"' not in suggestions.group(1)  # a member already
    assert 'list="member-suggestions"' in page


def test_only_administrators_change_members(client, auth, session):
    twente, reader = group_named(session), user_with_role(session, Role.READER)
    auth.login(Role.PARTNER)  # the coordinator of Regio Twente, but no administrator
    partner = user_with_role(session, Role.PARTNER)
    base = f"/admin/groups/{twente.id}/members"
    assert client.post(base, data={"email": reader.email}).status_code == 403
    assert (
        client.post(f"{base}/{partner.id}/coordinator", data={"coordinator": "0"}).status_code
        == 403
    )
    assert client.post(f"{base}/{partner.id}/remove").status_code == 403
    assert twente in partner.groups and twente not in reader.groups


def test_the_page_costs_the_same_for_two_members_or_forty(app, client, session, admin):
    noord = group_named(session, "Regio Noord-Holland Noord")
    url = f"/admin/groups/{noord.id}"

    def statements() -> int:
        with counted(app) as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    for n in range(2):
        make_user(session, f"lid{n}@example.org", Role.PARTNER, noord)
    session.commit()
    few = statements()
    for n in range(2, 40):
        make_user(session, f"lid{n}@example.org", Role.PARTNER, noord)
    session.commit()
    assert statements() == few
