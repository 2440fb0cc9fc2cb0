"""The cadence and the delivery of what is due, driven step by step with an injected clock
(no sleeping): each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event, select, update

from outagecomms.counting import measure_for_channel
from outagecomms.delivery import Outcome, Outgoing, RetryPolicy
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.store import Store
from outagecomms.store.records import IncidentRecord
from outagecomms.store.tables import deliveries, incidents, messages
from outagecomms.worker import Worker
from outagecomms.worker import loop as worker_module
from tests.incidents.conftest import IMPACT, RUNBOOK, T0, Clock, FakeSender, write_channel

VARS = {"impact": IMPACT}
HOUR = timedelta(hours=1)  # payments-failing is major: one update an hour
CORRUPT_PIN = {"runbook_sha256": "sha256:corrupt", "runbook_content": {}}
"""A pinned runbook that no longer validates: its incident cannot be composed."""


def posted(store: Store) -> list[tuple[str, str]]:
    """(phase, origin) of every message, in order."""
    with store.read() as conn:
        query = select(messages.c.phase, messages.c.origin).order_by(messages.c.id)
        return [(phase, origin) for phase, origin in conn.execute(query)]


def states_by_phase(store: Store) -> dict[str, set[str]]:
    with store.read() as conn:
        query = select(messages.c.phase, deliveries.c.state).join(
            messages, messages.c.id == deliveries.c.message_id
        )
        found: dict[str, set[str]] = {}
        for phase, state in conn.execute(query):
            found.setdefault(phase, set()).add(state)
    return found


def phase_of_delivery(store: Store) -> dict[int, str]:
    with store.read() as conn:
        query = select(deliveries.c.id, messages.c.phase).join(
            messages, messages.c.id == deliveries.c.message_id
        )
        return {delivery: phase for delivery, phase in conn.execute(query)}


def next_update_at(store: Store) -> object:
    with store.read() as conn:
        return conn.execute(select(incidents.c.next_update_at)).scalar_one()


# --- automatic updates ------------------------------------------------------------------


def test_nothing_is_posted_before_the_promise(orchestrator: Orchestrator, worker: Worker) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    worker.run_once(T0 + HOUR - timedelta(seconds=1))
    assert posted(orchestrator.store) == [("investigating", "human")]


def test_a_passed_promise_gets_the_runbooks_update_phase_from_the_worker(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    worker.run_once(T0 + HOUR)
    assert posted(orchestrator.store)[-1] == ("update", "cadence")


def test_the_automatic_update_is_sent_to_every_channel(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, fake_channels: list[str]
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + HOUR)
    assert sorted(i.channel.name for i in sender.sent) == fake_channels
    assert states_by_phase(orchestrator.store)["update"] == {"sent"}


def test_the_automatic_update_promises_the_next_one_a_cadence_later(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    worker.run_once(T0 + HOUR)
    assert next_update_at(orchestrator.store) == T0 + 2 * HOUR


def test_the_cadence_keeps_going_until_the_resolution(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    for hours in (1, 2, 3):
        worker.run_once(T0 + hours * HOUR)
    assert [origin for _, origin in posted(orchestrator.store)].count("cadence") == 3


def test_a_human_update_resets_the_clock(
    orchestrator: Orchestrator, worker: Worker, clock: Clock
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    clock.advance(minutes=50)
    orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    worker.run_once(T0 + HOUR + timedelta(minutes=49))
    assert posted(orchestrator.store) == [("investigating", "human"), ("identified", "human")]


def test_after_downtime_one_catch_up_update_then_the_cadence_from_now(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    back = T0 + 5 * HOUR + timedelta(minutes=10)
    worker.run_once(back)
    worker.run_once(back + timedelta(minutes=59))
    assert posted(orchestrator.store)[1:] == [("update", "cadence")]
    assert next_update_at(orchestrator.store) == back + HOUR


def test_a_declared_cadence_override_in_seconds_is_kept(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(seconds=3))
    for seconds in (3, 6, 9):
        worker.run_once(T0 + timedelta(seconds=seconds))
    assert [origin for _, origin in posted(orchestrator.store)].count("cadence") == 3


def test_a_worker_with_a_stale_view_does_not_post_a_second_update(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    other = Worker(Orchestrator(orchestrator.project, orchestrator.store, sender=FakeSender()))
    worker.run_once(T0 + HOUR)
    # the other worker saw the old promise and decides under the lock
    assert other._cadence_update(1, T0 + HOUR, worker.run_once(T0)) is False
    assert [origin for _, origin in posted(orchestrator.store)].count("cadence") == 1


# --- resolution ---------------------------------------------------------------------


def test_nothing_is_posted_after_the_resolution(
    orchestrator: Orchestrator, worker: Worker, clock: Clock
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    clock.advance(minutes=10)
    orchestrator.resolve("INC-1")
    worker.run_once(T0 + 5 * HOUR)
    assert [phase for phase, _ in posted(orchestrator.store)] == ["investigating", "resolved"]


def test_the_resolution_cancels_an_automatic_update_not_yet_sent(
    orchestrator: Orchestrator, worker: Worker, clock: Clock, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    # the worker dies right after posting the update, before sending it
    worker._deliver_due = lambda *args: False  # type: ignore[method-assign]
    worker.run_once(T0 + HOUR)
    clock.advance(hours=1, minutes=1)
    orchestrator.resolve("INC-1")
    sender.batches.clear()
    Worker(Orchestrator(orchestrator.project, orchestrator.store, sender=sender)).run_once(
        T0 + 3 * HOUR
    )
    assert states_by_phase(orchestrator.store)["update"] == {"cancelled"}
    assert sender.sent == []


class WireSender(FakeSender):
    """Records each item when its send completes (it "arrives"), after ``during``."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[Outgoing] = []

    def __call__(self, items: Sequence[Outgoing], **options: Any) -> list[Outcome]:
        outcomes = super().__call__(items, **options)
        self.arrived.extend(items)
        return outcomes


