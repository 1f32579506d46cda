"""The mixed load of bench/load/run_load.py: nine page reads to one reaction.

Each simulated person logs in as the demo partner (CSRF on, as in production), then reads
version pages, sections' own pages (their threads), the comparison and the document list, and
now and then posts a reaction through the real form of a section page. Every reaction the
server acknowledged (a redirect) is written, with its form token, to the file named by
REVIEWHUB_LOAD_ACKNOWLEDGED, so the runner can check afterwards that each one is stored.
"""

from __future__ import annotations

import os
import random
import re
import uuid

from locust import HttpUser, between, task

SLUG = os.environ.get("REVIEWHUB_LOAD_SLUG", "handelingskader-veiligheidsteams")
OPEN_VERSION = int(os.environ.get("REVIEWHUB_LOAD_VERSION", "3"))
KEYS = os.environ.get("REVIEWHUB_LOAD_KEYS", "veiligheid").split(",")
PASSWORD = "demo-reviewhub"
ACKNOWLEDGED = os.environ.get("REVIEWHUB_LOAD_ACKNOWLEDGED", "/tmp/reviewhub-acknowledged.txt")
_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')
_FIELD = re.compile(r'name="(s\d+)-body"')
_GROUP = re.compile(r'name="s\d+-group"[^>]*>\s*<option[^>]*value="(\d+)"', re.S)


def _csrf(page: str) -> str | None:
    """The form token on a page (the same for every form in one session)."""
    field = _INPUT.search(page)
    value = _VALUE.search(field.group(0)) if field else None
    return value.group(1) if value else None


class Partner(HttpUser):
    wait_time = between(0, 0.05)

    def on_start(self) -> None:
        page = self.client.get("/login", name="login form").text
        token = _csrf(page)
        assert token, "no CSRF token on the log-in form"
        self.client.post(
            "/login",
            data={"email": "partner@example.org", "password": PASSWORD,
                  "csrf_token": token},
            name="log in",
        )  # fmt: skip

    @task(40)
    def version_page(self) -> None:
        self.client.get(f"/documents/{SLUG}/v/{OPEN_VERSION}", name="version page")

    @task(25)
    def section_thread(self) -> None:
        key = random.choice(KEYS)
        self.client.get(f"/documents/{SLUG}/v/{OPEN_VERSION}/s/{key}", name="section page")

    @task(15)
    def compare(self) -> None:
        self.client.get(f"/documents/{SLUG}/compare/1...{OPEN_VERSION}", name="compare")

    @task(10)
    def document_list(self) -> None:
        self.client.get("/documents/", name="document list")

    @task(10)
    def react(self) -> None:
        key = random.choice(KEYS)
        url = f"/documents/{SLUG}/v/{OPEN_VERSION}/s/{key}"
        page = self.client.get(url, name="section page (to react)").text
        token, field, group = _csrf(page), _FIELD.search(page), _GROUP.search(page)
        if not (token and field and group):
            return
        prefix, client_token = field.group(1), uuid.uuid4().hex
        form = {
            f"{prefix}-csrf_token": token,
            f"{prefix}-kind": "question",
            f"{prefix}-body": f"Belastingproef {client_token[:8]}: wat betekent dit voor ons?",
            f"{prefix}-group": group.group(1),
            f"{prefix}-visibility": "public",
            f"{prefix}-client_token": client_token,
        }
        with self.client.post(
            url, data=form, name="post reaction", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                with open(ACKNOWLEDGED, "a", encoding="utf-8") as acknowledged:
                    acknowledged.write(client_token + "\n")
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class StaticPage(HttpUser):
    """The same page served as a file (run_load.py --static): what the page could reach."""

    wait_time = between(0, 0.05)

    @task
    def page(self) -> None:
        self.client.get("/", name="static version page")
