"""schemathesis over every service's OpenAPI document, through the gateway: no server errors.

Each operation gets generated requests, valid and not, with a practice owner's real token
(the owner holds every staff permission, so requests get past authorization and into the
handlers). Any 5xx is a failure; the example count is kept small so the run stays short.

The documents are fetched from the running gateway, so the operations are enumerated here
rather than with schemathesis' pytest decorators (those load the schema at import time).
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from e2e_stack import GATEWAY, SERVICES, new_practice, session_from
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 25
FUZZ = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def own_address() -> requests.Session:
    """Requests from 127.0.0.2: the gateway's per-address limits (sign-in, credentials) then
    count the fuzzer's calls apart from the other end-to-end tests' sign-ins."""
    return session_from("127.0.0.2")


@pytest.fixture(scope="module")
def owner(platform):
    return new_practice(platform, "Fuzz PT", "owner@fuzz.example")


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_answers_with_a_server_error(platform, owner, own_address, service):
    base_url = f"{GATEWAY}/api/{service}"
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: dict[str, str] = {}
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{service} documents no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def fuzz(case) -> None:
            response = case.call_and_validate(base_url=base_url, headers=owner.headers,
                                              session=own_address, checks=[not_a_server_error],
                                              timeout=30)
            statuses.append(response.status_code)

        try:
            fuzz()
        except Exception as failure:  # noqa: BLE001 - collected, reported together below
            failures[operation.label] = str(failure)[:2000]
    # Proof the requests were made, and that some got past validation into the handlers.
    assert len(statuses) >= len(operations)
    assert any(status < 400 for status in statuses), sorted(set(statuses))
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