def test_an_update_in_flight_at_the_resolution_arrives_before_it_on_every_channel(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    wire = WireSender()
    orchestrator.sender = wire
    worker = Worker(Orchestrator(orchestrator.project, orchestrator.store, sender=wire))
    orchestrator.declare(RUNBOOK, variables=VARS)
    clock.advance(hours=1)
    wire.arrived.clear()

    def resolve_while_sending(items: Sequence[Outgoing]) -> None:
        wire.during = None  # the on-call resolves while the update is on the wire
        orchestrator.resolve("INC-1")

    wire.during = resolve_while_sending
    worker.run_once(T0 + HOUR)
    worker.run_once(T0 + HOUR)  # the resolution, held back behind the update, goes now
    phases = phase_of_delivery(orchestrator.store)
    order: dict[str, list[str]] = {}
    for item in wire.arrived:
        order.setdefault(item.channel.name, []).append(phases[int(item.key)])
    assert {tuple(v) for v in order.values()} == {("update", "resolved")}


# --- retries ------------------------------------------------------------------------------


def test_a_failed_first_attempt_is_not_retried_before_its_due_time(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    sender.failing = {"x-posts"}
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    [due] = [d.due_at for d in report.deliveries if d.channel == "x-posts"]
    sender.failing = set()
    sender.batches.clear()
    assert due is not None
    worker.run_once(due - timedelta(seconds=1))
    assert sender.sent == []


def test_a_failed_first_attempt_is_retried_when_due(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    sender.failing = {"x-posts"}
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    [due] = [d.due_at for d in report.deliveries if d.channel == "x-posts"]
    sender.failing = set()
    sender.batches.clear()
    assert due is not None
    worker.run_once(due)
    assert [i.channel.name for i in sender.sent] == ["x-posts"]
    assert states_by_phase(orchestrator.store)["investigating"] == {"sent"}


def test_a_channel_that_keeps_failing_is_failed_after_its_budget(
    orchestrator: Orchestrator, sender: FakeSender, clock: Clock
) -> None:
    sender.failing = {"x-posts"}
    policy = RetryPolicy(initial=timedelta(seconds=30), maximum=timedelta(minutes=1), budget=3)
    orchestrator.retry = policy
    orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"])
    worker = Worker(
        Orchestrator(orchestrator.project, orchestrator.store, sender=sender, retry=policy)
    )
    for minutes in (1, 2, 3, 4):
        worker.run_once(T0 + timedelta(minutes=minutes))
    with orchestrator.store.read() as conn:
        row = conn.execute(select(deliveries.c.state, deliveries.c.attempts)).one()
    assert tuple(row) == ("failed", 3)


def test_a_delivery_whose_sender_died_is_taken_over_and_marked_possibly_duplicated(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    def die(items: Sequence[Outgoing]) -> None:
        raise KeyboardInterrupt  # stands in for a crash between send and record

    sender.during = die
    with contextlib.suppress(KeyboardInterrupt):
        orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"])
    sender.during = None
    worker.run_once(T0 + timedelta(minutes=5))  # the first sender's lease has run out
    with orchestrator.store.read() as conn:
        row = conn.execute(
            select(deliveries.c.state, deliveries.c.possibly_duplicate, deliveries.c.attempts)
        ).one()
    assert tuple(row) == ("sent", True, 2)


def test_a_live_lease_is_not_taken_over(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    # a worker runs while the declare's first attempt is on the wire
    sender.during = lambda items: (setattr(sender, "during", None), worker.run_once(T0))
    orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"])
    assert len(sender.sent) == 1


# --- next wake ------------------------------------------------------------------------


def test_the_worker_sleeps_until_the_next_promise(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(seconds=20))
    worker.run_once(T0)
    assert worker.next_wake(T0) == T0 + timedelta(seconds=20)


def test_the_worker_wakes_for_a_retry_due_before_the_promise(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    sender.failing = {"x-posts"}
    report = orchestrator.declare(RUNBOOK, variables=VARS)
    worker.run_once(T0)
    [due] = [d.due_at for d in report.deliveries if d.channel == "x-posts"]
    assert worker.next_wake(T0) == due


def test_the_worker_wakes_at_least_every_heartbeat(worker: Worker) -> None:
    worker.run_once(T0)
    assert worker.next_wake(T0) == T0 + worker.heartbeat_every


# --- reminders ------------------------------------------------------------------------


def with_reminder(root: Path, lead: str) -> None:
    path = root / "runbooks" / f"{RUNBOOK}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reminder"] = lead
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_internal_channel_is_reminded_before_an_automatic_update(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=50))
    assert [(i.channel.name, "reminder" in i.body) for i in sender.sent] == [("team-slack", True)]


def test_a_reminder_to_a_short_channel_is_fitted_and_keeps_when_customers_hear(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    write_channel(
        project_root,
        "team-slack",
        kind="slack",
        audience="internal",
        url="json://127.0.0.1:9/s",
        limit=140,
    )
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=50))
    [reminder] = sender.sent
    assert measure_for_channel(reminder.body, reminder.channel).fits
    assert 'In 10 min (13:00 UTC) customers get the automatic "still working on it" update.' in (
        reminder.body
    )


def test_no_reminder_before_its_time(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=49))
    assert sender.sent == []


def test_the_reminder_is_sent_once_per_promise(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=50))
    worker.run_once(T0 + timedelta(minutes=55))
    assert len(sender.sent) == 1


def test_no_reminder_without_the_runbook_setting(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=59))
    assert sender.sent == []


