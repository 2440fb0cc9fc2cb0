"""``resolve`` racing a worker: the worker's automatic update is on the wire to one channel
(held by the sink) when ``resolve`` runs in another process. On every channel the
resolution arrives after the update, and nothing but the resolution arrives after it."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outagecomms.incidents import Orchestrator, utcnow
from outagecomms.project import Project
from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from outagecomms.store.tables import deliveries, messages
from tests.incidents.conftest import IMPACT, RUNBOOK, FakeSender, write_channel
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

CLI = "from outagecomms.cli import main; main()"
PATHS = ("/a", "/b", "/c")
HELD = "/a"
BREAK_GLASS = ("--unapproved", "--reason", "reliability suite")


@pytest.fixture
def hooks(project_root: Path, http: HttpSink) -> HttpSink:
    for path in PATHS:
        write_channel(project_root, f"hook-{path[1:]}", kind="webhook", url=http.url(path))
    return http


def command(root: Path, database_url: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        CLI,
        *args,
        "--project",
        str(root),
        "--database-url",
        database_url,
    ]


def test_resolve_racing_the_worker_is_never_overtaken_by_its_update(
    project_root: Path, hooks: HttpSink, database_url: str
) -> None:
    with open_store(database_url) as store:  # declared 2 h ago: the 1 h update is overdue
        long_ago = utcnow() - timedelta(hours=2)
        report = Orchestrator(
            Project(project_root), store, clock=lambda: long_ago, sender=FakeSender()
        ).declare(RUNBOOK, variables={"impact": IMPACT}, unapproved_reason=BREAK_GLASS[2])
    incident = report.incident.id

    hooks.hold(HELD)
    worker = subprocess.Popen(
        command(project_root, database_url, "worker", "--once", "--timeout", "30"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        hooks.wait_for(1, path=HELD, timeout=30)  # the update is on the wire, unanswered
        for path in PATHS:
            if path != HELD:
                hooks.wait_answered(1, path=path, timeout=30)
        resolved = subprocess.run(
            command(project_root, database_url, "resolve", incident, *BREAK_GLASS),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        # 6: the resolution is queued where the update is still being sent (the worker
        # records its batch once the held send is answered), for a worker to send after it
        assert resolved.returncode in (0, 6), resolved.stderr[-2000:]
        assert worker.poll() is None  # still sending the held update
    finally:
        hooks.release(HELD)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-2000:]
    # whatever the first worker left (the held channel's resolution) a second one sends
    again = subprocess.run(
        command(project_root, database_url, "worker", "--once"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-2000:]

    with open_store(database_url) as store, store.read() as conn:
        rows = conn.execute(
            select(deliveries.c.idempotency_key, deliveries.c.state, messages.c.phase).join(
                messages, messages.c.id == deliveries.c.message_id
            )
        ).all()
    phase_of = {row.idempotency_key: row.phase for row in rows}
    assert {(row.phase, row.state) for row in rows} == {
        ("investigating", "sent"),
        ("update", "sent"),
        ("resolved", "sent"),
    }
    for path in PATHS:
        arrived = [
            phase_of[request.header("Idempotency-Key") or ""]
            for request in hooks.requests
            if request.path == path
        ]
        answered = [
            phase_of[request.header("Idempotency-Key") or ""]
            for request in hooks.answered
            if request.path == path
        ]
        assert arrived == ["update", "resolved"], path
        assert answered == ["update", "resolved"], path
