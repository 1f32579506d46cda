"""Who someone is: e-mail addresses, passwords, and the signed one-time links of invitations
and password resets. Callers commit."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..dbtypes import DbSession
from ..models import User
from .errors import AccountError, LinkError
from .sessions import end_all_sessions

INVITATION_MAX_AGE = timedelta(days=7)


RESET_MAX_AGE = timedelta(hours=2)


MIN_PASSWORD_LENGTH = 10


INVITATION, PASSWORD_RESET = "invitation", "password-reset"


# Checked against when the e-mail address is unknown, so a failed log-in takes as long
# either way and does not reveal which addresses have an account.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: DbSession, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None; both outcomes are audited."""
    user = find_by_email(session, email)
    password_ok = check_password_hash(
        user.password_hash if user and user.password_hash else _DUMMY_HASH, password
    )
    if user and user.active and password_ok:
        user.last_login_at = datetime.now(UTC)
        audit.record(session, user, "auth.login", user)
        return user
    audit.record(session, None, "auth.login_failed", user, email=normalise_email(email)[:254])
    return None


def check_new_password(password: str, repeated: str) -> None:
    if password != repeated:
        raise AccountError(lazy_gettext("The two passwords are not the same."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            lazy_gettext(
                "Choose a password of at least %(count)d characters.", count=MIN_PASSWORD_LENGTH
            )
        )


def _serializer(purpose: str, secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"reviewhub-{purpose}")


def make_link_token(user: User, purpose: str, *, secret: str) -> str:
    """A token naming the user and their current credentials, signed with ``secret`` (the
    app's SECRET_KEY): setting a password changes those, so a link works once."""
    return _serializer(purpose, secret).dumps([user.id, user.credentials_stamp])


def user_for_link(session: DbSession, token: str, purpose: str, *, secret: str) -> User:
    max_age = INVITATION_MAX_AGE if purpose == INVITATION else RESET_MAX_AGE
    try:
        user_id, stamp = _serializer(purpose, secret).loads(
            token, max_age=int(max_age.total_seconds())
        )
    except SignatureExpired as error:
        raise LinkError(lazy_gettext("This link has expired. Ask for a new one.")) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkError(_invalid_link()) from error
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise LinkError(_invalid_link())
    if not hmac.compare_digest(str(stamp), user.credentials_stamp):
        raise LinkError(
            lazy_gettext("This link has been used already. Ask for a new one if needed.")
        )
    return user


def _invalid_link() -> LazyString:
    return lazy_gettext("This link is not valid. Check that you copied all of it.")


def set_password_from_link(
    session: DbSession, token: str, purpose: str, password: str, repeated: str, *, secret: str
) -> User:
    user = user_for_link(session, token, purpose, secret=secret)
    check_new_password(password, repeated)
    user.set_password(password)
    end_all_sessions(session, user)
    audit.record(session, user, "auth.password_set", user, via=purpose)
    return user


def password_reset_request(
    session: DbSession, email: str, *, secret: str
) -> tuple[User, str] | None:
    """The account and a reset token when the address belongs to an active account.
    The caller answers the same either way."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        return None
    audit.record(session, None, "auth.password_reset_requested", user)
    return user, make_link_token(user, PASSWORD_RESET, secret=secret)
