"""Shared fixtures: one database per run (SQLite, or PostgreSQL when
REVIEWHUB_TEST_DATABASE_URL is set), built by the real migrations and loaded with the sample
documents once; every test runs inside a transaction that is rolled back afterwards. The
translation catalogues are compiled first, so a plain ``pytest`` on a fresh clone reads Dutch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session

import reviewhub
from reviewhub import create_app
from reviewhub.extensions import db, limiter
from tests.factories import DOCUMENTS, Auth, Outbox, compile_catalogues, sample_database

TRANSLATIONS = Path(reviewhub.__file__).resolve().parent / "translations"


def pytest_configure(config: pytest.Config) -> None:
    """Before any test: the catalogues ``make test`` would have compiled."""
    compile_catalogues(TRANSLATIONS)


class _ClosingClient(FlaskClient):
    """Reads each response whole and closes it, as a server does: work scheduled after the
    response (reviewhub.afterwards) then runs before the test looks."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("REVIEWHUB_TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    try:
        engine = create_engine(url)
        with engine.begin() as connection:
            # A clean slate: drop whatever an earlier (perhaps interrupted) run left behind.
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
        engine.dispose()
    except Exception as error:  # the PostgreSQL run must fail loudly, never skip
        pytest.exit(f"Cannot use REVIEWHUB_TEST_DATABASE_URL={url}: {error}", returncode=3)
    return url


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _test_database_url(tmp_path_factory),
            "SECRET_KEY": "test-secret",
            "BASE_URL": "http://localhost",
            "WTF_CSRF_ENABLED": False,
            "SAMPLE_DOCUMENTS_DIR": str(DOCUMENTS),
            # The fuzzing and route tests call the API thousands of times; the limits have
            # tests of their own (tests/views/test_api_writes.py).
            "API_RATE_LIMIT": "100000 per minute",
            "API_ANONYMOUS_RATE_LIMIT": "100000 per minute",
            # Mail and other jobs run at once, where they are enqueued (tests/test_jobs.py
            # runs a real worker).
            "JOBS_IMMEDIATE": True,
            "JOBS_SQLITE_PATH": str(tmp_path_factory.mktemp("jobs") / "jobs.sqlite3"),
        }
    )
    app.test_client_class = _ClosingClient
    # No app context stays pushed: each request and command gets its own, as in production
    # (Flask-Babel and ``g`` keep per-context state).
    with sample_database(app):
        yield app


class _ConnectionSession(Session):
    """Keeps to the connection it is bound to; Flask-SQLAlchemy's session would pick the
    engine (a new connection, outside the test's transaction)."""

    def __init__(self, db: object = None, **options: Any) -> None:
        super().__init__(**options)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session for the test itself, on a connection whose transaction is rolled back after
    the test. Requests and commands use the app's session on the same connection, so both
    see the same data; their commits only release savepoints."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    options = {"bind": connection, "join_transaction_mode": "create_savepoint"}
    original = db.session
    db.session = db._make_scoped_session({**options, "class_": _ConnectionSession})
    test_session = Session(**options)
    try:
        yield test_session
    finally:
        test_session.close()
        db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    limiter.reset()  # log-in throttling counts per test, not across the run
    return app.test_client()


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def outbox(app: Flask, tmp_path: Path) -> Iterator[Outbox]:
    """Mail written during the test, parsed back into messages."""
    original = app.config["MAIL_OUTBOX"]
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    try:
        yield Outbox(tmp_path / "outbox")
    finally:
        app.config["MAIL_OUTBOX"] = original


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The one Chromium of a run, for tests/browser and tests/hostile alike: Playwright's sync
    API allows one per thread. Started only when a browser test asks for it."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def cli(app: Flask, session: Session) -> Callable[..., Result]:
    """``cli("diff", slug, "1", "2")`` runs ``flask diff …`` inside the test's transaction."""
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))
