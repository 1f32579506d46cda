"""`flask user …`: the first administrator, invitations and roles from the command line."""

from __future__ import annotations

from sqlalchemy import select

from reviewhub.models import Role, User


def test_cli_creates_invites_and_sets_roles(app, session, outbox):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["user", "create", "eerste@example.org", "--name", "Eerste Beheerder",
              "--role", "admin", "--password", "een goed wachtwoord"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    invited = runner.invoke(
        args=["user", "invite", "tweede@example.org", "--name", "Tweede", "--role", "partner"]
    )
    assert invited.exit_code == 0 and "http://localhost/invitation/" in invited.output
    assert outbox.messages[-1]["To"] == "tweede@example.org"
    role = runner.invoke(args=["user", "set-role", "tweede@example.org", "reviewer"])
    assert role.exit_code == 0, role.output
    person = session.scalars(select(User).where(User.email == "tweede@example.org")).one()
    assert person.role is Role.REVIEWER
    missing = runner.invoke(args=["user", "invite", "onbekend@example.org"])
    assert missing.exit_code != 0 and "Er is geen account" in missing.output
