"""Why the feedback wing refused something."""

from __future__ import annotations


class FeedbackError(ValueError):
    """Refused; ``str()`` says why. Nothing was stored."""
