"""Schemathesis against /openapi.json: no generated request, valid or not, gets a 500.
A modest, deterministic example budget (the suite's Hypothesis profile is derandomized)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from outagecomms.service.app import create_app
from outagecomms.store import Store
from tests.incidents.conftest import FakeSender
from tests.service.conftest import Tokens, make_service

EXAMPLES_PER_OPERATION = 20


def test_no_generated_request_is_a_server_error(
    project_root: Path,
    fake_channels: list[str],
    routes: Path,
    store: Store,
    sender: FakeSender,
    tokens: Tokens,
) -> None:
    service = make_service(project_root, store, orchestrator_options={"sender": sender})
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    headers = tokens.header("admin")
    statuses: set[int] = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text)

        no_server_error()
    assert statuses - {401, 403}, statuses  # the token was taken: real handlers answered
