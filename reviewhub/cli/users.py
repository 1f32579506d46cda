"""`flask --app reviewhub user …`: accounts from the command line, such as the first
administrator of a new installation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from .. import accounts, audit
from ..extensions import db
from ..labels import ROLE
from ..models import Role
from ..notifications import mail
from ..notifications.accounts import invitation_mail


@click.group("user")
def user_group() -> None:
    """Manage accounts: create, invite, set-role."""


def _role(_ctx: click.Context, _param: click.Parameter, value: str) -> Role:
    return Role(value)


ROLE_CHOICE = click.Choice([role.value for role in Role])
# Without --role an account gets the least privilege, as everywhere (accounts.default_role).
DEFAULT_ROLE = accounts.default_role().value


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=ROLE_CHOICE, default=DEFAULT_ROLE, show_default=True, callback=_role)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(email: str, name: str, role: Role, password: str) -> None:
    """Create an account with a password (for the first administrator, say)."""
    try:
        accounts.check_new_password(password, password)
        person = accounts.create_person(db.session, None, name=name, email=email, role=role)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    person.set_password(password)
    db.session.commit()
    click.echo(
        _("Account %(email)s created with role %(role)s.", email=person.email, role=ROLE[role])
    )


@user_group.command("invite")
@click.argument("email")
@click.option("--name", help="Creates the account when there is none yet.")
@click.option("--role", type=ROLE_CHOICE, default=DEFAULT_ROLE, show_default=True, callback=_role)
@with_appcontext
def invite_user_command(email: str, name: str | None, role: Role) -> None:
    """Send an invitation link (printed too); create the account first if --name is given."""
    person = accounts.find_by_email(db.session, email)
    try:
        if person is None:
            if not name:
                raise accounts.AccountError(_("There is no account with this e-mail address."))
            person = accounts.create_person(db.session, None, name=name, email=email, role=role)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    message, link = invitation_mail(person)
    audit.record(db.session, None, "person.invited", person, person.name)
    db.session.commit()
    mail.send(message)
    click.echo(_("Invitation for %(email)s: %(link)s", email=person.email, link=link))


@user_group.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE, callback=_role)
@with_appcontext
def set_role_command(email: str, role: Role) -> None:
    """Give an existing account another role."""
    person = accounts.find_by_email(db.session, email)
    if person is None:
        raise click.ClickException(_("There is no account with this e-mail address."))
    accounts.set_role(db.session, None, person, role)
    db.session.commit()
    click.echo(_("%(email)s now has the role %(role)s.", email=person.email, role=ROLE[role]))
