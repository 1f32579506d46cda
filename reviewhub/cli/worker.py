"""`flask --app reviewhub worker`: runs the jobs of the queue (reviewhub.jobs) until stopped.
With the embedded queue, run it on the machine that serves the site; with Redis, on as many
machines as wanted, each with the same configuration."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext

from ..jobs import queue


@click.command("worker")
@with_appcontext
@click.option("-w", "--workers", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(workers: int) -> None:
    """Run the queued jobs: mail, for now. Stop with Ctrl-C (jobs running finish first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Threads: a job mostly waits for a mail server or the database.
    queue.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
