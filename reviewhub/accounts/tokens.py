"""Personal API tokens: made and revoked by their holder on the profile page, shown once,
kept as a SHA-256 only; each has scopes (read, write, review), an expiry and its last use. A
scope never gives more than the holder's role: the API asks ``can`` as the pages do."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext
from sqlalchemy import select

from .. import audit
from ..clock import local_today
from ..dbtypes import DbSession
from ..models import ApiToken, TokenScope, User
from ..permissions import Action, can
from .errors import AccountError

PREFIX = "rh_"  # says what it is, in a log or a leaked file
MAX_DAYS = 366  # a token lives at most a year; a new one is made in a minute
DEFAULT_DAYS = 90
MAX_TOKENS = 20  # live tokens per person
USE_STAMP_EVERY = timedelta(minutes=5)  # last use, noted at most this often (one write)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once; never stored


def create_token(
    session: DbSession,
    user: User,
    name: str,
    scopes: list[TokenScope],
    expires_on: date,
    today: date | None = None,
) -> NewToken:
    """A new token for ``user``; AccountError says what is wrong with the request."""
    today = today or local_today()
    name = " ".join(name.split())[:100]
    if not name:
        raise AccountError(lazy_gettext("Give the token a name, such as 'Dashboard regio'."))
    if not scopes:
        raise AccountError(lazy_gettext("Choose at least one thing the token may do."))
    if TokenScope.REVIEW in scopes and not can(user, Action.REVIEW_BY_TOKEN):
        raise AccountError(lazy_gettext("Only the review group can make a token that decides."))
    if not today < expires_on <= today + timedelta(days=MAX_DAYS):
        raise AccountError(
            lazy_gettext("A token expires after today and within a year; choose another date.")
        )
    if len(live_tokens(session, user, today)) >= MAX_TOKENS:
        raise AccountError(
            lazy_gettext("You have %(num)d tokens; revoke one first.", num=MAX_TOKENS)
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret),
                     prefix=secret[:10], scopes=sorted(s.value for s in set(scopes)),
                     expires_on=expires_on)  # fmt: skip
    session.add(token)
    audit.record(session, user, "token.created", user, name,
                 scopes=token.scopes, expires_on=expires_on.isoformat())  # fmt: skip
    return NewToken(token, secret)


def revoke_token(session: DbSession, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise AccountError(lazy_gettext("This token does not exist or is revoked already."))
    token.revoked_at = datetime.now(UTC)
    audit.record(session, user, "token.revoked", user, token.name)
    return token


def live_tokens(session: DbSession, user: User, today: date | None = None) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    today = today or local_today()
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_on >= today,
            )
            .order_by(ApiToken.id.desc())
        )
    )


def token_holder(session: DbSession, secret: str) -> tuple[User, ApiToken] | None:
    """The active person a live token belongs to, and the token; its last use noted."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or token.revoked_at is not None or token.expires_on < local_today():
        return None
    if not token.user.active:
        return None
    now = datetime.now(UTC)
    last = token.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) > USE_STAMP_EVERY:
        token.last_used_at = now
    return token.user, token


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
