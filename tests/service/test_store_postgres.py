"""The service's records on PostgreSQL: tokens and Idempotency-Key behave as on SQLite
(several replicas share them there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.incidents import open_project_store
from outagecomms.project import Project
from outagecomms.service.tokens import Scope, create_token, revoke_token, verify_token
from outagecomms.store import Store
from tests.incidents.conftest import IMPACT, RUNBOOK, FakeSender
from tests.service.conftest import Client, make_service


@pytest.fixture
def pg_store(project_root: Path, postgres_url: str) -> Iterator[Store]:
    store = open_project_store(Project(project_root), postgres_url)
    yield store
    store.close()


def test_a_token_verifies_until_revoked_on_postgresql(pg_store: Store) -> None:
    token = create_token(pg_store, "ci", Scope.READ, by="tests").token
    found = verify_token(pg_store, token)
    assert found is not None and (found.name, found.scope) == ("ci", "read")
    revoke_token(pg_store, "ci")
    assert verify_token(pg_store, token) is None


def test_a_retried_declare_is_answered_once_on_postgresql(
    project_root: Path, fake_channels: list[str], pg_store: Store, sender: FakeSender
) -> None:
    token = create_token(pg_store, "ci", Scope.DECLARE, by="tests").token
    client = Client(make_service(project_root, pg_store, orchestrator_options={"sender": sender}))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "pg-1"}
    body = {"runbook": RUNBOOK, "variables": {"impact": IMPACT}}
    first = client.post("/api/v1/incidents", json=body, headers=headers)
    again = client.post("/api/v1/incidents", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert len(sender.batches) == 1
