"""Providers that fail: a 500, a send that hangs past its deadline, a refused connection.
The failing channel fails alone (the others are answered while it still hangs), stays
queued, and is delivered once the provider recovers."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from outagecomms.delivery import RetryPolicy
from outagecomms.incidents import Orchestrator, Report
from outagecomms.project import Project
from outagecomms.sinks import HttpSink, closed_port
from outagecomms.store import Store, open_store
from outagecomms.store.records import DeliveryRecord
from tests.conftest import REPO

RUNBOOK = "payments-failing"
HEALTHY = ("/ok-a", "/ok-b")
FAULTY = {"err": "/err", "slow": "/slow", "refused": "/refused"}
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
FAST_RETRY = RetryPolicy(
    initial=timedelta(seconds=10), maximum=timedelta(minutes=1), budget=5, jitter=0
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _channel(root: Path, name: str, url: str) -> None:
    data = {"name": name, "kind": "webhook", "url": url}
    (root / "channels" / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


@pytest.fixture
def http() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


@pytest.fixture
def setup(tmp_path: Path, http: HttpSink) -> Iterator[tuple[Path, Store, int]]:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    for path in HEALTHY:
        _channel(root, path.strip("/"), http.url(path))
    _channel(root, "err", http.url("/err"))
    _channel(root, "slow", http.url("/slow"))
    with closed_port() as port:
        _channel(root, "refused", f"json://127.0.0.1:{port}/refused")
        store = open_store(f"sqlite:///{root / 'state.db'}")
        try:
            yield root, store, port
        finally:
            store.close()


def _fault_and_recover(setup: tuple[Path, Store, int], http: HttpSink) -> dict[str, DeliveryRecord]:
    """Declare while three providers fail, check who waited for whom, let them recover,
    run the worker once; the final deliveries by channel."""
    root, store, _port = setup
    http.behave("/err", status=500)
    http.hold("/slow")
    clock = Clock()
    orchestrator = Orchestrator(
        Project(root), store, clock=clock, retry=FAST_RETRY, timeout=1.5, actor="oncall"
    )
    reports: list[Report] = []
    declaring = threading.Thread(
        target=lambda: reports.append(
            orchestrator.declare(
                RUNBOOK, variables={"impact": "cards fail"}, unapproved_reason="fault test"
            )
        )
    )
    declaring.start()
    try:
        # The healthy channels are answered while the slow one still hangs: nobody waits
        # for it (an ordering of events, not a measured time).
        http.wait_for(1, path="/slow")
        for path in HEALTHY:
            http.wait_answered(1, path=path)
        assert http.in_flight >= 1 and not [r for r in http.answered if r.path == "/slow"]
    finally:
        declaring.join(timeout=30)
    assert not declaring.is_alive()
    [report] = reports
    states = {d.channel: (d.state, d.last_error) for d in report.deliveries}
    assert {states[p.strip("/")][0] for p in HEALTHY} == {"sent"}
    for name in FAULTY:
        state, error = states[name]
        assert state == "retry" and error, (name, state, error)
    assert "timed out" in (states["slow"][1] or "")

    # The providers recover: the 500 becomes a 200, the hang ends, and the refused
    # channel's address is fixed (the worker reads the channel files again).
    http.behave("/err")
    http.release("/slow")
    _channel(root, "refused", http.url("/refused"))
    from outagecomms.worker import Worker

    clock.now = T0 + timedelta(minutes=5)
    worker = Worker(orchestrator)
    worker.run_once()
    detail = orchestrator.show(report.incident.id)
    [entry] = detail.timeline
    final = {d.channel: d for d in entry.deliveries}
    assert {d.state for d in final.values()} == {"sent"}, {
        n: (d.state, d.last_error) for n, d in final.items()
    }
    return final


def test_a_failing_provider_fails_alone_and_recovers(
    setup: tuple[Path, Store, int], http: HttpSink
) -> None:
    _fault_and_recover(setup, http)
    arrived = {path: [r for r in http.requests if r.path == path] for path in
               (*HEALTHY, *FAULTY.values())}  # fmt: skip
    for path in (*HEALTHY, "/refused"):
        assert len(arrived[path]) == 1, path
    assert len(arrived["/err"]) == 2  # the refused attempt, then the delivery
    # The hung request reached the provider before its deadline, so the retry is a
    # second copy; a webhook receiver can drop it by its idempotency key.
    keys = {r.header("Idempotency-Key") for r in arrived["/slow"]}
    assert len(arrived["/slow"]) == 2 and len(keys) == 1 and None not in keys


def test_a_retried_timed_out_send_is_marked_possibly_duplicated(
    setup: tuple[Path, Store, int], http: HttpSink
) -> None:
    final = _fault_and_recover(setup, http)
    assert final["slow"].possibly_duplicate
