"""The one place that decides who may do what. Views, templates and the API all ask ``can``."""

from __future__ import annotations

import enum
from typing import Any

from .models import Role, Version, VersionStatus


class Action(enum.StrEnum):
    READ_VERSION = "read_version"
    PUBLISH = "publish"


_PUBLISHERS = {Role.ADMIN, Role.AUTHOR}


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """Whether ``user`` (a User or flask-login's anonymous user) may do ``action`` on ``obj``."""
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    if action is Action.PUBLISH:
        return role in _PUBLISHERS
    if action is Action.READ_VERSION:
        assert isinstance(obj, Version)
        return obj.status is not VersionStatus.DRAFT or role in _PUBLISHERS
    raise ValueError(f"no rule for {action!r}")
