"""`flask --app reviewhub backup -o FILE` and `restore FILE`: everything, to a file and back,
for moving the service (SQLite to PostgreSQL and back) or keeping a copy."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..exports.backup import RestoreError, restore_backup, write_backup
from ..extensions import db


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def backup_command(output: Path) -> None:
    """Write every table to OUTPUT (gzipped JSON lines)."""
    with output.open("wb") as out:
        counts = write_backup(db.session, out)
    click.echo(_("%(rows)d rows of %(tables)d tables written to %(path)s.",
                 rows=sum(counts.values()), tables=len(counts), path=output))  # fmt: skip


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path) -> None:
    """Restore SOURCE into this database, which must be empty and migrated (`db upgrade`)."""
    try:
        with source.open("rb") as data:
            counts = restore_backup(db.session, data)
    except (RestoreError, OSError, EOFError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(_("%(rows)d rows restored into %(tables)d tables.",
                 rows=sum(counts.values()), tables=len(counts)))  # fmt: skip
