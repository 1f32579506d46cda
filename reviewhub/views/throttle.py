"""Counters of failed log-ins and of reset mails, kept in the rate limiter's storage: in
process memory by default, shared between workers when REVIEWHUB_RATELIMIT_STORAGE_URI names a
store such as Redis.

Failed log-ins count per account and address, so that someone guessing from one place does not
lock the owner out elsewhere; they also count per account from anywhere, but a device the owner
logged in from before is exempt from that (OWASP's "device cookie"), so a spread-out attack
cannot lock the owner out either. Every limit is a window that passes: a back-off, not a lock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse

from ..extensions import limiter


@dataclass(frozen=True)
class Counter:
    name: str
    config_key: str  # where the limit is configured, e.g. "10 per minute"

    def _limit(self) -> RateLimitItem:
        return parse(current_app.config[self.config_key])

    def exceeded(self, *key: str) -> bool:
        return not limiter.limiter.test(self._limit(), self.name, *key)

    def count(self, *key: str) -> None:
        limiter.limiter.hit(self._limit(), self.name, *key)

    def clear(self, *key: str) -> None:
        limiter.limiter.clear(self._limit(), self.name, *key)

    def seconds_left(self, *key: str) -> int:
        """How long until the window allows the next attempt."""
        reset_at = limiter.limiter.get_window_stats(self._limit(), self.name, *key).reset_time
        return max(1, math.ceil(reset_at - time.time()))


FAILED_LOGINS_HERE = Counter("login-failed-here", "LOGIN_RATE_LIMIT")
FAILED_LOGINS_ANYWHERE = Counter("login-failed-anywhere", "LOGIN_ACCOUNT_RATE_LIMIT")
RESET_MAILS = Counter("reset-mail", "RESET_MAIL_RATE_LIMIT")
# Calls to the JSON API: per token or person, and per address for anonymous clients.
API_CALLS = Counter("api-calls", "API_RATE_LIMIT")
API_CALLS_ANONYMOUS = Counter("api-calls-anonymous", "API_ANONYMOUS_RATE_LIMIT")
