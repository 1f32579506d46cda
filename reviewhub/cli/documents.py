"""`publish`, `load-samples`, `demo` and `carry-forward`: documents and demo data from the
command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..feedback.carrying import carry_all
from ..labels import ROLE
from ..models import Document, VersionStatus
from ..publishing import (
    PublishError,
    VersionMeta,
    decode_upload,
    get_or_create_document,
    publish_version,
)
from ..samples import (
    DEMO_PASSWORD,
    database_is_empty,
    ensure_demo_accounts,
    ensure_demo_reactions,
    load_documents,
)


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
        version = publish_version(
            db.session, document, source, meta, max_sections=current_app.config["MAX_SECTIONS"]
        )
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


@click.command("carry-forward")
@with_appcontext
def carry_forward_command() -> None:
    """Carry the reactions of every document into its later public versions: for databases
    from before carrying existed. Carrying twice adds nothing."""
    carried = sum(carry_all(db.session, document) for document in db.session.scalars(
        select(Document).order_by(Document.slug)))  # fmt: skip
    db.session.commit()
    click.echo(_("Reactions carried into later versions: %(count)d.", count=carried))


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the sample documents if there are none, create demo accounts if there are none,
    demo reactions if there are none, and print the demo log-ins."""
    if database_is_empty(db.session):
        _load(None)
    created = ensure_demo_accounts(db.session)
    reactions = ensure_demo_reactions(db.session)
    db.session.commit()
    if created:
        click.echo(_("Demo accounts (password for each: %(password)s):", password=DEMO_PASSWORD))
        for user in created:
            click.echo(f"  {ROLE[user.role]!s:<14} {user.email}")
    else:
        click.echo(_("Accounts exist already; no demo accounts were created."))
    if reactions:
        click.echo(_("Demo reactions on Dialoogversie 1 and the open version: %(count)d.",
                     count=reactions))  # fmt: skip
