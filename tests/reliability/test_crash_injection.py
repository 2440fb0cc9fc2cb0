"""The worker killed (SIGKILL, by ``OUTAGECOMMS_TEST_CRASH_AT``) at each step of a delivery:
claimed but not committed, committed as ``sending``, sent but not recorded, recorded but
not committed. A clean worker then completes every delivery: none is lost, and a channel
that received one twice has it marked "possibly duplicated"."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from outagecomms.incidents import Orchestrator, utcnow
from outagecomms.project import Project
from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from outagecomms.store.tables import deliveries
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, FakeSender, write_channel
from tests.reliability.conftest import skip_unless_soak, soak
from tests.worker import conftest as worker_fixtures

# the fixtures shared with tests/worker/ (named, not star-imported)
approvals = worker_fixtures.approvals
cli_orchestrator_options = worker_fixtures.cli_orchestrator_options
clock = worker_fixtures.clock
database_url = worker_fixtures.database_url
fake_channels = worker_fixtures.fake_channels
http = worker_fixtures.http
orchestrator = worker_fixtures.orchestrator
postgres_url = worker_fixtures.postgres_url
project_root = worker_fixtures.project_root
real_approvals = worker_fixtures.real_approvals
sender = worker_fixtures.sender
sink_channels = worker_fixtures.sink_channels
smtp = worker_fixtures.smtp
store = worker_fixtures.store
worker = worker_fixtures.worker

WORKER = "from outagecomms.cli import main; main()"
PATHS = ("/a", "/b", "/c")
OPTIONS = ("--once", "--timeout", "1", "--lease", "2s")
STEPS = ("claimed", "sending", "sent", "recorded")
SENT_BEFORE_CRASH = {"claimed": False, "sending": False, "sent": True, "recorded": True}


@pytest.fixture
def hooks(project_root: Path, http: HttpSink) -> HttpSink:
    for path in PATHS:
        write_channel(project_root, f"hook-{path[1:]}", kind="webhook", url=http.url(path))
    return http


def backlog(root: Path, database_url: str) -> None:
    """One incident whose first attempts all failed and are due for a retry now."""
    with open_store(database_url) as store:
        minute_ago = utcnow() - timedelta(minutes=1)
        failing = FakeSender(failing={f"hook-{p[1:]}" for p in PATHS})
        Orchestrator(
            Project(root), store, clock=lambda: minute_ago, sender=failing, gate=Approvals()
        ).declare(RUNBOOK, variables={"impact": IMPACT})


def run_worker(
    root: Path, database_url: str, crash_at: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OUTAGECOMMS_TEST_CRASH_AT"}
    if crash_at is not None:
        env["OUTAGECOMMS_TEST_CRASH_AT"] = crash_at
    argv = ["worker", "--project", str(root), "--database-url", database_url, *OPTIONS]
    return subprocess.run(
        [sys.executable, "-c", WORKER, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wait_for_leases_to_expire(database_url: str) -> None:
    """Until every lease the dead worker left in the store has expired (bounded: the
    leases are 2 s; a wait computed from the store, not a guess)."""
    with open_store(database_url) as store, store.read() as conn:
        until = conn.execute(select(func.max(deliveries.c.lease_expires_at))).scalar()
    if until is None:
        return
    deadline = time.monotonic() + 10
    while (left := (until - utcnow()).total_seconds()) >= 0:
        assert time.monotonic() < deadline, "a lease outlived its length"
        time.sleep(left + 0.05)


def crash_and_recover(root: Path, sink: HttpSink, database_url: str, step: str) -> None:
    backlog(root, database_url)
    crashed = run_worker(root, database_url, step)
    assert crashed.returncode == -9, crashed.stderr[-2000:]
    if SENT_BEFORE_CRASH[step]:
        sink.wait_answered(len(PATHS), timeout=10)
    wait_for_leases_to_expire(database_url)
    clean = run_worker(root, database_url, None)
    assert clean.returncode == 0, clean.stderr[-2000:]

    with open_store(database_url) as store, store.read() as conn:
        rows = conn.execute(
            select(deliveries.c.channel, deliveries.c.state, deliveries.c.possibly_duplicate)
        ).all()
    received = Counter(request.path for request in sink.requests)
    assert sorted(row.state for row in rows) == ["sent"] * len(PATHS)  # none lost
    for row in rows:
        path = "/" + row.channel.removeprefix("hook-")
        assert received[path] >= 1, f"{row.channel} never received its delivery"
        if received[path] > 1:
            assert row.possibly_duplicate, f"{row.channel} got a copy not marked"
    # the crash happened where it was asked for: a copy exactly when it had been sent, and
    # the mark wherever the dead worker's claim had been committed (taken over)
    expected = 2 if SENT_BEFORE_CRASH[step] else 1
    assert received == dict.fromkeys(PATHS, expected)
    assert {row.possibly_duplicate for row in rows} == {step != "claimed"}


@pytest.mark.parametrize("step", STEPS)
def test_a_worker_killed_at_each_step_loses_nothing_and_marks_copies(
    project_root: Path, hooks: HttpSink, database_url: str, step: str
) -> None:
    crash_and_recover(project_root, hooks, database_url, step)


@soak
@skip_unless_soak
@pytest.mark.parametrize("round_", range(10))
@pytest.mark.parametrize("step", STEPS)
def test_crash_injection_soak(
    project_root: Path, hooks: HttpSink, database_url: str, step: str, round_: int
) -> None:
    crash_and_recover(project_root, hooks, database_url, step)
