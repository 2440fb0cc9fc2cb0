"""``status`` reads its rows without an orchestrator (``incidents/overview.py``): the rows
and the no-worker warning are the ones the orchestrator and the worker give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.incidents.overview import overview
from outagecomms.store import Store
from outagecomms.store.tables import incidents, workers
from outagecomms.testing import FakeClock
from outagecomms.worker import worker_warnings
from tests.incidents.conftest import IMPACT, RUNBOOK, FakeSender


def _declare_three(orchestrator: Orchestrator, sender: FakeSender, clock: FakeClock) -> None:
    """INC-1 resolved, INC-2 open with a failed channel and a cadence of its own, INC-3
    open and, by the end, overdue."""
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    orchestrator.resolve("INC-1")
    sender.failing = {"x-posts"}
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, cadence=timedelta(minutes=20))
    sender.failing = set()
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, dedupe_key="db")
    clock.advance(hours=3)


@pytest.mark.parametrize("include_resolved", [False, True])
def test_the_overview_lists_the_rows_the_orchestrator_lists(
    orchestrator: Orchestrator,
    sender: FakeSender,
    clock: FakeClock,
    include_resolved: bool,
) -> None:
    _declare_three(orchestrator, sender, clock)

    found = overview(
        orchestrator.project,
        orchestrator.store.url.render_as_string(hide_password=False),
        include_resolved=include_resolved,
        clock=clock,
    )

    expected = orchestrator.status(include_resolved=include_resolved)
    assert [row.as_json() for row in found.rows] == [row.as_json() for row in expected]
    assert [row.needs_a_human for row in found.rows] == [row.needs_a_human for row in expected]


def test_the_overview_warns_as_the_worker_does_when_no_worker_runs(
    orchestrator: Orchestrator, sender: FakeSender, clock: FakeClock
) -> None:
    _declare_three(orchestrator, sender, clock)
    url = orchestrator.store.url.render_as_string(hide_password=False)

    found = overview(orchestrator.project, url, clock=clock)

    expected = worker_warnings(orchestrator, [row.incident for row in found.rows])
    assert found.warnings == expected
    assert "updates promised every 1h / 20m will not be sent" in found.warnings[0]


def test_the_overview_gives_no_warning_while_a_worker_is_seen(
    orchestrator: Orchestrator, store: Store, sender: FakeSender, clock: FakeClock
) -> None:
    _declare_three(orchestrator, sender, clock)
    with store.write() as conn:
        conn.execute(
            workers.insert().values(
                id="h:1:w1", hostname="h", pid=1, started_at=clock(), seen_at=clock()
            )
        )
    url = store.url.render_as_string(hide_password=False)

    found = overview(orchestrator.project, url, clock=clock)

    assert found.warnings == [] == worker_warnings(orchestrator, [r.incident for r in found.rows])


def test_an_incident_declared_before_pinning_warns_with_its_runbook_files_cadence(
    orchestrator: Orchestrator, store: Store, sender: FakeSender, clock: FakeClock
) -> None:
    _declare_three(orchestrator, sender, clock)
    with store.write() as conn:
        conn.execute(incidents.update().values(runbook_sha256=None))
    url = store.url.render_as_string(hide_password=False)

    found = overview(orchestrator.project, url, clock=clock, gate=orchestrator.gate)

    assert found.warnings == worker_warnings(orchestrator, [r.incident for r in found.rows])
