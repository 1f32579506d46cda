"""Contract fuzzing: schemathesis generates requests from the API's own OpenAPI description
and checks every answer against it (no 5xx; status codes, content types, headers and bodies
as described). For every operation: once as generated, paths and all, and once on the
sample's real document, versions and reaction; as an anonymous client and with a token of
each scope. Examples are bounded so that the suite stays quick; the hand-written tests cover
the cases one by one.

The operations are looped inside each test rather than parametrised by schemathesis's pytest
plugin: that plugin's fixture loader does not run on pytest 9.2 (it reads a removed private
attribute of the test item)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from reviewhub.models import Role, TokenScope
from tests.factories import SAMPLE_SLUG
from tests.views.test_api import bearer

BOUNDED = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Who calls: nobody, the partner with each scope alone, the reviewer with all of them.
CALLERS = {
    "anonymous": None,
    "read": (Role.PARTNER, (TokenScope.READ,)),
    "write": (Role.PARTNER, (TokenScope.WRITE,)),
    "review": (Role.REVIEWER, (TokenScope.READ, TokenScope.WRITE, TokenScope.REVIEW)),
}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# What else an answer may rightly be: a body over the API's 64 KB is a 413 before it is read
# (the description's lengths are per field); valid JSON may still be refused by the rules
# (a closed version, a section that does not exist: 403, 409, 422).
CHECKS = SchemathesisConfig.from_dict(
    {
        # A NUL character is refused before any view, with a 400 (tests/views/test_api_writes.py).
        "generation": {"allow-x00": False},
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
            },
            "positive_data_acceptance": {
                "expected-statuses": ["2XX", 304, 401, 403, 404, 409, 413, 422]
            },
        },
    }
)


@pytest.fixture
def operations(app, session) -> list[Any]:
    described = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CHECKS)
    return [result.ok() for result in described.get_all_operations()]


@pytest.fixture(params=sorted(CALLERS))
def caller(request, app, session) -> dict[str, str]:
    who = CALLERS[request.param]
    if who is None:
        return {}
    role, scopes = who
    return bearer(app, session, role, scopes=scopes)


@pytest.fixture
def real_paths(app, session) -> dict[str, Any]:
    from tests.views.test_routes import partner_question

    reaction = partner_question(app, session).id
    return {"slug": SAMPLE_SLUG, "number": 3, "a": 2, "b": 3, "comment_id": reaction}


def fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    paths: dict[str, Any] | None = None,
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @BOUNDED
    def each(case: Any) -> None:
        if paths and case.path_parameters:
            real = {name: paths[name] for name in case.path_parameters if name in paths}
            case.path_parameters = {**case.path_parameters, **real}
        # A real path or a caller's token may undo what made a negative case invalid, so
        # then it is not asked to be refused; it must still be answered as described.
        undone = mode.is_negative and bool(paths or headers)
        case.call_and_validate(
            headers=headers, excluded_checks=[negative_data_rejection] if undone else []
        )

    try:
        each()
    except Unsatisfiable:  # no parameter to get wrong (GET /documents): nothing negative
        assert mode is GenerationMode.NEGATIVE


@pytest.mark.parametrize("mode", MODES, ids=str)
def test_generated_requests_are_answered_as_described(operations, mode):
    for operation in operations:
        fuzz(operation, mode, {})


@pytest.mark.parametrize("mode", MODES, ids=str)
def test_requests_on_real_data_are_answered_as_described(operations, caller, real_paths, mode):
    for operation in operations:
        fuzz(operation, mode, caller, real_paths)
