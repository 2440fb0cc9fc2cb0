"""How a claim reads the store (issue #20): by the claim index to its limit, whatever the
backlog, and the history of a delivery's channel and recipient by its key, never by the
recipient alone (one recipient, "", is most rows). The rules themselves are pinned by the
worker's and the reliability suite's behaviour tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from outagecomms.incidents import Orchestrator
from outagecomms.worker import Worker
from tests.incidents.conftest import FakeSender
from tests.worker.test_pipeline import RETRIES_DUE, every_channel_waiting_for_a_retry


def claim_plans(orchestrator: Orchestrator, worker: Worker) -> list[str]:
    """SQLite's plan of every claim statement one step ran."""
    statements: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if sql.startswith("WITH due_0 AS"):
            statements.append((sql, params))

    engine = orchestrator.store.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        worker.run_once(RETRIES_DUE)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as conn:
        return [
            "\n".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
        ]


@pytest.fixture
def plans(
    orchestrator: Orchestrator,
    worker: Worker,
    sender: FakeSender,
    fake_channels: list[str],
    database_url: str,
) -> list[str]:
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    every_channel_waiting_for_a_retry(orchestrator, sender, fake_channels)
    return claim_plans(orchestrator, worker)


def test_a_claim_walks_the_claim_index_of_each_state(plans: list[str]) -> None:
    assert plans
    walks = [line for line in plans[0].splitlines() if line.startswith("SEARCH deliveries ")]
    assert len(walks) == 4
    assert all("ix_deliveries_state_due_at_message_id_id" in line for line in walks)


def test_a_claim_reads_no_table_whole(plans: list[str]) -> None:
    assert [line for line in plans[0].splitlines() if line.startswith("SCAN deliveries")] == []
    assert "SCAN messages" not in plans[0]


def test_a_claim_looks_up_a_channel_and_recipient_by_their_key(plans: list[str]) -> None:
    assert "ix_deliveries_recipient" not in plans[0]
