"""Fixtures for the hostile-input browser tests.

The live app, its database and its server are tests/browser's fixtures, imported: pytest keeps
one instance of a fixture per place it is defined, so these tests get an app, a database and a
server of their own. Nothing they store (people and groups with hostile names, their audit
events) then shows on the pages that the other browser tests audit, whichever runs first.

Chromium is another matter: Playwright's sync API allows one instance per thread, so while
tests/browser's session-wide browser is open, no second one can start. ``browser`` therefore
uses that one when it is running, and otherwise launches its own for this package (closed
when the package is done, before tests/browser could start theirs).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from reviewhub.models import Role
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    live_app,
    live_server,
    pytest_runtest_setup,
)
from tests.browser.helpers import email_of, login

__all__ = ["browser", "live_app", "live_server", "pytest_runtest_setup", "storage_states"]


def _running_browser() -> Browser | None:
    """The Chromium that tests/browser's ``browser`` fixture launched, if it is open. pytest
    offers no public way to read a fixture defined for another directory, and that fixture
    publishes its browser nowhere: the garbage collector knows every live object."""
    return next((o for o in gc.get_objects() if isinstance(o, Browser) and o.is_connected()), None)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    running = _running_browser()
    if running is not None:
        yield running  # tests/browser's: theirs to close
        return
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def storage_states(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Role | str], Path]:
    """The saved cookies of an account, logged in once through the form (as tests/browser)."""
    folder = tmp_path_factory.mktemp("hostile-storage-states")

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
