"""Ctrl-C tells the truth: the first one says what is recorded and what the worker will
still send, hands unsent deliveries back at once (no attempt counted, nothing falsely
"possibly duplicated") and exits 130; a second one quits at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.errors import ExitStatus, InterruptedByUser
from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.sinks import HttpSink
from outagecomms.store import Store, open_store
from outagecomms.store import repository as repo
from outagecomms.store.records import DeliveryRecord
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, Clock, FakeSender, write_channel


@pytest.fixture
def held(project_root: Path, http: HttpSink) -> Iterator[HttpSink]:
    """Two channels sent one at a time: ``a-slow`` (its receiver holds the request), then
    ``b-next``."""
    write_channel(project_root, "a-slow", kind="webhook", url=http.url("/slow"))
    write_channel(project_root, "b-next", kind="webhook", url=http.url("/next"))
    http.hold("/slow")
    yield http
    http.release("/slow")


def ctrl_c_once(http: HttpSink, path: str) -> threading.Thread:
    """Press Ctrl-C (SIGINT to this process) once a request to ``path`` is being held."""

    def press() -> None:
        http.wait_for(1, path=path)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press, daemon=True)
    presser.start()
    return presser


def deliveries(root: Path) -> dict[str, DeliveryRecord]:
    url = f"sqlite:///{root / '.outagecomms' / 'state.db'}"
    with open_store(url) as store, store.read() as conn:
        return {d.channel: d for d in repo.deliveries_of(conn, [1])}


def declare(cli: CliRunner, root: Path) -> tuple[int, str]:
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", str(root),
        "--concurrency", "1", "--timeout", "30",
    )  # fmt: skip
    return result.exit_code, result.stderr


def test_ctrl_c_while_sending_exits_130_saying_what_the_worker_will_still_send(
    cli: CliRunner, project_root: Path, held: HttpSink
) -> None:
    ctrl_c_once(held, "/slow")
    code, stderr = declare(cli, project_root)
    assert code == ExitStatus.INTERRUPTED
    assert "INC-1 is declared; 2 channel(s) not yet sent (a-slow, b-next)" in stderr
    assert "the worker will send them" in stderr
    assert "a-slow was being sent and may have arrived" in stderr


def test_ctrl_c_hands_a_delivery_that_never_started_back_to_the_queue_at_once(
    cli: CliRunner, project_root: Path, held: HttpSink
) -> None:
    ctrl_c_once(held, "/slow")
    declare(cli, project_root)
    waiting = deliveries(project_root)["b-next"]
    assert (waiting.state, waiting.attempts, waiting.possibly_duplicate) == ("queued", 0, False)
    assert waiting.lease_owner is None


def test_ctrl_c_marks_only_the_send_under_way_as_possibly_duplicated(
    cli: CliRunner, project_root: Path, held: HttpSink
) -> None:
    ctrl_c_once(held, "/slow")
    declare(cli, project_root)
    in_flight = deliveries(project_root)["a-slow"]
    assert (in_flight.state, in_flight.attempts, in_flight.possibly_duplicate) == ("retry", 1, True)


def test_the_worker_sends_what_ctrl_c_left_without_waiting_for_a_lease(
    cli: CliRunner, project_root: Path, held: HttpSink
) -> None:
    ctrl_c_once(held, "/slow")
    declare(cli, project_root)
    worker = cli("worker", "--once", "--project", str(project_root), "--timeout", "5")
    assert worker.exit_code == 0, worker.stderr
    assert deliveries(project_root)["b-next"].state == "sent"
    assert len(held.wait_for(1, path="/next")) == 1


# --- before the send, through the Python API ------------------------------------------


@pytest.fixture
def interrupt() -> threading.Event:
    return threading.Event()


@pytest.fixture
def on_call(
    project_root: Path,
    fake_channels: list[str],
    store: Store,
    clock: Clock,
    sender: FakeSender,
    approvals: Approvals,
    interrupt: threading.Event,
) -> Orchestrator:
    return Orchestrator(
        Project(project_root),
        store,
        clock=clock,
        sender=sender,
        gate=approvals,
        interrupt=interrupt,
    )


def test_ctrl_c_before_anything_is_written_declares_nothing(
    on_call: Orchestrator, interrupt: threading.Event, store: Store, sender: FakeSender
) -> None:
    interrupt.set()
    with pytest.raises(InterruptedByUser, match="nothing was declared or sent"):
        on_call.declare(RUNBOOK, variables={"impact": IMPACT})
    with store.read() as conn:
        assert repo.list_incidents(conn, include_resolved=True) == []
    assert sender.batches == []


def test_ctrl_c_right_after_the_message_is_recorded_sends_nothing_and_counts_no_attempt(
    on_call: Orchestrator, interrupt: threading.Event, sender: FakeSender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    post = on_call.post_message

    def post_then_ctrl_c(*args: object, **kwargs: object) -> object:
        posted = post(*args, **kwargs)  # type: ignore[arg-type]
        interrupt.set()
        return posted

    monkeypatch.setattr(on_call, "post_message", post_then_ctrl_c)
    report = on_call.declare(RUNBOOK, variables={"impact": IMPACT})
    assert report.interrupted and sender.batches == []
    assert {(d.state, d.attempts, d.lease_owner) for d in report.deliveries} == {
        ("queued", 0, None)
    }


def test_a_second_ctrl_c_quits_at_once() -> None:
    script = (
        "import signal\n"
        "from outagecomms.cli.incidents import _first_ctrl_c_stops_sending\n"
        "with _first_ctrl_c_stops_sending() as interrupt:\n"
        "    signal.raise_signal(signal.SIGINT)\n"
        "    assert interrupt.is_set()\n"
        "    signal.raise_signal(signal.SIGINT)\n"
        "    print('still running')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == ExitStatus.INTERRUPTED
    assert "still running" not in done.stdout
    assert "quitting at once" in done.stderr
