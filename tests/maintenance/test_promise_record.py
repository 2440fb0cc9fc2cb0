"""The promise record: every "next update by" with when it fell due and when each channel
got the next message; a worker stopped past a promise makes it late."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from outagecomms.incident_report import incident_report
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.report_html import report_html
from outagecomms.store import Store
from outagecomms.worker import Worker
from tests.incidents.conftest import Clock

RUNBOOK = "payments-failing"


@pytest.fixture
def project_root(project_root: Path) -> Path:
    from tests.conftest import REPO

    (project_root / "runbooks" / f"{RUNBOOK}.yaml").write_bytes(
        (REPO / "runbooks" / f"{RUNBOOK}.yaml").read_bytes()
    )
    return project_root


def _declare(orchestrator: Orchestrator) -> str:
    report = orchestrator.declare(RUNBOOK, variables={"impact": "card payments fail at checkout"})
    return report.incident.id


def test_report_lists_every_promise_of_an_incident(
    orchestrator: Orchestrator, worker: Worker, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)  # promises an update in 60 minutes (major)
    clock.advance(minutes=20)
    orchestrator.update(ref, phase=Phase.IDENTIFIED)  # keeps it early, promises another
    clock.advance(minutes=61)
    worker.run_once()  # the automatic update keeps the second one, a minute late
    clock.advance(minutes=10)
    orchestrator.resolve(ref)
    found = incident_report(store, ref, clock())
    assert [p.seq for p in found.record.promises] == [1, 2, 3]
    assert [p.kept_by for p in found.record.promises] == [2, 3, 4]
    assert (found.record.on_time, found.record.due) == (3, 3)


def test_a_worker_stopped_past_a_promise_makes_it_late_by_the_delay(
    orchestrator: Orchestrator, worker: Worker, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)
    clock.advance(minutes=60 + 25)  # no worker ran when the promise fell due
    worker.run_once()
    (first, second) = incident_report(store, ref, clock()).record.promises
    assert first.late_by == timedelta(minutes=25)
    assert not first.on_time
    assert second.kept_by is None and not second.fell_due


def test_a_promise_not_kept_yet_is_late_from_when_it_fell_due(
    orchestrator: Orchestrator, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)
    clock.advance(minutes=90)
    (promise,) = incident_report(store, ref, clock()).record.promises
    assert promise.late_by == timedelta(minutes=30)


def test_time_to_first_message_is_per_channel(
    orchestrator: Orchestrator, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)
    found = incident_report(store, ref, clock())
    assert {c.channel: c.first_after for c in found.channels} == {
        "customers-email": timedelta(0),
        "status-hook": timedelta(0),
        "team-slack": timedelta(0),
        "x-posts": timedelta(0),
    }


def test_the_json_report_says_updates_on_time_n_of_m(
    orchestrator: Orchestrator, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)
    clock.advance(minutes=90)
    document = incident_report(store, ref, clock()).as_json()
    assert json.loads(json.dumps(document))["updates_on_time"]["due"] == 1
    assert document["promises"][0]["late_by_seconds"] == 30 * 60


def test_the_html_report_escapes_what_was_sent_and_shows_the_share(
    orchestrator: Orchestrator, clock: Clock, store: Store
) -> None:
    ref = _declare(orchestrator)
    document = report_html(incident_report(store, ref, clock()))
    assert "Updates on time: 0 of 0" in document
    assert "<script" not in document
