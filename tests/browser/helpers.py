"""Helpers for the browser tests: logging in through the real form, reactions put in the live
server's database, and auditing a page with axe-core (shipped inside the axe-playwright-python
package, run through page.evaluate, so nothing is fetched and the page's CSP stays as strict
as in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from reviewhub.extensions import db
from reviewhub.feedback.posting import post_comment
from reviewhub.feedback.questions import add_question
from reviewhub.models import Document, Role, Version
from reviewhub.samples import DEMO_PASSWORD
from tests.factories import Auth, group_named, reaction, sample_section, user_with_role

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


def seed_reactions(app: Flask, key: str, count: int, replies: bool = False) -> None:
    """``count`` reactions of the demo partner (for Regio Twente) on the section ``key`` of
    the open Dialoogversie 3, each answered by the reviewer when ``replies``; committed."""
    with app.app_context():
        session = db.session
        target = sample_section(session, 3, key)  # type: ignore[arg-type]
        partner = user_with_role(session, Role.PARTNER)  # type: ignore[arg-type]
        reviewer = user_with_role(session, Role.REVIEWER)  # type: ignore[arg-type]
        twente = group_named(session)  # type: ignore[arg-type]
        for n in range(count):
            question = post_comment(
                session, partner, target, reaction(f"Vraag {n} over {key}", group=twente)
            )
            if replies:
                answer = reaction(f"Antwoord op vraag {n}", kind=None)
                post_comment(session, reviewer, target, answer, question)
        session.commit()
        session.remove()


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


def ask_questions(app: Flask, version_path: str, keys: list[str | None]) -> None:
    """A consultation question by the demo author about each of ``keys`` (None: the version
    as a whole) of the version at ``version_path`` (/documents/<slug>/v/<n>); committed."""
    slug, number = version_path.split("/")[2], int(version_path.rsplit("/", 1)[1])
    with app.app_context():
        session = db.session
        version = session.scalars(
            select(Version).join(Document).where(Document.slug == slug, Version.number == number)
        ).one()
        author = user_with_role(session, Role.AUTHOR)  # type: ignore[arg-type]
        for key in keys:
            section = next((s for s in version.sections if s.key == key), None)
            about = section.heading if section is not None else "deze versie"
            add_question(session, author, version, f"Wat mist u in {about}?", section)
        session.commit()
