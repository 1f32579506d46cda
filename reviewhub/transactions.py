"""Writes that hold under load: a request or job that fails on a passing condition (SQLite
busy, a PostgreSQL serialization failure or deadlock, a lost connection) is rolled back and run
again, a few times, before anyone sees an error."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import exc

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # requests that do not write
# Set in the app context of a job that writes (jobs.job): on SQLite its transactions begin
# with the write lock (database._will_write), as a page's POST does.
WRITING_JOB = "sqlite_job_writes"
ATTEMPTS = 3
RETRY_PAUSE_S = 0.05  # doubled after each attempt
_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock (PostgreSQL)
P = ParamSpec("P")
T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    """Whether the database failed on something that passes: trying again may succeed."""
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if getattr(error.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def retrying(work: Callable[P, T]) -> Callable[P, T]:
    """Run ``work`` again, after a rollback and a short pause, when the database failed on
    something that passes; the last failure is raised. Work must be safe to repeat up to its
    commit: a view is (it commits once, at its end; the double-submit guard covers a form)."""

    @wraps(work)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> T:
        for number in range(ATTEMPTS):
            try:
                return work(*args, **kwargs)
            except exc.DBAPIError as error:
                if number == ATTEMPTS - 1 or not is_transient(error):
                    raise
                db.session.rollback()
                time.sleep(RETRY_PAUSE_S * 2**number)
        raise AssertionError("unreachable: the last attempt returns or raises")

    return attempt
