"""Browser fixtures: the app served by a live server on its own SQLite file, one Chromium for
the whole run, a fresh browser context per test, and log-ins through the real form (reused
per account through Playwright's storage state)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select, update
from werkzeug.serving import WSGIRequestHandler, make_server

from reviewhub import accounts, create_app
from reviewhub.extensions import db
from reviewhub.models import Group, Role, User
from tests.browser.helpers import PROJECT_ROOT, email_of, login
from tests.factories import Auth, sample_database

# Debian's Chromium: Playwright's own browser downloads cannot be fetched here (see .ci/run).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000  # pages here answer in milliseconds; a stuck test should fail fast

Who = Role | str | None  # a demo account's role, an e-mail address, or None: not logged in


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own, whatever database the other tests use: the server thread commits
    for real, so it cannot share their rolled-back transactions."""
    database = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "browser-test-secret",
            "LOGIN_RATE_LIMIT": "1000 per minute",  # every test logs in; 429 has its own test
            "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox")),
            "SAMPLE_DOCUMENTS_DIR": str(PROJECT_ROOT / "documents"),
            # Jobs run in the server thread, where they are enqueued: never left in a queue
            # (the instance folder's, once) for a later worker to run against another database.
            "JOBS_IMMEDIATE": True,
            "JOBS_SQLITE_PATH": str(tmp_path_factory.mktemp("jobs") / "jobs.sqlite3"),
            "EXPORT_FOLDER": str(tmp_path_factory.mktemp("exports")),
        }
    )
    with sample_database(app):
        yield app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Keeps a line per request out of the test output."""


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL of the app, served from a thread on a free port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = base_url  # where links in mail must lead
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def storage_states(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Role | str], Path]:
    """The saved cookies of an account, logged in once per run through the form."""
    folder = tmp_path_factory.mktemp("storage-states")

    def state_of(who: Role | str) -> Path:
        path = folder / f"{email_of(who)}.json"
        if not path.exists():
            context = browser.new_context(base_url=live_server)
            context.set_default_timeout(TIMEOUT_MS)
            login(context.new_page(), who)
            context.storage_state(path=path)
            context.close()
        return path

    return state_of


@pytest.fixture
def new_context(
    browser: Browser,
    live_server: str,
    live_app: Flask,
    storage_states: Callable[[Role | str], Path],
) -> Iterator[Callable[..., BrowserContext]]:
    """Makes browser contexts, closed after the test: ``new_context(Role.ADMIN)`` is one
    already logged in; keyword arguments go to Playwright (``java_script_enabled=False``).
    A language chosen is remembered with the person: after the test, everyone reads Dutch
    again."""
    contexts: list[BrowserContext] = []

    def make(who: Who = None, **options: Any) -> BrowserContext:
        if who is not None:
            options["storage_state"] = storage_states(who)
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    with live_app.app_context():
        db.session.execute(update(User).values(language="nl"))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh context: nobody logged in, nothing remembered."""
    return new_context().new_page()


@pytest.fixture
def page_as(new_context: Callable[..., BrowserContext]) -> Callable[[Who], Page]:
    """``page_as(Role.AUTHOR)``: a page in a fresh context, logged in as that account."""
    return lambda who: new_context(who).new_page()


@pytest.fixture(scope="session")
def url_values(live_app: Flask) -> dict[str, Any]:
    """Values for the placeholders in audited paths: ids, and a fresh invitation token."""
    with live_app.test_request_context():
        reader = db.session.scalars(
            select(User).where(User.email == Auth.EMAILS[Role.READER])
        ).one()
        invited = accounts.create_person(
            db.session, None, name="Ina Uitgenodigd", email="ina@example.org", role=Role.PARTNER
        )
        db.session.commit()
        values = {
            "reader": reader.id,
            "group": db.session.scalar(select(Group.id).order_by(Group.id).limit(1)),
            "invitation": accounts.make_link_token(
                invited, accounts.INVITATION, secret=live_app.config["SECRET_KEY"]
            ),
        }
        db.session.remove()
    return values
