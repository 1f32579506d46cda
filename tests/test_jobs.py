"""The job queue (reviewhub.jobs): a job is enqueued only once its transaction commits; a real
worker (`flask worker`, a process of its own) delivers mail to a real SMTP server (aiosmtpd),
on the embedded queue and on Redis; a failing job is tried again later and later, and after
its last try is kept for the administrators, who send it again or put it aside."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from reviewhub import create_app, jobs
from reviewhub.models import AuditEvent, FailedJob, Role
from reviewhub.notifications import mail
from tests.factories import Auth
from tests.workers import Inbox, free_port, mail_server, wait_for, worker

REDIS_URL = os.environ.get("REVIEWHUB_TEST_REDIS_URL")


# Enqueued after the commit ---------------------------------------------------------------


class Recorder:
    """Stands in for a task: notes when it is enqueued."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.func = self.__call__

    def __call__(self, *args: Any) -> None:
        self.calls.append(args)


@pytest.fixture
def plain_session() -> Iterator[Session]:
    with Session(create_engine("sqlite://")) as session:
        yield session


def test_a_job_waits_for_the_commit_and_a_rollback_drops_it(plain_session):
    task = Recorder()
    plain_session.connection()  # a transaction is open
    jobs.enqueue_after_commit(plain_session, task, "a")  # type: ignore[arg-type]
    assert task.calls == []
    plain_session.commit()
    assert task.calls == [("a",)]
    plain_session.connection()
    jobs.enqueue_after_commit(plain_session, task, "b")  # type: ignore[arg-type]
    plain_session.rollback()
    plain_session.commit()
    assert task.calls == [("a",)]
    jobs.enqueue_after_commit(plain_session, task, "c")  # type: ignore[arg-type]
    assert task.calls == [("a",), ("c",)]  # no transaction open: at once


def test_a_savepoint_released_is_not_the_commit(plain_session):
    task = Recorder()
    plain_session.connection()
    with plain_session.begin_nested():  # as publishing does around the new version
        jobs.enqueue_after_commit(plain_session, task, "a")  # type: ignore[arg-type]
    assert task.calls == []  # the outer transaction may still fail
    plain_session.commit()
    assert task.calls == [("a",)]


# A real worker and a real mail server -----------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with mail_server() as server:
        yield server


def sending_app(app: Any, queue_settings: dict[str, str]) -> Any:
    """Another app (a web worker) on the same database that enqueues for real."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_IMMEDIATE": False,
            **queue_settings,
        }
    )


@pytest.fixture
def restored_queue(app: Any) -> Iterator[None]:
    yield
    jobs.init_app(app)  # the queue as the suite's app had it


def mail_through_a_worker(
    app: Any,
    smtp: tuple[int, Inbox],
    tmp_path: Path,
    queue_env: dict[str, str],
    queue_settings: dict[str, str],
) -> Inbox:
    port, inbox = smtp
    sender = sending_app(app, queue_settings)
    with sender.app_context():
        jobs.queue.flush()  # nothing left over from an earlier run
        mail.send(mail.build_message("partner@example.org", "Nieuwe versie", "Hallo."))
    env = {
        "REVIEWHUB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret",
        "REVIEWHUB_SMTP_HOST": "127.0.0.1",
        "REVIEWHUB_SMTP_PORT": str(port),
        "REVIEWHUB_SMTP_STARTTLS": "0",
        **queue_env,
    }
    log = tmp_path / "worker.log"
    with worker(env, log):
        wait_for(inbox, 1)
    assert inbox.messages, log.read_text()
    return inbox


def test_a_real_worker_delivers_mail_to_a_real_smtp_server(app, smtp, tmp_path, restored_queue):
    store = str(tmp_path / "jobs.sqlite3")
    inbox = mail_through_a_worker(
        app, smtp, tmp_path, {"REVIEWHUB_JOBS_PATH": store}, {"JOBS_SQLITE_PATH": store}
    )
    assert len(inbox.messages) == 1
    assert b"Subject: Nieuwe versie" in inbox.messages[0]


@pytest.mark.skipif(not REDIS_URL, reason="REVIEWHUB_TEST_REDIS_URL is not set")
def test_a_worker_on_redis_delivers_mail(app, smtp, tmp_path, restored_queue):
    assert REDIS_URL is not None
    inbox = mail_through_a_worker(
        app, smtp, tmp_path, {"REVIEWHUB_JOBS_REDIS_URL": REDIS_URL}, {"JOBS_REDIS_URL": REDIS_URL}
    )
    assert [b"Subject: Nieuwe versie" in m for m in inbox.messages] == [True]


# Failures --------------------------------------------------------------------------------


def failing_mail(app: Any, monkeypatch: pytest.MonkeyPatch, tries_left: int) -> Any:
    """A mail job whose server cannot be reached, run by the queue as a worker would."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens there
    with app.app_context():
        raw = bytes(mail.build_message("partner@example.org", "Besluit", "Hallo."))
    task = mail.deliver_mail.s(raw)
    task.retries = tries_left
    jobs.queue.execute(task)  # outside an app context: the job makes its own
    return task


def test_a_failing_job_is_tried_again_later_and_later(app, session, monkeypatch, restored_queue):
    jobs.init_app(app)
    jobs.queue.flush()
    task = failing_mail(app, monkeypatch, tries_left=2)
    scheduled = jobs.queue.scheduled()
    assert [t.id for t in scheduled] == [task.id] and scheduled[0].retries == 1
    assert scheduled[0].retry_delay == 2 * jobs.RETRY_DELAY_S  # the next wait is longer
    assert session.scalars(select(FailedJob)).all() == []  # not yet given up
    jobs.queue.flush()


def test_a_job_failed_on_its_last_try_is_kept_and_sent_again_by_an_admin(
    app, client, session, monkeypatch, outbox, restored_queue
):
    jobs.init_app(app)
    failing_mail(app, monkeypatch, tries_left=0)
    failed = session.scalars(select(FailedJob)).one()
    assert failed.summary == "partner@example.org: Besluit" and "Connection" in failed.error
    Auth(client).login(Role.ADMIN)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "partner@example.org: Besluit" in page and "ConnectionRefusedError" in page
    monkeypatch.setitem(app.config, "SMTP_HOST", "")  # the server is back: the outbox, here
    assert client.post(f"/admin/jobs/{failed.id}/again").status_code == 302
    assert [m["Subject"] for m in outbox.messages] == ["Besluit"]
    session.refresh(failed)
    assert failed.settled_at is not None
    again = client.post(f"/admin/jobs/{failed.id}/again", follow_redirects=True)
    assert "al opnieuw verstuurd" in again.get_data(as_text=True)
    assert len(outbox.messages) == 1  # not twice
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "failedjob"))
    assert list(events) == ["job.sent_again"]


def test_only_administrators_see_failed_jobs(client):
    Auth(client).login(Role.REVIEWER)
    assert client.get("/admin/jobs").status_code == 403


def test_the_worker_command_is_there():
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "reviewhub", "worker", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert "--workers" in done.stdout
