"""The automatic updates of a batch of overdue incidents, posted together: each incident
keeps its own message, deliveries, sequence numbers, idempotency keys, promise and events;
a write that fails rolls the batch back whole and costs only the incident at fault. Each
test runs on SQLite and on PostgreSQL, driven by an injected clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from outagecomms.incident_report import load_timeline
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.outbox.posting import Draft, Posting
from outagecomms.promises import promise_record
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.records import IncidentRecord
from outagecomms.store.tables import deliveries, messages
from outagecomms.worker import StepReport, Worker
from tests.incidents.conftest import IMPACT, RUNBOOK, T0, Clock, FakeSender

VARS = {"impact": IMPACT}
HOUR = timedelta(hours=1)  # payments-failing is major: one update an hour


def declare(orchestrator: Orchestrator, count: int) -> None:
    for _ in range(count):
        orchestrator.declare(RUNBOOK, variables=VARS)


def cadence_messages(store: Store) -> list[tuple[int, int]]:
    """(incident, seq) of every automatic update, in order."""
    with store.read() as conn:
        query = (
            select(messages.c.incident_id, messages.c.seq)
            .where(messages.c.origin == "cadence")
            .order_by(messages.c.id)
        )
        return [(number, seq) for number, seq in conn.execute(query)]


def cadence_deliveries(store: Store) -> list[tuple[int, str, str]]:
    """(incident, channel, idempotency key) of every automatic update's delivery."""
    with store.read() as conn:
        query = (
            select(messages.c.incident_id, deliveries.c.channel, deliveries.c.idempotency_key)
            .join(messages, messages.c.id == deliveries.c.message_id)
            .where(messages.c.origin == "cadence")
            .order_by(deliveries.c.id)
        )
        return [(number, channel, key) for number, channel, key in conn.execute(query)]


