"""Real clock, real processes: a window a few seconds ahead driven by an `outagecomms worker`
process to the local sinks, and the HTTP API under a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.maintenance import Maintenance
from outagecomms.project import Project
from outagecomms.sinks import SmtpSink
from outagecomms.store import Store
from tests.incidents.conftest import Approvals
from tests.maintenance.conftest import IMPACT, RUNBOOK
from tests.maintenance.test_steps import ANNOUNCED, COMPLETED, REMINDED, STARTED, _told
from tests.service import conftest as service_fixtures
from tests.service.conftest import Running, Tokens, make_service, start_uvicorn, stop_uvicorn

tokens = service_fixtures.tokens


@pytest.fixture
def seconds_ahead(project_root: Path) -> Path:
    """The shipped runbook, reminding 6 seconds before the start instead of 24h and 1h."""
    path = project_root / "runbooks" / f"{RUNBOOK}.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "remind_before: [24h, 1h]", "remind_before: [6s]"
    )
    path.write_text(text, encoding="utf-8")
    return project_root


@pytest.fixture
def worker_process(
    seconds_ahead: Path, database_url: str, sink_channels: dict[str, str]
) -> Iterator[subprocess.Popen[str]]:
    argv = ["worker", "--project", str(seconds_ahead), "--database-url", database_url]
    popen = subprocess.Popen(
        [sys.executable, "-c", "from outagecomms.cli import main; main()", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert popen.stderr is not None
    popen.stderr.readline()  # its banner: the store is open and the signals handled
    yield popen
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        popen.communicate(timeout=30)


def test_a_window_seconds_ahead_runs_itself_on_a_real_worker_process(
    seconds_ahead: Path,
    store: Store,
    approvals: Approvals,
    smtp: SmtpSink,
    worker_process: subprocess.Popen[str],
) -> None:
    on_call = Orchestrator(Project(seconds_ahead), store, gate=approvals, actor="alice")
    Maintenance(on_call).schedule(RUNBOOK, start="+12s", end="+18s", variables={"impact": IMPACT})
    smtp.wait_for(4, timeout=45)
    worker_process.send_signal(signal.SIGTERM)
    worker_process.communicate(timeout=30)
    assert _told(smtp) == [ANNOUNCED, REMINDED, STARTED, COMPLETED]


@pytest.fixture
def api(project_root: Path, store: Store, sink_channels: dict[str, str]) -> Iterator[Running]:
    running = start_uvicorn(make_service(project_root, store), with_worker=False)
    yield running
    stop_uvicorn(running)


def test_the_api_schedules_lists_reschedules_and_cancels_a_window(
    api: Running, tokens: Tokens, smtp: SmtpSink
) -> None:
    body = {"runbook": RUNBOOK, "start": "+2h", "end": "+3h", "variables": {"impact": IMPACT}}
    made = httpx.post(f"{api.url}/api/v1/maintenances", json=body, headers=tokens.header())
    assert made.status_code == 201, made.text
    ref = made.json()["id"]
    listed = httpx.get(f"{api.url}/api/v1/maintenances", headers=tokens.header("read")).json()
    assert [w["id"] for w in listed] == [ref]
    moved = httpx.post(
        f"{api.url}/api/v1/maintenances/{ref}/reschedule",
        json={"start": "+5h", "end": "+6h"},
        headers=tokens.header(),
    )
    assert moved.json()["sequence"] == 1
    cancelled = httpx.post(f"{api.url}/api/v1/maintenances/{ref}/cancel", headers=tokens.header())
    assert cancelled.json()["status"] == "cancelled"
    assert len(smtp.wait_for(3)) == 3


def test_the_api_answers_a_bad_time_with_a_problem_naming_the_fix(
    api: Running, tokens: Tokens
) -> None:
    body = {"runbook": RUNBOOK, "start": "tomorrow", "end": "+3h", "variables": {"impact": IMPACT}}
    answer = httpx.post(f"{api.url}/api/v1/maintenances", json=body, headers=tokens.header())
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "--start" in answer.json()["detail"]


def test_the_api_refuses_scheduling_with_a_read_token(api: Running, tokens: Tokens) -> None:
    body = {"runbook": RUNBOOK, "start": "+2h", "end": "+3h", "variables": {"impact": IMPACT}}
    answer = httpx.post(f"{api.url}/api/v1/maintenances", json=body, headers=tokens.header("read"))
    assert answer.status_code == 403


def test_the_api_serves_an_incidents_promise_record(
    api: Running, tokens: Tokens, store: Store, approvals: Approvals, project_root: Path
) -> None:
    body = {"runbook": RUNBOOK, "start": "+1h", "end": "+3h", "variables": {"impact": IMPACT}}
    incident = httpx.post(
        f"{api.url}/api/v1/maintenances", json=body, headers=tokens.header()
    ).json()["incident"]
    report = httpx.get(
        f"{api.url}/api/v1/incidents/{incident}/report", headers=tokens.header("read")
    )
    assert report.status_code == 200
    assert report.json()["updates_on_time"] == {"on_time": 0, "due": 0, "share": None}
