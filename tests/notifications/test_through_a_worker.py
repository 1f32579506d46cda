"""The messages end to end, as in production: the site enqueues its jobs after each commit, a
real worker (a process of its own) writes the notifications and sends the mail to a real SMTP
server; the partner reads the four mails (a reply, a decision, a new version, a changed
passage) and finds the same four in their inbox."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from reviewhub import create_app, jobs
from reviewhub.extensions import db
from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import NewComment, post_comment
from reviewhub.models import Disposition, Document, Role
from tests.factories import (
    DOCUMENTS,
    SAMPLE_SLUG,
    Auth,
    group_named,
    publish,
    reaction,
    sample_database,
    sample_section,
    user_with_role,
)
from tests.workers import Inbox, mail_server, wait_for, worker

ALWAYS_FIRST = "De veiligheid van kinderen en volwassenen in het gezin gaat altijd voor."


@pytest.fixture
def site(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A site of its own (its own database and queue), whose jobs go to a worker."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "site.sqlite3"),
        "SAMPLE_DOCUMENTS_DIR": str(DOCUMENTS),
        "JOBS_IMMEDIATE": False,
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
    }
    try:
        with sample_database(create_app(settings)) as ready:
            yield ready
    finally:
        jobs.init_app(app)  # the queue as the suite's app had it


def the_partners_round(site: Flask) -> None:
    """The partner reacts; the author replies, the review group decides, the author publishes
    a version that rewrites the passage. Each step commits, as a page would."""
    with site.app_context():
        session = db.session
        partner = user_with_role(session, Role.PARTNER)
        made = post_comment(session, partner, sample_section(session),
                            reaction("Wat is acuut?", group=group_named(session)))  # fmt: skip
        session.commit()
        author = user_with_role(session, Role.AUTHOR)
        post_comment(session, author, made.section, NewComment(None, "Zie bijlage 2.", "r1"), made)
        session.commit()
        decide(session, user_with_role(session, Role.REVIEWER), made,
               Decision(Disposition.ACCEPTED, "We nemen het over."))  # fmt: skip
        session.commit()
        document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
        source = document.versions[-1].source.replace(ALWAYS_FIRST, "Veiligheid gaat voor.")
        publish(session, document, source, label="Dialoogversie 4", summary="Herschreven.")
        session.commit()


def test_a_partner_gets_four_mails_through_a_worker_and_finds_them_in_the_inbox(
    site: Flask, tmp_path: Path
) -> None:
    client = site.test_client()
    Auth(client).login(Role.PARTNER)
    assert client.post(f"/documents/{SAMPLE_SLUG}/follow").status_code == 302
    with mail_server() as (port, inbox):
        the_partners_round(site)
        # Two threads, as `make run` has: two jobs write at the same moment.
        with worker(worker_settings(site, port), tmp_path / "worker.log", threads=2):
            wait_for(inbox, 4)
    subjects = sorted(subject_of(m) for m in mails_to(inbox, "partner@example.org"))
    told = ("De passage van uw reactie", "De reviewgroep heeft besloten",
            "Dialoogversie 4 is gepubliceerd", "Iemand heeft gereageerd")  # fmt: skip
    assert [[said in subject for said in told] for subject in subjects] == [
        [said == expected for said in told] for expected in told
    ], subjects  # one mail each, and no more (nothing of what was published before)
    log = (tmp_path / "worker.log").read_text()
    assert "Unhandled exception" not in log, log  # none waited for a retry ("locked")
    page = client.get("/me/notifications").get_data(as_text=True)
    assert '4<span class="visually-hidden"> ongelezen' in page
    assert all(said in page for said in told)


def worker_settings(site: Flask, port: int) -> dict[str, str]:
    return {
        "REVIEWHUB_DATABASE_URL": site.config["SQLALCHEMY_DATABASE_URI"],
        "REVIEWHUB_JOBS_PATH": site.config["JOBS_SQLITE_PATH"],
        "SECRET_KEY": "test-secret",
        "REVIEWHUB_BASE_URL": "http://localhost",
        "REVIEWHUB_SMTP_HOST": "127.0.0.1",
        "REVIEWHUB_SMTP_PORT": str(port),
        "REVIEWHUB_SMTP_STARTTLS": "0",
    }


def mails_to(inbox: Inbox, address: str) -> list[Any]:
    read = [message_from_bytes(raw, policy=policy.default) for raw in inbox.messages]
    return [m for m in read if m["To"] == address]


def subject_of(message: Any) -> str:
    return str(message["Subject"])
