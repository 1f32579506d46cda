"""`flask --app reviewhub diff SLUG A B`: a comparison for scripts and terminals."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from ..compare.page import standalone_html
from ..compare.plain import as_json, as_text
from ..compare.versions import compare_versions, stored_html
from ..extensions import db
from ..models import Document, Version


@click.command("diff")
@with_appcontext
@click.argument("slug")
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    help="text: a word diff with [-deleted-]{+inserted+}; html: a standalone page; json: the "
    "summary and each changed section's operations.",
)
def diff_command(slug: str, first: int, second: int, output: str) -> None:
    """Compare versions FIRST and SECOND of document SLUG: always the older with the newer."""
    versions = db.session.scalars(
        select(Version)
        .join(Document)
        .where(Document.slug == slug, Version.number.in_([first, second]))
    ).all()
    by_number = {version.number: version for version in versions}
    missing = [number for number in (first, second) if number not in by_number]
    if missing:
        raise click.ClickException(
            _("Document %(slug)s has no version %(number)d.", slug=slug, number=missing[0])
        )
    old, new = by_number[min(first, second)], by_number[max(first, second)]
    comparison = compare_versions(db.session, old, new)
    if output == "json":
        click.echo(json.dumps(as_json(comparison, old, new), ensure_ascii=False, indent=2))
    elif output == "html":
        click.echo(
            standalone_html(comparison, old, new, stored_html(db.session, comparison.changes))
        )
    else:
        click.echo(as_text(comparison, old, new), nl=False)
