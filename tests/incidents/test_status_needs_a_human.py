"""``status`` tells the on-call what needs a human, and the worker says what it sends."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator, utcnow
from outagecomms.project import Project
from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, FakeSender, write_channel


@pytest.fixture
def hook(project_root: Path, http: HttpSink) -> HttpSink:
    write_channel(project_root, "status-hook", kind="webhook", url=http.url("/status"))
    write_channel(project_root, "team-hook", kind="webhook", url=http.url("/team"))
    return http


def declared_at(root: Path, minutes_ago: float, *, failing: tuple[str, ...] = ()) -> None:
    """Declare INC-1 that long ago (its first attempt on ``failing`` channels failed)."""
    then = utcnow() - timedelta(minutes=minutes_ago)
    with open_store(f"sqlite:///{root / '.outagecomms' / 'state.db'}") as store:
        on_call = Orchestrator(
            Project(root),
            store,
            clock=lambda: then,
            sender=FakeSender(set(failing)),
            gate=Approvals(),
        )
        on_call.declare(RUNBOOK, variables={"impact": IMPACT})


def status(cli: CliRunner, root: Path, *args: str) -> str:
    result = cli("status", "--project", str(root), *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_status_counts_deliveries_queued_for_retry(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 1, failing=("team-hook",))
    out = status(cli, project_root)
    assert "1 sent" in out and "1 queued for retry" in out


def test_status_json_has_retrying_and_blocked_counts_and_lateness(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 1, failing=("team-hook",))
    [row] = json.loads(status(cli, project_root, "--json"))
    assert (row["retrying_deliveries"], row["blocked_deliveries"]) == (1, 0)
    assert row["overdue_seconds"] is None


def test_status_says_an_overdue_promise_needs_a_human(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 60 + 25)  # the runbook promises an update within the hour
    out = status(cli, project_root)
    assert "INC-1 needs a human: next update 25m late" in " ".join(out.split())
    [row] = json.loads(status(cli, project_root, "--json"))
    assert 25 * 60 <= row["overdue_seconds"] < 26 * 60


def test_status_keeps_quiet_about_an_incident_that_needs_nothing(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 1)
    assert "needs a human" not in status(cli, project_root)


def worker_lines(cli: CliRunner, root: Path) -> list[str]:
    result = cli("worker", "--once", "--project", str(root), "--timeout", "5")
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("outagecomms: worker:")]


def test_the_worker_prints_a_line_for_a_retried_message(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 1, failing=("team-hook",))  # its retry is due
    assert worker_lines(cli, project_root) == [
        "outagecomms: worker: INC-1 #1 investigating: sent: team-hook"
    ]


def test_the_worker_prints_one_line_per_automatic_update_naming_its_channels(
    cli: CliRunner, project_root: Path, hook: HttpSink
) -> None:
    declared_at(project_root, 61)  # the hourly promise is due
    assert worker_lines(cli, project_root) == [
        "outagecomms: worker: INC-1 #2 automatic update: sent: status-hook, team-hook"
    ]
