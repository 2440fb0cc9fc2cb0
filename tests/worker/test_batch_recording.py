"""Recording a batch of attempts (issue #20): every outcome with its event, in the batch's
order, only where the worker still holds the lease; on PostgreSQL in one statement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from outagecomms.delivery import DEFAULT_RETRY, Outcome
from outagecomms.incidents import Orchestrator
from outagecomms.outbox.attempts import batched_attempts, record_attempt
from outagecomms.outbox.claims import Claim, claim_due
from outagecomms.store import Store
from outagecomms.store.events_repo import events_of
from outagecomms.store.tables import deliveries
from outagecomms.testing import FakeSender
from tests.worker.test_never_silent import deliveries_of
from tests.worker.test_pipeline import RETRIES_DUE, every_channel_waiting_for_a_retry

OWNER = "worker-a"
SENT = Outcome("", True, None, 0.01)
REFUSED = Outcome("", False, "Failed to send JSON POST notification: error=500.", 0.01)
TIMED_OUT = Outcome("", False, "timed out after 10s", 10.0, maybe_sent=True)


def claimed(orchestrator: Orchestrator, sender: FakeSender, channels: list[str]) -> Claim:
    every_channel_waiting_for_a_retry(orchestrator, sender, channels)
    with orchestrator.store.write() as conn:
        claim = claim_due(
            conn, owner=OWNER, now=RETRIES_DUE, lease_until=RETRIES_DUE + timedelta(minutes=5),
            limit=10,
        )  # fmt: skip
    assert len(claim.claimed) == len(channels)
    return claim


def record(store: Store, claim: Claim, outcomes: list[Outcome]) -> dict[int, str]:
    with store.write() as conn, batched_attempts(conn) as batch:
        for delivery, outcome in zip(claim.claimed, outcomes, strict=True):
            number = claim.incident_of[delivery.id]
            record_attempt(
                conn, number, delivery, outcome, RETRIES_DUE, owner=OWNER, retry=DEFAULT_RETRY
            )
    return batch.states


def test_each_outcome_of_a_batch_is_recorded_with_its_event_in_its_order(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    claim = claimed(orchestrator, sender, fake_channels)

    states = record(orchestrator.store, claim, [SENT, REFUSED, TIMED_OUT])

    first, second, third = claim.claimed
    assert states == {first.id: "sent", second.id: "retry", third.id: "retry"}
    rows = {d.id: d for d in deliveries_of(orchestrator.store)}
    assert rows[first.id].sent_at == RETRIES_DUE and rows[first.id].lease_owner is None
    assert rows[second.id].last_error == REFUSED.error and rows[second.id].due_at is not None
    assert [rows[d.id].possibly_duplicate for d in claim.claimed] == [False, False, True]
    with orchestrator.store.read() as conn:
        logged = events_of(conn, claim.incident_of[first.id])[-3:]
    assert [(e.kind, e.detail["channel"]) for e in logged] == [
        ("delivery.sent", first.channel),
        ("delivery.retry", second.channel),
        ("delivery.retry", third.channel),
    ]
    assert logged[1].detail["error"] == REFUSED.error and "due_at" in logged[1].detail


def test_a_delivery_whose_lease_was_lost_is_left_as_its_new_owner_has_it(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    claim = claimed(orchestrator, sender, fake_channels)
    lost = claim.claimed[1]
    with orchestrator.store.write() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == lost.id).values(lease_owner="b"))

    states = record(orchestrator.store, claim, [SENT, SENT, SENT])

    assert lost.id not in states and len(states) == 2
    [row] = [d for d in deliveries_of(orchestrator.store) if d.id == lost.id]
    assert (row.state, row.lease_owner) == ("sending", "b")
    with orchestrator.store.read() as conn:
        channels = [e.detail.get("channel") for e in events_of(conn, claim.incident_of[lost.id])]
    assert channels.count(lost.channel) == 1  # its first attempt's only


@pytest.mark.postgres
def test_on_postgresql_a_batch_is_recorded_in_one_statement(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    if orchestrator.store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    claim = claimed(orchestrator, sender, fake_channels)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(orchestrator.store.engine, "before_cursor_execute", count)
    try:
        record(orchestrator.store, claim, [SENT, REFUSED, TIMED_OUT])
    finally:
        event.remove(orchestrator.store.engine, "before_cursor_execute", count)

    assert len(statements) == 1
