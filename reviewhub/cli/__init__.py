"""Commands for operators and scripts, `flask --app reviewhub COMMAND`: one module per group
of commands. They call the same domain functions as the pages, and never need a request."""

from __future__ import annotations

from flask import Flask

from .backup import backup_command, restore_command
from .compare import diff_command
from .documents import carry_forward_command, demo_command, load_samples_command, publish_command
from .exports import export_command
from .users import user_group
from .worker import worker_command


def init_app(app: Flask) -> None:
    for command in (publish_command, load_samples_command, demo_command, carry_forward_command,
                    user_group, diff_command, export_command, backup_command,
                    restore_command, worker_command):  # fmt: skip
        app.cli.add_command(command)
