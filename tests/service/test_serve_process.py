"""``outagecomms serve`` as a process: it answers on its port, and SIGTERM lets the
request in flight finish (its incident is recorded and answered) before it exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from outagecomms.sinks import HttpSink
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK
from tests.service.conftest import READY_TIMEOUT, Tokens, free_socket, wait_ready

pytestmark = pytest.mark.slow


def refused(url: str, timeout: float = READY_TIMEOUT) -> None:
    """Poll until the server no longer accepts connections (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=0.5)
        except httpx.TransportError:
            return
        time.sleep(0.02)
    raise TimeoutError(f"{url} still accepts connections after {timeout}s")


@pytest.fixture
def serving(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], tokens: Tokens
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    assert cli("approve", RUNBOOK, "--by", "comms", "--project", str(project_root)).exit_code == 0
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "outagecomms"),
            "serve",
            "--port",
            str(port),
            "--no-worker",
            "--project",
            str(project_root),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=READY_TIMEOUT)
        if process.stderr is not None:
            process.stderr.close()


def test_sigterm_lets_the_request_in_flight_finish(
    serving: tuple[subprocess.Popen[bytes], str], tokens: Tokens, http: HttpSink
) -> None:
    process, url = serving
    http.hold("/status")  # the declare's first attempt on the status hook waits here
    answers: list[httpx.Response] = []

    def declare() -> None:
        answers.append(
            httpx.post(
                f"{url}/api/v1/incidents",
                json={"runbook": RUNBOOK, "variables": {"impact": IMPACT}},
                headers=tokens.header(),
                timeout=READY_TIMEOUT * 3,
            )
        )

    thread = threading.Thread(target=declare)
    thread.start()
    http.wait_in_flight(1)
    process.send_signal(signal.SIGTERM)
    refused(url)  # shutting down: no new connections...
    assert process.poll() is None  # ...but still running the request in flight
    http.release("/status")
    thread.join(timeout=READY_TIMEOUT * 3)
    assert answers and answers[0].status_code == 201
    assert answers[0].json()["incident"]["id"] == "INC-1"
    assert process.wait(timeout=READY_TIMEOUT * 3) == 0


def test_readyz_answers_ready_on_a_sqlite_database_already_at_the_newest_schema(
    serving: tuple[subprocess.Popen[bytes], str],
) -> None:
    from outagecomms.store.engine import HEAD_REVISION

    _, url = serving  # the tokens fixture migrated the database before serve opened it
    response = httpx.get(f"{url}/readyz", timeout=READY_TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "schema": HEAD_REVISION}
