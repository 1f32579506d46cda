"""People and groups: creating, inviting, signing in, profiles, privacy. Callers commit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .models import AuditEvent, Group, GroupKind, LoginSession, Membership, Role, User, Version

INVITATION_MAX_AGE = timedelta(days=7)
# How long a log-in lasts at most, whatever its cookies say: a day, or with "keep me logged in"
# a month.
SESSION_MAX_AGE = timedelta(days=1)
REMEMBERED_SESSION_MAX_AGE = timedelta(days=30)
RESET_MAX_AGE = timedelta(hours=2)
MIN_PASSWORD_LENGTH = 10
INVITATION, PASSWORD_RESET = "invitation", "password-reset"
# Checked against when the e-mail address is unknown, so a failed log-in takes as long
# either way and does not reveal which addresses have an account.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """Refused; ``str()`` says why, for the person at the screen."""


class LinkError(AccountError):
    """An invitation or reset link that cannot be used (expired, used or forged)."""


def _clean(text: str | None) -> str:
    """Form text without surrounding spaces; a field left out of the form counts as empty."""
    return (text or "").strip()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
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


# Log-in sessions ---------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, *, remember: bool) -> str:
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


def session_user(session: Session, token: str) -> User | None:
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


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))


def end_all_sessions(session: Session, user: User) -> None:
    """Log ``user`` out everywhere."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def check_new_password(password: str, repeated: str) -> None:
    if password != repeated:
        raise AccountError(gettext("The two passwords are not the same."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            gettext(
                "Choose a password of at least %(count)d characters.", count=MIN_PASSWORD_LENGTH
            )
        )


# Links -------------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"reviewhub-{purpose}")


def make_link_token(user: User, purpose: str) -> str:
    """A signed token naming the user and their current credentials: setting a password
    changes those, so a link works once."""
    return _serializer(purpose).dumps([user.id, user.credentials_stamp])


def user_for_link(session: Session, token: str, purpose: str) -> User:
    max_age = INVITATION_MAX_AGE if purpose == INVITATION else RESET_MAX_AGE
    try:
        user_id, stamp = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise LinkError(gettext("This link has expired. Ask for a new one.")) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkError(_invalid_link()) from error
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise LinkError(_invalid_link())
    if not hmac.compare_digest(str(stamp), user.credentials_stamp):
        raise LinkError(gettext("This link has been used already. Ask for a new one if needed."))
    return user


def _invalid_link() -> str:
    return gettext("This link is not valid. Check that you copied all of it.")


def set_password_from_link(
    session: Session, token: str, purpose: str, password: str, repeated: str
) -> User:
    user = user_for_link(session, token, purpose)
    check_new_password(password, repeated)
    user.set_password(password)
    end_all_sessions(session, user)
    audit.record(session, user, "auth.password_set", user, via=purpose)
    return user


def password_reset_request(session: Session, email: str) -> tuple[User, str] | None:
    """The account and a reset token when the address belongs to an active account.
    The caller answers the same either way."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        return None
    audit.record(session, None, "auth.password_reset_requested", user)
    return user, make_link_token(user, PASSWORD_RESET)


# People ------------------------------------------------------------------------------------


def create_person(
    session: Session,
    actor: User | None,
    *,
    name: str,
    email: str,
    role: Role,
    organisation: str = "",
    function: str = "",
) -> User:
    if find_by_email(session, email):
        raise AccountError(gettext("There is already an account with this e-mail address."))
    person = User(
        name=_clean(name),
        email=normalise_email(email),
        role=role,
        organisation=_clean(organisation),
        function=_clean(function),
    )
    session.add(person)
    session.flush()
    audit.record(session, actor, "person.created", person, person.name, role=role.value)
    return person


def update_person(
    session: Session,
    actor: User,
    person: User,
    *,
    name: str,
    email: str,
    role: Role,
    active: bool,
    organisation: str = "",
    function: str = "",
) -> None:
    other = find_by_email(session, email)
    if other is not None and other.id != person.id:
        raise AccountError(gettext("There is already an account with this e-mail address."))
    if person.id == actor.id and (role is not Role.ADMIN or not active):
        raise AccountError(
            gettext("You cannot take away your own administrator role or deactivate yourself.")
        )
    set_role(session, actor, person, role)
    if active is not person.active:
        if not active:  # for good: reactivating the account must not revive its cookies
            end_all_sessions(session, person)
        audit.record(
            session,
            actor,
            "person.activated" if active else "person.deactivated",
            person,
            person.name,
        )
    person.name, person.email, person.active = _clean(name), normalise_email(email), active
    person.organisation, person.function = _clean(organisation), _clean(function)


def set_role(session: Session, actor: User | None, person: User, role: Role) -> None:
    if role is not person.role:
        audit.record(session, actor, "person.role_changed", person, person.name,
                     old=person.role.value, new=role.value)  # fmt: skip
        person.role = role


def set_memberships(
    session: Session,
    actor: User | None,
    person: User,
    group_ids: list[int],
    coordinator_group_ids: list[int],
) -> None:
    """Make ``person`` a member of exactly these groups (coordinator of some of them)."""
    wanted = set(group_ids)
    before = {m.group_id: m.coordinator for m in person.memberships}
    person.memberships = [m for m in person.memberships if m.group_id in wanted]
    for group_id in wanted - before.keys():
        if session.get(Group, group_id) is None:
            raise AccountError(gettext("That group does not exist (any more)."))
        person.memberships.append(Membership(group_id=group_id))
    for membership in person.memberships:
        membership.coordinator = membership.group_id in coordinator_group_ids
    after = {m.group_id: m.coordinator for m in person.memberships}
    if after != before:
        audit.record(
            session,
            actor,
            "person.groups_changed",
            person,
            person.name,
            old=_group_names(session, before),
            new=_group_names(session, after),
        )


def _group_names(session: Session, memberships: dict[int, bool]) -> list[str]:
    if not memberships:
        return []
    rows = session.execute(select(Group.id, Group.name).where(Group.id.in_(memberships)))
    names = {group_id: name for group_id, name in rows}
    return sorted(names[i] + (" (coordinator)" if memberships[i] else "") for i in memberships)


def people_query(search: str = "", role: Role | None = None) -> Any:
    query = select(User).order_by(func.lower(User.name))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern),
                func.lower(User.email).like(pattern),
                func.lower(User.organisation).like(pattern),
            )
        )
    if role is not None:
        query = query.where(User.role == role)
    return query


def update_profile(
    session: Session,
    user: User,
    *,
    name: str,
    organisation: str,
    function: str,
    sector: str,
    language: str,
) -> None:
    user.name, user.organisation, user.function, user.sector = (
        _clean(name),
        _clean(organisation),
        _clean(function),
        _clean(sector),
    )
    user.language = language


def personal_data(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, for their own download (AVG article 15)."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.object_type == "user") & (AuditEvent.object_id == user.id),
            )
        )
        .order_by(AuditEvent.at)
    )
    published = session.scalars(select(Version).where(Version.published_by_id == user.id))
    return {
        "profile": {
            "name": user.name,
            "email": user.email,
            "role": user.role.value,
            "organisation": user.organisation,
            "function": user.function,
            "sector": user.sector,
            "language": user.language,
            "active": user.active,
            "created_at": user.created_at.isoformat(),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
        "groups": [
            {"name": m.group.name, "kind": m.group.kind.value, "coordinator": m.coordinator}
            for m in user.memberships
        ],
        "published_versions": [
            {
                "document": v.document.slug,
                "number": v.number,
                "label": v.label,
                "published_at": v.published_at.isoformat(),
            }
            for v in published
        ],
        "audit_events": [
            {"at": e.at.isoformat(), "action": e.action, "summary": e.summary, "details": e.details}
            for e in events
        ],
    }


def anonymise(session: Session, actor: User, person: User) -> None:
    """Remove what identifies ``person``; memberships stay, so what they wrote remains
    attributed to "former participant" of their group."""
    if person.id == actor.id:
        raise AccountError(gettext("You cannot anonymise your own account."))
    audit.record(session, actor, "person.anonymised", person)
    end_all_sessions(session, person)
    person.name = ""
    person.email = f"anonymised-{person.id}@invalid"
    person.password_hash = None
    person.organisation = person.function = person.sector = ""
    person.active = False
    person.anonymised_at = datetime.now(UTC)
    about_person = (AuditEvent.object_type == "user") & (AuditEvent.object_id == person.id)
    for event in session.scalars(select(AuditEvent).where(about_person)):
        event.summary = ""
        event.details = {k: v for k, v in event.details.items() if k not in ("email",)}


# Groups ------------------------------------------------------------------------------------


def groups_query(search: str = "", kind: GroupKind | None = None) -> Any:
    query = select(Group).order_by(func.lower(Group.name))
    if search:
        query = query.where(func.lower(Group.name).like(f"%{search.strip().lower()}%"))
    if kind is not None:
        query = query.where(Group.kind == kind)
    return query


def save_group(
    session: Session,
    actor: User,
    group: Group | None,
    *,
    name: str,
    kind: GroupKind,
    description: str,
    active: bool,
) -> Group:
    clash = session.scalar(select(Group).where(func.lower(Group.name) == _clean(name).lower()))
    if clash is not None and clash is not group:
        raise AccountError(gettext("There is already a group with this name."))
    created = group is None
    if group is None:
        group = Group(name=_clean(name), kind=kind)
        session.add(group)
    group.name, group.kind, group.description, group.active = (
        _clean(name),
        kind,
        _clean(description),
        active,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "group.created" if created else "group.updated",
        group,
        group.name,
        kind=kind.value,
        active=active,
    )
    return group


def active_groups(session: Session) -> list[Group]:
    return list(session.scalars(select(Group).where(Group.active).order_by(Group.name)))
