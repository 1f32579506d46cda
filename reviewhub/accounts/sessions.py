"""Log-in sessions kept on the server: a cookie only names one, so ending the row ends the
cookie (log-out, deactivation, a new password). Callers commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from ..dbtypes import DbSession
from ..models import LoginSession, User

# How long a log-in lasts at most, whatever its cookies say: a day, or with "keep me logged in"
# a month.
SESSION_MAX_AGE = timedelta(days=1)


REMEMBERED_SESSION_MAX_AGE = timedelta(days=30)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: DbSession, user: User, *, remember: bool) -> str:
    """A new log-in session for ``user``; the returned token goes into the cookie (through
    ``user.get_id()``). Expired sessions of the same person are cleared on the way."""
    session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < _oldest_allowed(True)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            credentials_stamp=user.credentials_stamp,
            remember=remember,
        )
    )
    user.login_token = token
    return token


def _oldest_allowed(remember: bool) -> datetime:
    return datetime.now(UTC) - (REMEMBERED_SESSION_MAX_AGE if remember else SESSION_MAX_AGE)


def session_user(session: DbSession, token: str) -> User | None:
    """The active person logged in with ``token``, if that session still holds: not logged
    out, not expired, and the password unchanged since."""
    row = session.execute(
        select(LoginSession, User)
        .join(User, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _token_hash(token), User.active)
    ).first()
    if row is None:
        return None
    login, user = row
    if login.created_at < _oldest_allowed(login.remember) or not hmac.compare_digest(
        login.credentials_stamp, user.credentials_stamp
    ):
        return None
    user.login_token = token
    return user


def end_session(session: DbSession, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))


def end_all_sessions(session: DbSession, user: User) -> None:
    """Log ``user`` out everywhere."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