# --- many open incidents ----------------------------------------------------------------


@pytest.fixture
def batch_of_two(monkeypatch: pytest.MonkeyPatch) -> int:
    """The worker takes overdue promises two at a time (instead of dozens)."""
    monkeypatch.setattr(worker_module, "PROMISE_BATCH", 2)
    return 2


def declare_many(orchestrator: Orchestrator, count: int, **options: Any) -> None:
    for _ in range(count):
        orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"], **options)


def updates_posted(store: Store) -> int:
    return sum(1 for phase, _ in posted(store) if phase == "update")


def test_overdue_promises_are_sent_a_batch_at_a_time_not_all_posted_first(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, batch_of_two: int
) -> None:
    declare_many(orchestrator, 5)
    seen_at_each_send: list[int] = []
    sender.during = lambda _items: seen_at_each_send.append(updates_posted(orchestrator.store))
    report = worker.run_once(T0 + HOUR)
    assert (len(report.updates), seen_at_each_send[0]) == (5, batch_of_two)


def test_the_longest_overdue_promise_is_kept_first(
    orchestrator: Orchestrator, worker: Worker, batch_of_two: int
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(hours=2))
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(minutes=30))
    orchestrator.declare(RUNBOOK, variables=VARS, cadence=timedelta(hours=1))
    report = worker.run_once(T0 + timedelta(hours=3))
    assert report.updates == ["INC-2", "INC-3", "INC-1"]


