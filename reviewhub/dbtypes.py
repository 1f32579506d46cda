"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.orm import Session, scoped_session

# What domain functions take as their session: a plain Session (tests, scripts) or
# Flask-SQLAlchemy's scoped ``db.session``, which hands every call on to the request's one.
DbSession = Session | scoped_session[Any]


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every database, read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None
