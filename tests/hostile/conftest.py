"""Fixtures for the hostile-input browser tests.

The live app, its database and its server are tests/browser's fixtures, imported: pytest keeps
one instance of a fixture per place it is defined, so these tests get an app, a database and a
server of their own. Nothing they store (people and groups with hostile names, their audit
events) then shows on the pages that the other browser tests audit, whichever runs first.

Chromium is shared: Playwright's sync API allows one instance per thread, so the run's one
browser is the session fixture ``browser`` of tests/conftest.py.
"""

from __future__ import annotations

from tests.browser.conftest import (
    live_app,
    live_server,
    pytest_runtest_setup,
    storage_states,
)

__all__ = ["live_app", "live_server", "pytest_runtest_setup", "storage_states"]
