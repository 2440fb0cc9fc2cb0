"""The worker as real processes and threads: killed mid-fan-out, stopped by SIGTERM, woken
by new work, several at once on PostgreSQL; and the liveness warnings of the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outagecomms.delivery import Outcome, Outgoing
from outagecomms.incidents import Orchestrator, utcnow
from outagecomms.project import Project
from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from outagecomms.store.tables import deliveries, messages, workers
from outagecomms.worker import Worker
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

WORKER = "from outagecomms.cli import main; main()"
PATHS = ("/a", "/b", "/c", "/held")
BREAK_GLASS = ("--unapproved", "--reason", "worker test")


@pytest.fixture
def hooks(project_root: Path, http: HttpSink) -> HttpSink:
    for path in PATHS:
        write_channel(project_root, f"hook-{path[1:]}", kind="webhook", url=http.url(path))
    return http


class Process:
    def __init__(self, root: Path, database_url: str, *args: str) -> None:
        argv = ["worker", "--project", str(root), "--database-url", database_url, *args]
        self.popen = subprocess.Popen(
            [sys.executable, "-c", WORKER, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # the worker prints one line on stderr once its store is open
        self.banner = self.popen.stderr.readline() if self.popen.stderr else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, str]:
        self.popen.send_signal(sig)
        _, err = self.popen.communicate(timeout=timeout)
        return self.popen.returncode, err


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.popen.poll() is None:
            process.popen.kill()
            process.popen.communicate(timeout=10)


def backlog(root: Path, database_url: str) -> None:
    """One incident whose four first attempts failed and are due for a retry now."""
    with open_store(database_url) as store:
        minute_ago = utcnow() - timedelta(minutes=1)
        failing = FakeSender(failing={f"hook-{p[1:]}" for p in PATHS})
        Orchestrator(
            Project(root), store, clock=lambda: minute_ago, sender=failing, gate=Approvals()
        ).declare(RUNBOOK, variables={"impact": IMPACT})


def test_a_worker_killed_mid_fan_out_is_taken_over_and_every_delivery_completes(
    project_root: Path, hooks: HttpSink, database_url: str, processes: list[Process]
) -> None:
    backlog(project_root, database_url)
    hooks.hold("/held")
    options = ("--timeout", "5", "--lease", "6s")
    first = Process(project_root, database_url, *options)
    processes.append(first)
    hooks.wait_for(len(PATHS), timeout=30)  # three answered, one held on the wire
    first.popen.kill()
    first.popen.communicate(timeout=10)
    hooks.release("/held")
    processes.append(second := Process(project_root, database_url, *options))
    hooks.wait_for(2 * len(PATHS), timeout=30)
    code, err = second.stop()
    assert code == 0, err
    with open_store(database_url) as store, store.read() as conn:
        rows = conn.execute(
            select(deliveries.c.state, deliveries.c.possibly_duplicate, deliveries.c.attempts)
        ).all()
    assert sorted(tuple(row) for row in rows) == [("sent", True, 3)] * len(PATHS)


def test_a_taken_over_delivery_repeats_its_idempotency_key(
    project_root: Path, hooks: HttpSink, database_url: str, processes: list[Process]
) -> None:
    backlog(project_root, database_url)
    hooks.hold("/held")
    options = ("--timeout", "5", "--lease", "6s")
    processes.append(first := Process(project_root, database_url, *options))
    hooks.wait_for(len(PATHS), timeout=30)
    first.popen.kill()
    first.popen.communicate(timeout=10)
    hooks.release("/held")
    processes.append(Process(project_root, database_url, *options))
    held = hooks.wait_for(2, path="/held", timeout=30)
    keys = {request.header("Idempotency-Key") for request in held}
    assert len(keys) == 1 and None not in keys


def test_sigterm_stops_an_idle_worker_cleanly(
    project_root: Path, hooks: HttpSink, database_url: str, processes: list[Process]
) -> None:
    processes.append(process := Process(project_root, database_url))
    code, err = process.stop(signal.SIGTERM, timeout=15)
    with open_store(database_url) as store, store.read() as conn:
        stopped = conn.execute(select(workers.c.stopped_at)).scalars().all()
    assert (code, len(stopped), None in stopped) == (0, 1, False), err


def test_sigint_stops_the_worker_too(
    project_root: Path, hooks: HttpSink, database_url: str, processes: list[Process]
) -> None:
    processes.append(process := Process(project_root, database_url))
    code, err = process.stop(signal.SIGINT, timeout=15)
    assert code == 0, err


def test_a_sleeping_worker_wakes_when_the_cli_declares(
    project_root: Path, hooks: HttpSink, database_url: str, processes: list[Process], cli: CliRunner
) -> None:
    """Idle, the worker would sleep a whole heartbeat (30 s); a declare with a 2 s cadence
    wakes it, so the automatic update arrives within seconds."""
    processes.append(Process(project_root, database_url, "--poll-interval", "0.2"))
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--cadence", "2s", *BREAK_GLASS,
        "--project", str(project_root), "--database-url", database_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    hooks.wait_for(2, path="/a", timeout=15)
    with open_store(database_url) as store, store.read() as conn:
        origins = conn.execute(select(messages.c.origin).order_by(messages.c.id)).scalars().all()
    assert origins[:2] == ["human", "cadence"]


# --- liveness ---------------------------------------------------------------------------


def declare_json(cli: CliRunner, root: Path, database_url: str) -> tuple[dict[str, object], str]:
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", *BREAK_GLASS, "--json",
        "--project", str(root), "--database-url", database_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_declare_warns_in_its_json_when_no_worker_is_running(
    project_root: Path, hooks: HttpSink, database_url: str, cli: CliRunner
) -> None:
    document, _ = declare_json(cli, project_root, database_url)
    [warning] = document["warnings"]  # type: ignore[misc]
    assert "updates promised every 1h will not be sent: no worker is running" in warning


def test_declare_warns_on_stderr_when_no_worker_is_running(
    project_root: Path, hooks: HttpSink, database_url: str, cli: CliRunner
) -> None:
    _, stderr = declare_json(cli, project_root, database_url)
    assert "outagecomms: warning: updates promised every 1h will not be sent" in stderr


def test_declare_does_not_warn_after_a_recent_heartbeat(
    project_root: Path, hooks: HttpSink, database_url: str, cli: CliRunner
) -> None:
    once = cli("worker", "--once", "--project", str(project_root), "--database-url", database_url)
    assert once.exit_code == 0, once.stderr
    document, _ = declare_json(cli, project_root, database_url)
    assert document["warnings"] == []


def test_status_warns_when_no_worker_is_running(
    project_root: Path, hooks: HttpSink, database_url: str, cli: CliRunner
) -> None:
    declare_json(cli, project_root, database_url)
    result = cli("status", "--project", str(project_root), "--database-url", database_url)
    assert "no worker is running" in result.stderr


def test_worker_once_reports_what_it_did_as_json(
    project_root: Path, hooks: HttpSink, database_url: str, cli: CliRunner
) -> None:
    backlog(project_root, database_url)
    result = cli(
        "worker", "--once", "--json", "--project", str(project_root),
        "--database-url", database_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == len(PATHS)


# --- several workers --------------------------------------------------------------------


class Recorder:
    """A thread-safe stand-in sender shared by several workers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []

    def __call__(
        self,
        items: Sequence[Outgoing],
        *,
        concurrency: int = 16,
        timeout: float = 10.0,
        environ: Mapping[str, str] | None = None,
    ) -> list[Outcome]:
        with self.lock:
            self.sent.extend(item.key for item in items)
        return [Outcome(item.key, True, None, 0.0) for item in items]


def test_two_workers_over_many_incidents_send_nothing_twice(
    project_root: Path, fake_channels: list[str], database_url: str
) -> None:
    count = 25
    with open_store(database_url) as store:
        clock = Clock()
        failing = FakeSender(failing=set(fake_channels))
        on_call = Orchestrator(
            Project(project_root), store, clock=clock, sender=failing, gate=Approvals()
        )
        for _ in range(count):
            on_call.declare(RUNBOOK, variables={"impact": IMPACT})
    recorder = Recorder()
    later = T0 + timedelta(hours=2)  # every retry and every automatic update is due
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with open_store(database_url) as own:
                orchestrator = Orchestrator(
                    Project(project_root), own, clock=lambda: later, sender=recorder,
                    concurrency=4,
                )  # fmt: skip
                start.wait(timeout=30)
                Worker(orchestrator).run_once(later)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with open_store(database_url) as store, store.read() as conn:
        origins = conn.execute(select(messages.c.origin)).scalars().all()
        states = set(conn.execute(select(deliveries.c.state)).scalars().all())
    assert len(recorder.sent) == len(set(recorder.sent))
    assert origins.count("cadence") == count
    assert states == {"sent", "cancelled"}  # each retry was superseded by its update
