"""Why the accounts wing refused something; ``str()`` says why, for the person at the screen."""

from __future__ import annotations


class AccountError(ValueError):
    """Refused; ``str()`` says why, for the person at the screen."""


class LinkError(AccountError):
    """An invitation or reset link that cannot be used (expired, used or forged)."""
