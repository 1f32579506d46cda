"""The service's calendar: closing dates are Dutch calendar dates, whoever asks and from where.
No Flask here, so permissions and the domain can tell the date without an app context."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE_NAME = "Europe/Amsterdam"
TIMEZONE = ZoneInfo(TIMEZONE_NAME)


def local_today() -> date:
    """Today in Europe/Amsterdam."""
    return datetime.now(TIMEZONE).date()
