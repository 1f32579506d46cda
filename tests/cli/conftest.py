"""The command runner every command-line test uses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session


@pytest.fixture
def cli(app: Flask, session: Session) -> Callable[..., Result]:
    """``cli("diff", slug, "1", "2")`` runs ``flask diff …`` inside the test's transaction."""
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))
