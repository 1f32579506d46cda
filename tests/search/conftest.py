"""Fixtures for calling the search wing directly, without a request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from reviewhub.models import Role, User
from tests.factories import Auth, user_with_role


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """The app's context, as a command has it (closing dates in the app's time zone)."""
    with app.app_context():
        yield


@pytest.fixture
def people(session: Session) -> dict[Role, User]:
    """The demo account of every role."""
    return {role: user_with_role(session, role) for role in Auth.EMAILS}