def poison_posting(worker: Worker, monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Writing incident ``number``'s message raises (inside the batch's transaction)."""
    orchestrator: Any = worker.orchestrator
    posting = orchestrator._posting

    def failing(draft: Draft, actor: str, now: Any) -> Posting:
        if draft.incident.number == number:
            raise RuntimeError("poisoned while writing")
        result: Posting = posting(draft, actor, now)
        return result

    monkeypatch.setattr(orchestrator, "_posting", failing)


def test_each_incident_of_a_batch_gets_its_own_automatic_update(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    declare(orchestrator, 3)
    worker.run_once(T0 + HOUR)
    assert cadence_messages(orchestrator.store) == [(1, 2), (2, 2), (3, 2)]


def test_each_incident_of_a_batch_gets_a_delivery_per_channel(
    orchestrator: Orchestrator, worker: Worker, fake_channels: list[str]
) -> None:
    declare(orchestrator, 3)
    worker.run_once(T0 + HOUR)
    found = sorted(
        (number, channel) for number, channel, _ in cadence_deliveries(orchestrator.store)
    )
    assert found == [(n, c) for n in (1, 2, 3) for c in sorted(fake_channels)]


def test_every_delivery_of_a_batch_has_an_idempotency_key_of_its_own(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    declare(orchestrator, 3)
    worker.run_once(T0 + HOUR)
    keys = [key for _, _, key in cadence_deliveries(orchestrator.store)]
    assert len(set(keys)) == len(keys) == 9


def test_each_incident_of_a_batch_keeps_its_own_sequence_numbers(
    orchestrator: Orchestrator, worker: Worker, clock: Clock
) -> None:
    declare(orchestrator, 3)
    clock.advance(minutes=30)
    orchestrator.update("INC-2", phase=Phase.IDENTIFIED, variables=VARS)
    worker.run_once(T0 + HOUR)
    assert cadence_messages(orchestrator.store) == [(1, 2), (3, 2)]
    worker.run_once(T0 + 2 * HOUR)
    assert sorted(cadence_messages(orchestrator.store)[2:]) == [(1, 3), (2, 3), (3, 3)]


def test_each_incident_of_a_batch_keeps_its_promise_record(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    declare(orchestrator, 3)
    worker.run_once(T0 + HOUR)
    for number in (1, 2, 3):
        _, timeline = load_timeline(orchestrator.store, number)
        record = promise_record(timeline, T0 + HOUR)
        assert [(p.seq, p.kept_by, p.on_time) for p in record.promises] == [
            (1, 2, True),
            (2, None, False),
        ]


def test_each_incident_of_a_batch_has_its_automatic_update_event(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    declare(orchestrator, 3)
    worker.run_once(T0 + HOUR)
    posting = {"incident.automatic_update", "message.posted"}
    with orchestrator.store.read() as conn:
        kinds = {
            number: [e.kind for e in repo.events_of(conn, number) if e.kind in posting]
            for number in (1, 2, 3)
        }
    expected = ["message.posted", "incident.automatic_update", "message.posted"]
    assert kinds == {number: expected for number in (1, 2, 3)}


def test_a_batch_read_before_another_worker_posted_it_posts_nothing_twice(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    declare(orchestrator, 3)
    with orchestrator.store.read() as conn:
        stale: list[IncidentRecord] = repo.overdue_incidents(conn, now=T0 + HOUR, limit=10)
    worker.run_once(T0 + HOUR)
    other = Worker(Orchestrator(orchestrator.project, orchestrator.store, sender=FakeSender()))
    assert other._cadence_updates(stale, T0 + HOUR, StepReport(at=T0 + HOUR)) == []
    assert len(cadence_messages(orchestrator.store)) == 3


def run_with_a_poisoned_write(
    orchestrator: Orchestrator, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> tuple[StepReport, IncidentRecord, list[str]]:
    """Three incidents due, INC-2's write raising: the step's report, then INC-2 and the
    kinds of its events as stored after it."""
    declare(orchestrator, 3)
    poison_posting(worker, monkeypatch, 2)
    report = worker.run_once(T0 + HOUR)
    with orchestrator.store.read() as conn:
        incident = repo.get_incident(conn, 2)
        events = [e.kind for e in repo.events_of(conn, 2)]
    assert incident is not None
    return report, incident, events


def test_an_incident_whose_write_fails_does_not_stop_the_others_of_its_batch(
    orchestrator: Orchestrator, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, _, _ = run_with_a_poisoned_write(orchestrator, worker, monkeypatch)
    assert (report.updates, len(report.problems)) == (["INC-1", "INC-3"], 1)


def test_an_incident_whose_write_fails_is_blocked_with_the_reason(
    orchestrator: Orchestrator, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, blocked, _ = run_with_a_poisoned_write(orchestrator, worker, monkeypatch)
    assert "poisoned while writing" in (blocked.blocked_reason or "")


def test_an_incident_whose_write_fails_has_nothing_of_its_update_written(
    orchestrator: Orchestrator, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, incident, events = run_with_a_poisoned_write(orchestrator, worker, monkeypatch)
    assert incident.next_update_at == T0 + HOUR
    assert "incident.automatic_update" not in events
    assert [number for number, _ in cadence_messages(orchestrator.store)] == [1, 3]


def test_each_automatic_update_of_a_batch_supersedes_its_own_incidents_unsent_one(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    declare(orchestrator, 2)
    sender.failing = {"x-posts"}
    worker.run_once(T0 + HOUR)  # each one's automatic update waits for a retry on x-posts
    worker.run_once(T0 + 2 * HOUR)
    with orchestrator.store.read() as conn:
        query = (
            select(messages.c.incident_id, messages.c.seq, deliveries.c.last_error)
            .join(messages, messages.c.id == deliveries.c.message_id)
            .where(deliveries.c.channel == "x-posts", deliveries.c.state == "cancelled")
            .order_by(messages.c.incident_id)
        )
        cancelled = [tuple(row) for row in conn.execute(query)]
    reason = "superseded by message 3 (update) before it was sent"
    assert cancelled == [(1, 2, reason), (2, 2, reason)]
