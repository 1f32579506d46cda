"""A new person gets the least privilege unless someone chooses more: the reader role, in the
domain function, the "new person" form and the `user` commands alike."""

from __future__ import annotations

import re

from sqlalchemy import select

from reviewhub import accounts
from reviewhub.models import Role, User
from reviewhub.permissions import Action, role_may


def test_the_default_role_is_the_reader_who_may_manage_nothing_and_not_react():
    role = accounts.default_role()
    assert role is Role.READER
    assert not any(
        role_may(role, action)
        for action in (Action.MANAGE_PEOPLE, Action.CREATE_DOCUMENT, Action.REACT)
    )


def test_creating_a_person_without_a_role_makes_a_reader(session):
    person = accounts.create_person(session, None, name="Rita", email="rita@example.org")
    assert person.role is Role.READER


def test_the_new_person_form_offers_the_reader_first_and_chosen(client, auth):
    auth.login(Role.ADMIN)
    page = client.get("/admin/people/new").get_data(as_text=True)
    select_html = re.search(r'<select id="role" name="role">(.*?)</select>', page, re.S).group(1)
    values = re.findall(r'value="([a-z]+)"', select_html)
    assert values == ["reader", "partner", "reviewer", "author", "admin"]
    assert re.findall(r'<option selected value="([a-z]+)"', select_html) == ["reader"]


def test_a_form_sent_with_a_role_keeps_it(client, auth, session, outbox):
    auth.login(Role.ADMIN)
    data = {"name": "Paul", "email": "paul@example.org", "role": "partner"}
    assert client.post("/admin/people/new", data=data).status_code == 200
    assert session.scalars(select(User.role).where(User.email == "paul@example.org")).one() is (
        Role.PARTNER
    )


def test_the_user_commands_make_readers_unless_told_otherwise(cli, session, outbox):
    created = cli("user", "create", "eerste@example.org", "--name", "Eerste",
                  "--password", "een goed wachtwoord")  # fmt: skip
    invited = cli("user", "invite", "tweede@example.org", "--name", "Tweede")
    assert created.exit_code == 0 and invited.exit_code == 0, created.output + invited.output
    roles = session.scalars(
        select(User.role).where(User.email.in_(["eerste@example.org", "tweede@example.org"]))
    ).all()
    assert roles == [Role.READER, Role.READER]
