"""`flask --app reviewhub export SLUG [--version N] --format F -o FILE`: the downloads of the
review workspace, for scripts and for exports too large to wait for in a browser."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import local_today
from ..exports.formats import FORMATS, make_export
from ..exports.rows import ExportRequest
from ..extensions import db
from ..feedback.register import WorkspaceFilter
from ..models import CommentKind, Disposition, Document, Group


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option("--version", "number", type=int, help="One version (default: all of them).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True,
              help="docx/pdf: the reactienota; xlsx, iso, csv, csv-semicolon, json, w3c: the "
                   "register.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write; - for standard output.")  # fmt: skip
@click.option("--status", type=click.Choice([d.value for d in Disposition]))
@click.option("--kind", type=click.Choice([k.value for k in CommentKind]))
@click.option("--group", "group_name", help="Only the reactions of this group (its name).")
@click.option("--section", "section_key", help="Only this section (its key).")
def export_command(
    slug: str, number: int | None, fmt: str, output: Path, status: str | None,
    kind: str | None, group_name: str | None, section_key: str | None,
) -> None:  # fmt: skip
    """Export the feedback of document SLUG (of one version with --version, which the other
    filters narrow as the workspace's do)."""
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise click.ClickException(_("No document has the short name %(slug)s.", slug=slug))
    version = None
    if number is not None:
        version = next((v for v in document.versions if v.number == number), None)
        if version is None:
            raise click.ClickException(_("%(slug)s has no version %(number)d.", slug=slug,
                                         number=number))  # fmt: skip
    elif status or kind or group_name or section_key:
        raise click.ClickException(_("The filters need --version."))
    criteria = WorkspaceFilter(
        section_key=section_key,
        group_id=_group_id(group_name),
        kind=CommentKind(kind) if kind else None,
        disposition=Disposition(status) if status else None,
    )
    export = make_export(db.session, ExportRequest(document, version, None, criteria=criteria),
                         fmt, local_today())  # fmt: skip
    _write(export.chunks, output)
    if str(output) != "-":
        click.echo(_("Written: %(path)s", path=output), err=True)


def _group_id(name: str | None) -> int | None:
    if name is None:
        return None
    group = db.session.scalar(select(Group).where(Group.name == name))
    if group is None:
        raise click.ClickException(_("No group is called %(name)s.", name=name))
    return group.id


def _write(chunks: Iterator[bytes], output: Path) -> None:
    if str(output) == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        return
    with output.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
