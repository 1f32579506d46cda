"""Commands for operators and scripts: `flask --app reviewhub COMMAND`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from . import accounts, audit
from .diffcli import diff_command
from .extensions import db
from .labels import ROLE
from .models import Role, VersionStatus
from .notifications import mail
from .notifications.accounts import invitation_mail
from .publishing import (
    PublishError,
    VersionMeta,
    decode_upload,
    get_or_create_document,
    publish_version,
)
from .samples import DEMO_PASSWORD, database_is_empty, ensure_demo_accounts, load_documents


def init_app(app: Flask) -> None:
    for command in (publish_command, load_samples_command, demo_command, user_group):
        app.cli.add_command(command)
    app.cli.add_command(diff_command)


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(_("write the date as 2027-03-01")) from error


@click.command("publish")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--document", "slug", required=True, help="Short name of the document.")
@click.option("--title", help="Title, when the document is new.")
@click.option("--label", help='Label such as "Dialoogversie 2" (else from the front matter).')
@click.option(
    "--summary-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Markdown file with the change summary.",
)
@click.option("--status", type=click.Choice([s.value for s in VersionStatus]))
@click.option("--closes", callback=_parse_day, help="Closing date for feedback, 2027-03-01.")
def publish_command(
    path: Path,
    slug: str,
    title: str | None,
    label: str | None,
    summary_file: Path | None,
    status: str | None,
    closes: date | None,
) -> None:
    """Publish PATH (Markdown) as the next version of a document, creating it if needed."""
    try:
        source = decode_upload(path.name, path.read_bytes(), current_app.config["MAX_SOURCE_BYTES"])
        summary = summary_file.read_text(encoding="utf-8") if summary_file else None
        document = get_or_create_document(db.session, slug, title)
        meta = VersionMeta(label, VersionStatus(status) if status else None, closes, summary)
        version = publish_version(db.session, document, source, meta)
    except (PublishError, UnicodeDecodeError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    changed = sum(1 for s in version.sections if s.change_kind.value != "unchanged")
    click.echo(
        _(
            "Published %(slug)s version %(number)d (%(label)s): %(sections)d sections, "
            "%(changed)d new or changed.",
            slug=document.slug,
            number=version.number,
            label=version.label,
            sections=len(version.sections),
            changed=changed,
        )
    )


@click.command("load-samples")
@with_appcontext
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path))
def load_samples_command(folder: Path | None) -> None:
    """Publish the sample documents (refused unless the database has no documents)."""
    if not database_is_empty(db.session):
        raise click.ClickException(_("The database already has documents; nothing was loaded."))
    _load(folder)


def _load(folder: Path | None) -> None:
    folder = folder or Path(current_app.config["SAMPLE_DOCUMENTS_DIR"])
    try:
        loaded = load_documents(db.session, folder)
    except PublishError as error:
        db.session.rollback()
        raise click.ClickException(f"{folder}: {error}") from error
    db.session.commit()
    for item in loaded:
        click.echo(_("Loaded %(slug)s: %(count)d versions.", slug=item.slug, count=item.versions))


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the sample documents if there are none, create demo accounts if there are none,
    and print the demo log-ins."""
    if database_is_empty(db.session):
        _load(None)
    created = ensure_demo_accounts(db.session)
    db.session.commit()
    if created:
        click.echo(_("Demo accounts (password for each: %(password)s):", password=DEMO_PASSWORD))
        for user in created:
            click.echo(f"  {ROLE[user.role]!s:<14} {user.email}")
    else:
        click.echo(_("Accounts exist already; no demo accounts were created."))


@click.group("user")
def user_group() -> None:
    """Manage accounts: create, invite, set-role."""


def _role(_ctx: click.Context, _param: click.Parameter, value: str) -> Role:
    return Role(value)


ROLE_CHOICE = click.Choice([role.value for role in Role])


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=ROLE_CHOICE, default=Role.READER.value, callback=_role)
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
@click.option("--role", type=ROLE_CHOICE, default=Role.READER.value, callback=_role)
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
