"""Never silent (issue #12): one poisoned incident, one broken channel file or one failed
send never stops the worker; it blocks that item, says so, and goes on with the rest.
Driven step by step with an injected clock, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from outagecomms.counting import measure_for_channel
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.store import Store
from outagecomms.store.records import DeliveryRecord
from outagecomms.store.tables import deliveries, incidents, messages
from outagecomms.worker import BLOCKED_RETRY, Wakeup, Worker
from tests.conftest import CliRunner
from tests.incidents.conftest import (
    IMPACT,
    RUNBOOK,
    T0,
    Approvals,
    Clock,
    FakeSender,
    write_channel,
)
from tests.never_silent import OVERFLOW, POISON, break_channel, runbook_variant

VARS = {"impact": IMPACT}
HOUR = timedelta(hours=1)


def poisoned(root: Path, text: str = POISON) -> str:
    """A runbook whose automatic update raises at render time for INC-1."""
    runbook_variant(root, "poisoned", "update", f"Still working on it ({text} min).")
    return "poisoned"


def deliveries_of(store: Store, phase: str | None = None) -> list[DeliveryRecord]:
    with store.read() as conn:
        query = select(deliveries).join(messages, messages.c.id == deliveries.c.message_id)
        if phase is not None:
            query = query.where(messages.c.phase == phase)
        rows = conn.execute(query.order_by(deliveries.c.id)).mappings()
        return [DeliveryRecord.from_row(row) for row in rows]


def cadence_updates(store: Store, incident: int) -> list[object]:
    with store.read() as conn:
        query = (
            select(messages.c.created_at)
            .where(messages.c.incident_id == incident, messages.c.origin == "cadence")
            .order_by(messages.c.seq)
        )
        return list(conn.execute(query).scalars())


# --- a poisoned incident ------------------------------------------------------------------


def test_a_template_that_divides_by_zero_for_one_incident_blocks_only_that_one(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)  # INC-1: 60 // 0
    orchestrator.declare(RUNBOOK, variables=VARS)
    report = worker.run_once(T0 + HOUR)
    assert report.updates == ["INC-2"]
    assert "ZeroDivisionError" in report.problems[0]


def test_a_blocked_incident_keeps_the_reason_on_the_incident(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)
    worker.run_once(T0 + HOUR)
    incident = orchestrator.incident("INC-1")
    assert incident.blocked_reason is not None and "ZeroDivisionError" in incident.blocked_reason
    assert incident.blocked_until == T0 + HOUR + BLOCKED_RETRY


def test_an_overflow_in_the_sandbox_blocks_the_incident_not_the_worker(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root, OVERFLOW), variables=VARS)
    orchestrator.declare(RUNBOOK, variables=VARS)
    report = worker.run_once(T0 + HOUR)
    assert (report.updates, "OverflowError" in report.problems[0]) == (["INC-2"], True)


def test_the_internal_channels_hear_of_a_block_once(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)
    for minutes in (0, 1, 2, 3):
        worker.run_once(T0 + HOUR + timedelta(minutes=minutes))
    notices = [item for item in sender.sent if item.key.startswith("blocked:")]
    assert [item.channel.name for item in notices] == ["team-slack"]
    assert "INC-1" in notices[0].body and "ZeroDivisionError" in notices[0].body


def test_a_block_notice_to_a_short_channel_is_fitted_and_says_customers_are_not_updated(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    write_channel(
        project_root,
        "team-slack",
        kind="slack",
        audience="internal",
        url="json://127.0.0.1:9/s",
        limit=100,
    )
    orchestrator.declare(poisoned(project_root), variables=VARS)
    worker.run_once(T0 + HOUR)
    [notice] = [item for item in sender.sent if item.key.startswith("blocked:")]
    assert measure_for_channel(notice.body, notice.channel).fits
    assert "INC-1: customers are NOT being updated" in notice.body


def test_a_restarted_worker_does_not_crash_loop_on_a_blocked_incident(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)
    worker.run_once(T0 + HOUR)
    restarted = Worker(worker.orchestrator)
    assert restarted.run_once(T0 + HOUR + timedelta(seconds=10)).problems == []


def test_a_blocked_incident_is_tried_again_and_unblocked_once_it_renders(
    orchestrator: Orchestrator, worker: Worker
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    with orchestrator.store.write() as conn:  # the pinned content no longer validates
        pinned = conn.execute(select(incidents.c.runbook_content)).scalar_one()
        conn.execute(update(incidents).values(runbook_content={}))
    worker.run_once(T0 + HOUR)
    with orchestrator.store.write() as conn:
        conn.execute(update(incidents).values(runbook_content=pinned))
    report = worker.run_once(T0 + HOUR + BLOCKED_RETRY)
    assert (report.updates, orchestrator.incident("INC-1").blocked_reason) == (["INC-1"], None)


def test_a_human_update_clears_the_block(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)
    worker.run_once(T0 + HOUR)
    report = orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    assert (report.failed, orchestrator.incident("INC-1").blocked_reason) == ([], None)


def _raise(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("the sender broke")


def test_status_and_show_say_the_incident_is_blocked(
    orchestrator: Orchestrator,
    worker: Worker,
    project_root: Path,
    database_url: str,
    cli: CliRunner,
) -> None:
    orchestrator.declare(poisoned(project_root), variables=VARS)
    worker.run_once(T0 + HOUR)
    where = ("--project", str(project_root), "--database-url", database_url)
    status = json.loads(cli("status", "--json", *where).stdout)
    table = cli("status", *where).stdout
    shown = cli("show", "INC-1", *where).stdout
    assert "ZeroDivisionError" in status[0]["blocked"]["reason"]
    assert "BLOCKED" in table and "BLOCKED since" in shown


# --- one delivery that cannot be sent ----------------------------------------------------


def test_a_channel_file_broken_while_the_worker_runs_holds_back_only_its_deliveries(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    sender.failing.add("x-posts")
    orchestrator.declare(RUNBOOK, variables=VARS)  # x-posts: queued for retry
    sender.failing.clear()
    break_channel(project_root, "x-posts")
    worker.run_once(T0 + timedelta(minutes=5))
    [x_post] = [d for d in deliveries_of(orchestrator.store) if d.channel == "x-posts"]
    assert (x_post.state, x_post.attempts, x_post.possibly_duplicate) == ("blocked", 1, False)
    assert "x-posts.yaml:" in (x_post.last_error or "") and "language" in (x_post.last_error or "")


def test_a_held_back_delivery_goes_once_its_channel_file_is_fixed(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, project_root: Path
) -> None:
    sender.failing.add("x-posts")
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.failing.clear()
    path = break_channel(project_root, "x-posts")
    worker.run_once(T0 + timedelta(minutes=5))
    path.write_text(path.read_text(encoding="utf-8").replace("language: EN", "language: en"))
    worker.run_once(T0 + timedelta(minutes=5) + BLOCKED_RETRY)
    [x_post] = [d for d in deliveries_of(orchestrator.store) if d.channel == "x-posts"]
    assert (x_post.state, x_post.attempts, x_post.possibly_duplicate) == ("sent", 2, False)


def test_a_broken_channel_file_does_not_stop_automatic_updates_to_the_others(
    orchestrator: Orchestrator, worker: Worker, project_root: Path, fake_channels: list[str]
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    break_channel(project_root, "ops-pager", "kind: pager")
    report = worker.run_once(T0 + HOUR)
    sent = {d.channel: d.state for d in deliveries_of(orchestrator.store, "update")}
    assert (report.updates, sent) == (["INC-1"], dict.fromkeys(fake_channels, "sent"))


def test_the_worker_reports_a_broken_channel_file_once_per_step(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    orchestrator.declare(RUNBOOK, variables=VARS)
    break_channel(project_root, "ops-pager", "kind: pager")
    report = worker.run_once(T0 + HOUR)
    assert [p for p in report.problems if "ops-pager.yaml:3: kind:" in p] == report.problems
    assert len(report.problems) == 1


def test_a_send_that_raises_releases_its_claims_without_counting_an_attempt(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender.failing.add("x-posts")
    orchestrator.declare(RUNBOOK, variables=VARS)
    monkeypatch.setattr(worker, "_send", _raise)
    worker.run_once(T0 + timedelta(minutes=5))
    [x_post] = [d for d in deliveries_of(orchestrator.store) if d.channel == "x-posts"]
    assert (x_post.state, x_post.attempts, x_post.possibly_duplicate) == ("blocked", 1, False)


def test_a_delivery_whose_record_raises_does_not_lose_the_others_of_its_batch(
    orchestrator: Orchestrator,
    worker: Worker,
    sender: FakeSender,
    fake_channels: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sender.failing.update(fake_channels)
    orchestrator.declare(RUNBOOK, variables=VARS)  # every channel queued for retry
    sender.failing.clear()
    record_attempt = worker.orchestrator.record_attempt

    def broken_for_x(conn: object, number: int, delivery: DeliveryRecord, *rest: object) -> None:
        if delivery.channel == "x-posts":
            raise RuntimeError("a bug recording this one")
        record_attempt(conn, number, delivery, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(worker.orchestrator, "record_attempt", broken_for_x)
    report = worker.run_once(T0 + timedelta(minutes=5))
    states = {d.channel: d.state for d in deliveries_of(orchestrator.store)}
    assert states == {"customers-email": "sent", "team-slack": "sent", "x-posts": "sending"}
    assert report.problems == ["x-posts: not recorded: RuntimeError: a bug recording this one"]


# --- done when: a minute of work with a poisoned incident and a broken file ----------------


def test_a_minute_over_twenty_healthy_incidents_one_poisoned_and_a_broken_channel_file(
    orchestrator: Orchestrator, worker: Worker, clock: Clock, project_root: Path
) -> None:
    """Issue #12, "done when": 20 healthy incidents at a 3 s cadence and one poisoned
    incident, a channel file broken 20 s in; a step every simulated second for a minute.
    The worker never raises, every healthy incident keeps its cadence, the poisoned one
    is blocked and says why."""
    cadence = timedelta(seconds=3)
    orchestrator.declare(poisoned(project_root), variables=VARS, cadence=cadence)
    for _ in range(20):
        orchestrator.declare(RUNBOOK, variables=VARS, cadence=cadence)
    for second in range(1, 61):
        clock.now = T0 + timedelta(seconds=second)
        if second == 20:
            break_channel(project_root, "x-posts")
        worker.run_once()
    for number in range(2, 22):
        updates = cadence_updates(orchestrator.store, number)
        assert len(updates) == 20, f"INC-{number}: {len(updates)} automatic updates"
    blocked = orchestrator.incident("INC-1")
    assert blocked.blocked_reason is not None and "ZeroDivisionError" in blocked.blocked_reason
    assert cadence_updates(orchestrator.store, 1) == []


def test_a_step_that_fails_as_a_whole_does_not_end_the_worker(
    worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[int] = []

    def failing_step(now: object = None) -> object:
        steps.append(1)
        raise RuntimeError("a bug outside any one incident")

    class TwoNaps(Wakeup):
        def wait(self, timeout: float) -> bool:
            if len(steps) >= 2:
                worker.stop()
            return True

    monkeypatch.setattr(worker, "run_once", failing_step)
    worker.serve(TwoNaps())
    assert len(steps) == 2


# --- pinned content and the order of closing messages -------------------------------------


def test_an_edited_runbook_file_neither_stops_the_cadence_nor_changes_its_words(
    orchestrator: Orchestrator,
    worker: Worker,
    sender: FakeSender,
    project_root: Path,
    approvals: Approvals,
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    runbook_variant(project_root, RUNBOOK, "update", "Edited words, not approved yet.")
    approvals.refused.add(RUNBOOK)
    report = worker.run_once(T0 + HOUR)
    bodies = [item.body for item in sender.sent[-3:]]
    assert report.updates == ["INC-1"]
    assert not any("Edited words" in body for body in bodies)


def test_the_postmortem_reaches_a_channel_after_its_undelivered_resolution(
    orchestrator: Orchestrator, worker: Worker, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS)
    sender.failing.add("x-posts")
    orchestrator.resolve("INC-1")
    orchestrator.postmortem("INC-1")
    sender.failing.clear()
    sender.batches.clear()
    worker.run_once(T0 + timedelta(minutes=5))
    phases = {
        d.id: phase
        for phase in ("resolved", "postmortem")
        for d in deliveries_of(orchestrator.store, phase)
    }
    on_x = [phases[int(item.key)] for item in sender.sent if item.channel.name == "x-posts"]
    assert on_x == ["resolved", "postmortem"]


def test_the_reminder_keeps_the_lead_of_the_pinned_runbook_when_the_file_breaks(
    orchestrator: Orchestrator, worker: Worker, project_root: Path
) -> None:
    path = project_root / "runbooks" / f"{RUNBOOK}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "reminder: 10m\n", encoding="utf-8")
    orchestrator.declare(RUNBOOK, variables=VARS)
    path.write_text("id: [unclosed\n", encoding="utf-8")
    report = worker.run_once(T0 + timedelta(minutes=50))
    assert report.reminders == ["INC-1"]


def test_a_reminder_that_raises_does_not_stop_the_step(
    orchestrator: Orchestrator, worker: Worker, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project_root / "runbooks" / f"{RUNBOOK}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "reminder: 10m\n", encoding="utf-8")
    orchestrator.declare(RUNBOOK, variables=VARS)
    monkeypatch.setattr(worker, "_remind", _raise)
    report = worker.run_once(T0 + timedelta(minutes=50))
    assert report.problems == ["INC-1: reminder not sent: RuntimeError: the sender broke"]
