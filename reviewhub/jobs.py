"""The job queue: work that must not run inside a request (mail, and later notification
fan-out and large exports), on huey. Embedded by default: a SQLite file in the instance
folder, which a worker on the same machine reads (``flask --app reviewhub worker``); on Redis
when REVIEWHUB_REDIS_URL (or REVIEWHUB_JOBS_REDIS_URL) names one, so that workers on several
machines share it. With REVIEWHUB_JOBS_IMMEDIATE (the tests) a job runs at once, where it is
enqueued, in that app.

A job is enqueued only after the transaction that made it commits (``after_commit``): a
rolled-back request sends no mail about what it did not store. A job that fails is tried
again with a growing delay; after its last try it is kept as a FailedJob for the
administrators, who can send it again."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context
from huey import Huey, crontab, signals
from huey.api import Task, TaskWrapper
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from .dbtypes import DbSession
from .extensions import db
from .models import FailedJob
from .transactions import WRITING_JOB

log = logging.getLogger(__name__)

RETRIES = 4  # tries after the first
RETRY_DELAY_S = 30  # then 60, 120, 240: about eight minutes in all
queue = Huey("reviewhub", storage_class=MemoryStorage, utc=True)
_app: Flask | None = None  # the app whose context every job runs in (this process's)


# What each job is for, in a line an administrator understands (for FailedJob.summary).
_describers: dict[str, Callable[..., str]] = {}


def init_app(app: Flask) -> None:
    """The queue's store as configured, and this app as the one jobs run in."""
    global _app
    _app = app
    redis_url = app.config.get("JOBS_REDIS_URL")
    if redis_url:
        queue.storage_class, queue.storage_kwargs = RedisStorage, {"url": redis_url}
    else:
        path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs.sqlite3")
        queue.storage_class, queue.storage_kwargs = SqliteStorage, {"filename": str(path)}
    queue.storage = queue.create_storage()


def job(
    describe: Callable[..., str], *, writes: bool = True
) -> Callable[[Callable[..., None]], TaskWrapper]:
    """A function the queue runs, in an app context, tried again with back-off when it
    raises. ``describe`` says in a line what one call of it is for; ``writes``: its
    transactions write (on SQLite they then begin with the write lock; a job that reads long
    before a short write, such as a large export, says False and writes in a transaction of
    its own)."""

    def register(work: Callable[..., None]) -> TaskWrapper:
        _describers[work.__name__] = describe

        def in_app(*args: Any) -> None:
            if has_app_context():  # run at once (JOBS_IMMEDIATE)
                work(*args)
                return
            assert _app is not None, "jobs.init_app was not called"
            with _app.app_context():
                g.setdefault(WRITING_JOB, writes)
                work(*args)

        in_app.__name__ = work.__name__
        wrapped: TaskWrapper = queue.task(
            retries=RETRIES, retry_delay=RETRY_DELAY_S, retry_backoff=2, name=work.__name__
        )(in_app)
        return wrapped

    return register


def periodic(**when: str) -> Callable[[Callable[[], None]], Any]:
    """A function the worker runs on a schedule (huey's crontab: minute, hour, day …), in an
    app context."""

    def register(work: Callable[[], None]) -> Any:
        def in_app() -> None:
            assert _app is not None, "jobs.init_app was not called"
            with _app.app_context():
                g.setdefault(WRITING_JOB, True)
                work()

        in_app.__name__ = work.__name__
        return queue.periodic_task(crontab(**when), name=work.__name__)(in_app)

    return register


def enqueue_after_commit(session: DbSession, task: TaskWrapper, *args: Any) -> None:
    """Enqueue ``task(*args)`` once ``session``'s transaction commits; at once when none is
    open; never when it rolls back."""
    _after_commit(session, lambda: _start(task.func, lambda: task(*args), args))


def _after_commit(session: DbSession, start: Callable[[], None]) -> None:
    current = session() if isinstance(session, scoped_session) else session
    if current.in_transaction():
        current.info.setdefault("jobs_waiting", []).append(start)
    else:
        start()


def _start(work: Callable[..., None], enqueue: Callable[[], Any], args: tuple[Any, ...]) -> None:
    """Into the queue; with JOBS_IMMEDIATE (the tests), run here and now, in this app."""
    app = current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined]
    if app is not None and app.config.get("JOBS_IMMEDIATE"):
        # In an app context of its own, as in a worker: its own session, which may write
        # while the one that enqueued it is still finishing its commit.
        with app.app_context():
            work(*args)
    else:
        enqueue()


@event.listens_for(Session, "after_commit")
def _enqueue_waiting(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy says so too): the real commit is to come
    for start in session.info.pop("jobs_waiting", []):
        start()


@event.listens_for(Session, "after_soft_rollback")
def _drop_waiting(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop("jobs_waiting", None)


@queue.signal(signals.SIGNAL_ERROR)
def _keep_the_last_failure(signal: str, task: Task, error: BaseException | None = None) -> None:
    """After the last try (no retries left), the job is kept for the administrators."""
    if task.retries > 0:
        log.warning("Job %s failed; %d tries left", task.name, task.retries)
        return
    assert _app is not None
    with _app.app_context():
        db.session.add(
            FailedJob(
                task=task.name,
                summary=_summary(task)[:500],
                error="".join(traceback.format_exception(error))[-4000:] if error else "",
                tries=RETRIES + 1,
                payload=queue.serialize_task(task),
            )
        )
        db.session.commit()
    log.error("Job %s failed on its last try; kept for the administrators", task.name)


def _summary(task: Task) -> str:
    describer = _describers.get(task.name)
    try:
        return describer(*task.args) if describer else task.name
    except Exception:  # a summary must never hide the failure itself
        return task.name


def send_again(session: DbSession, failed: FailedJob) -> None:
    """Put a failed job back in the queue, with all its tries (after the commit)."""
    task = queue.deserialize_task(failed.payload)
    task.retries, task.retry_delay = RETRIES, RETRY_DELAY_S
    failed.settled_at = datetime.now(UTC)
    _after_commit(session, lambda: _start(task.execute, lambda: queue.enqueue(task), ()))


def put_aside(failed: FailedJob) -> None:
    failed.settled_at = datetime.now(UTC)
