"""Helpers for the browser tests: logging in through the real form, and auditing a page
with axe-core (shipped inside the axe-playwright-python package, run through page.evaluate,
so nothing is fetched and the page's CSP stays as strict as in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from reviewhub.models import Role
from reviewhub.samples import DEMO_PASSWORD
from tests.factories import Auth

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A failure on any of these levels fails the audit; best practices are left to judgement.
WCAG_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"})
AXE = Axe()


def email_of(who: Role | str) -> str:
    """A demo account's address for a role, or the address itself."""
    return Auth.EMAILS[who] if isinstance(who, Role) else who


def login(page: Page, who: Role | str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the log-in form (its Dutch labels) and wait until the site answered."""
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email_of(who))
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()


def wcag_violations(page: Page) -> list[dict[str, Any]]:
    """The axe-core violations on the page that break WCAG 2.0/2.1 level A or AA."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if WCAG_TAGS & set(v["tags"])]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and one per failing element, for the assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']}: {violation['help']} ({violation['helpUrl']})")
        lines.extend(f"    {node['target']}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = wcag_violations(page)
    assert not violations, f"{page.url}:\n{describe(violations)}"


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two computed CSS colours such as ``rgb(21, 66, 115)``."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(float(c)) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