def test_a_stop_ends_the_step_between_batches_and_the_next_step_keeps_the_rest(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, batch_of_two: int
) -> None:
    declare_many(orchestrator, 5)
    sender.during = lambda _items: worker.stop()
    first = worker.run_once(T0 + HOUR)
    sender.during = None
    after_restart = Worker(worker.orchestrator).run_once(T0 + HOUR)
    assert (len(first.updates), len(after_restart.updates)) == (batch_of_two, 3)


def test_what_a_stopped_step_posted_is_sent_and_recorded_before_it_returns(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, batch_of_two: int
) -> None:
    declare_many(orchestrator, 5)
    sender.during = lambda _items: worker.stop()
    worker.run_once(T0 + HOUR)
    assert states_by_phase(orchestrator.store)["update"] == {"sent"}


def test_a_blocked_incident_does_not_hold_up_the_batches_behind_it(
    orchestrator: Orchestrator, worker: Worker, batch_of_two: int
) -> None:
    declare_many(orchestrator, 5)
    with orchestrator.store.write() as conn:  # the two longest overdue cannot be composed
        conn.execute(update(incidents).where(incidents.c.id <= 2).values(**CORRUPT_PIN))
    report = worker.run_once(T0 + HOUR)
    assert (report.updates, len(report.problems)) == (["INC-3", "INC-4", "INC-5"], 2)


def test_reminders_are_sent_for_every_incident_whatever_the_batch(
    orchestrator: Orchestrator,
    worker: Worker,
    sender: FakeSender,
    project_root: Path,
    batch_of_two: int,
) -> None:
    with_reminder(project_root, "10m")
    for _ in range(5):
        orchestrator.declare(RUNBOOK, variables=VARS, channels=["team-slack"])
    report = worker.run_once(T0 + timedelta(minutes=50))
    assert report.reminders == ["INC-1", "INC-2", "INC-3", "INC-4", "INC-5"]


def test_a_promise_with_no_internal_channel_to_remind_is_not_looked_at_again(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    orchestrator.declare(RUNBOOK, variables=VARS, channels=["x-posts"])
    worker.run_once(T0 + timedelta(minutes=50))
    with orchestrator.store.read() as conn:
        reminded = conn.execute(select(incidents.c.reminded_for)).scalar_one()
    assert reminded == next_update_at(orchestrator.store)


def test_the_worker_wakes_for_the_earliest_reminder(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    with_reminder(project_root, "10m")
    orchestrator.declare(RUNBOOK, variables=VARS)
    worker.heartbeat_every = 2 * HOUR  # not the heartbeat: the reminder wakes it
    worker.run_once(T0)
    assert worker.next_wake(T0 + timedelta(minutes=45)) == T0 + timedelta(minutes=50)


def test_a_step_reads_no_incident_that_is_not_due(
    orchestrator: Orchestrator, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare_many(orchestrator, 3)
    read: list[int] = []
    from_row = IncidentRecord.from_row.__func__  # type: ignore[attr-defined]

    def counting(cls: type[IncidentRecord], row: Any) -> IncidentRecord:
        read.append(row["id"])
        return from_row(cls, row)  # type: ignore[no-any-return]

    monkeypatch.setattr(IncidentRecord, "from_row", classmethod(counting))
    worker.run_once(T0 + timedelta(minutes=30))
    worker.next_wake(T0 + timedelta(minutes=30))
    assert read == []


def test_the_scan_for_due_promises_is_served_by_their_index(
    orchestrator: Orchestrator, worker: Worker, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    declare_many(orchestrator, 3)
    statements: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if "FROM incidents" in sql and "next_update_at" in sql.split("WHERE")[-1]:
            statements.append((sql, params))

    engine = orchestrator.store.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        worker.run_once(T0 + timedelta(minutes=30))
        worker.next_wake(T0 + timedelta(minutes=30))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as conn:
        plans = [
            " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
        ]
    assert plans
    assert [p for p in plans if "ix_incidents_status_next_update_at" not in p] == []


# --- robustness -----------------------------------------------------------------------


def test_an_automatic_update_that_cannot_be_composed_does_not_stop_the_others(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.declare(RUNBOOK, variables=VARS)
    with orchestrator.store.write() as conn:  # INC-1's pinned runbook no longer validates
        conn.execute(update(incidents).where(incidents.c.id == 1).values(**CORRUPT_PIN))
    report = worker.run_once(T0 + HOUR)
    assert (report.updates, len(report.problems)) == (["INC-2"], 1)
