"""Flap protection: a check that fails, recovers and fails again within the cool-down
re-opens the same incident with an ``update``; idempotent resolve for CI. Orchestrator API
with a controlled clock and a stand-in sender."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from outagecomms.errors import RefusedError
from outagecomms.incidents import Orchestrator, Report
from outagecomms.models import Phase, Severity
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store import repository as repo
from tests.conftest import REPO
from tests.incidents.conftest import IMPACT, RUNBOOK, T0, Approvals, Clock, FakeSender

KEY = "synthetic-payments"
VARS = {"impact": IMPACT}
COOLDOWN = timedelta(minutes=30)


def flap(
    orchestrator: Orchestrator, clock: Clock, after: timedelta = timedelta(minutes=5)
) -> Report:
    """Declare, resolve 10 minutes later, then declare again ``after`` the resolution."""
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    clock.advance(minutes=10)
    orchestrator.resolve(dedupe_key=KEY)
    clock.advance(seconds=after.total_seconds())
    return orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)


def set_runbook_cooldown(project_root: Path, value: str) -> None:
    path = project_root / "runbooks" / f"{RUNBOOK}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["flap_cooldown"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- re-opening ------------------------------------------------------------------------


def test_a_declare_within_the_cooldown_reopens_the_same_incident(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    report = flap(orchestrator, clock)
    assert (report.incident.id, report.incident.status) == ("INC-1", "open")
    assert report.reopened and not report.deduplicated


def test_a_reopened_incident_is_open_again_without_a_resolution_time(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    flap(orchestrator, clock)
    incident = orchestrator.incident("INC-1")
    assert incident.is_open and incident.resolved_at is None
    assert incident.started_at == T0


def test_a_flap_posts_the_update_phase_not_investigating(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    report = flap(orchestrator, clock)
    assert report.message is not None and report.message.phase == Phase.UPDATE.value
    phases = [entry.message.phase for entry in orchestrator.show("INC-1").timeline]
    assert phases == ["investigating", "resolved", "update"]


def test_a_reopened_incident_is_back_to_investigating(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    assert flap(orchestrator, clock).incident.phase == Phase.INVESTIGATING.value


def test_a_flap_sends_one_message_per_channel(
    orchestrator: Orchestrator, clock: Clock, sender: FakeSender, fake_channels: list[str]
) -> None:
    flap(orchestrator, clock)
    assert sorted(item.channel.name for item in sender.batches[-1]) == fake_channels
    assert len(sender.batches) == 3


def test_a_reopen_is_logged_as_incident_reopened(orchestrator: Orchestrator, clock: Clock) -> None:
    flap(orchestrator, clock)
    [event] = [e for e in orchestrator.show("INC-1").events if e.kind == "incident.reopened"]
    assert event.detail["dedupe_key"] == KEY
    assert event.detail["cooldown"] == 1800
    assert event.at == T0 + timedelta(minutes=15)


def test_a_reopened_incident_promises_the_next_update_from_now(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    report = flap(orchestrator, clock)
    assert report.incident.next_update_at == clock.now + timedelta(minutes=60)  # major: 60m


def test_a_reopened_incident_holds_the_key_again(orchestrator: Orchestrator, clock: Clock) -> None:
    flap(orchestrator, clock)
    again = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    assert (again.incident.id, again.deduplicated, again.reopened) == ("INC-1", True, False)


def test_a_reopened_incident_can_be_resolved_again_by_key(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    flap(orchestrator, clock)
    clock.advance(minutes=1)
    assert orchestrator.resolve(dedupe_key=KEY).incident.status == "resolved"


def test_the_declares_variables_override_the_incidents_on_reopen(
    orchestrator: Orchestrator, clock: Clock, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    orchestrator.resolve(dedupe_key=KEY)
    orchestrator.declare(
        RUNBOOK, variables={"impact": "wallet payments fail"}, dedupe_key=KEY, cooldown=COOLDOWN
    )
    assert all("wallet payments fail" in item.body for item in sender.batches[-1])


def test_a_flap_keeps_the_severity_unless_declare_gives_one(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    orchestrator.declare(
        RUNBOOK, variables=VARS, dedupe_key=KEY, severity=Severity.CRITICAL, cooldown=COOLDOWN
    )
    orchestrator.resolve(dedupe_key=KEY)
    report = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    assert report.incident.severity == "critical"


def test_a_pending_resolution_delivery_is_cancelled_by_the_reopen(
    orchestrator: Orchestrator, clock: Clock, sender: FakeSender, store: Store
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    sender.failing = {"x-posts"}
    orchestrator.resolve(dedupe_key=KEY)
    sender.failing = set()
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    resolved = orchestrator.show("INC-1").timeline[1]
    [x_post] = [d for d in resolved.deliveries if d.channel == "x-posts"]
    assert x_post.state == "cancelled"


# --- not re-opening --------------------------------------------------------------------


def test_a_declare_after_the_cooldown_opens_a_new_incident(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    report = flap(orchestrator, clock, after=timedelta(minutes=31))
    assert (report.incident.id, report.reopened) == ("INC-2", False)
    assert report.message is not None and report.message.phase == "investigating"


def test_the_cooldown_boundary_itself_still_reopens(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    assert flap(orchestrator, clock, after=COOLDOWN).reopened


def test_without_a_cooldown_a_declare_after_resolve_opens_a_new_incident(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    orchestrator.resolve(dedupe_key=KEY)
    clock.advance(seconds=1)
    report = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    assert (report.incident.id, report.reopened) == ("INC-2", False)


def test_the_runbooks_flap_cooldown_applies_without_a_flag(
    orchestrator: Orchestrator, clock: Clock, project_root: Path
) -> None:
    set_runbook_cooldown(project_root, "30m")
    orchestrator.project = Project(project_root)
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    orchestrator.resolve(dedupe_key=KEY)
    assert orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY).reopened


def test_a_zero_cooldown_overrides_the_runbooks_and_never_reopens(
    orchestrator: Orchestrator, clock: Clock, project_root: Path
) -> None:
    set_runbook_cooldown(project_root, "30m")
    orchestrator.project = Project(project_root)
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    orchestrator.resolve(dedupe_key=KEY)
    report = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=timedelta(0))
    assert (report.incident.id, report.reopened) == ("INC-2", False)


def test_an_incident_with_a_postmortem_is_never_reopened(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    orchestrator.resolve(dedupe_key=KEY)
    orchestrator.postmortem("INC-1")
    report = orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    assert report.incident.id == "INC-2"


def test_another_runbook_with_the_same_key_opens_a_new_incident(
    orchestrator: Orchestrator, clock: Clock, project_root: Path
) -> None:
    shutil.copy(REPO / "runbooks" / "login-failing.yaml", project_root / "runbooks")
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    orchestrator.resolve(dedupe_key=KEY)
    report = orchestrator.declare(
        "login-failing", variables={"impact": "sign-in fails"}, dedupe_key=KEY, cooldown=COOLDOWN
    )
    assert (report.incident.id, report.reopened) == ("INC-2", False)


def test_a_refused_runbook_does_not_reopen(
    orchestrator: Orchestrator, clock: Clock, approvals: Approvals
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    orchestrator.resolve(dedupe_key=KEY)
    approvals.refused.add(RUNBOOK)
    with pytest.raises(RefusedError):
        orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    assert not orchestrator.incident("INC-1").is_open


def test_a_stale_reopen_after_another_reopened_it_is_deduplicated(
    orchestrator: Orchestrator, clock: Clock, store: Store, sender: FakeSender
) -> None:
    """Two declares that both saw the resolved incident: the one that writes second finds
    it open under the write lock and sends nothing."""
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY, cooldown=COOLDOWN)
    orchestrator.resolve(dedupe_key=KEY)
    with store.read() as conn:
        seen = repo.get_incident(conn, 1)
    assert seen is not None
    loaded = orchestrator.project.runbook(RUNBOOK)
    first = orchestrator._reopen(seen, KEY, loaded, COOLDOWN, None, {}, None, None, "a")
    second = orchestrator._reopen(seen, KEY, loaded, COOLDOWN, None, {}, None, None, "b")
    assert first is not None and first.reopened
    assert second is not None and (second.deduplicated, second.reopened) == (True, False)
    assert len(sender.batches) == 3


# --- idempotent resolve ------------------------------------------------------------------


def test_resolve_if_open_resolves_the_open_incident(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    report = orchestrator.resolve_if_open(KEY)
    assert report is not None and report.incident.status == "resolved"
    assert not report.deduplicated


def test_resolve_if_open_of_a_resolved_key_sends_nothing(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    orchestrator.resolve_if_open(KEY)
    report = orchestrator.resolve_if_open(KEY)
    assert report is not None and (report.incident.id, report.deduplicated) == ("INC-1", True)
    assert len(sender.batches) == 2


def test_resolve_if_open_of_a_resolved_key_logs_no_event(orchestrator: Orchestrator) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    orchestrator.resolve_if_open(KEY)
    before = len(orchestrator.show("INC-1").events)
    orchestrator.resolve_if_open(KEY)
    assert len(orchestrator.show("INC-1").events) == before


def test_resolve_if_open_of_an_unused_key_is_none(orchestrator: Orchestrator) -> None:
    assert orchestrator.resolve_if_open("never-used") is None


def test_resolve_if_open_resolves_from_the_pinned_runbook_when_the_file_lost_its_approval(
    orchestrator: Orchestrator, approvals: Approvals
) -> None:
    orchestrator.declare(RUNBOOK, variables=VARS, dedupe_key=KEY)
    approvals.refused.add(RUNBOOK)
    report = orchestrator.resolve_if_open(KEY)
    assert report is not None and report.incident.status == "resolved"
