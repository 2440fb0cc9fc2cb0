"""Components follow incidents: declare puts the runbook's components (or the
``--component`` ones) in their status, resolve sets them back to operational unless another
open incident still affects them; every change is kept. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from outagecomms.components import incident_components
from outagecomms.components.impact import catalog_of, component_views
from outagecomms.errors import UsageError
from outagecomms.incidents import Orchestrator
from outagecomms.store import components_repo
from outagecomms.testing import FakeClock

IMPACT = {"impact": "card payments fail at checkout"}
LOGIN = {"impact": "signing in fails"}


def statuses(orchestrator: Orchestrator) -> dict[str, str]:
    with orchestrator.store.read() as conn:
        views = component_views(conn, catalog_of(orchestrator.project), "en")
    return {v.id: v.status for v in views}


def test_declare_puts_the_runbooks_components_in_the_status_it_names(
    orchestrator: Orchestrator,
) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT)
    assert statuses(orchestrator)["payments"] == "partial_outage"
    assert statuses(orchestrator)["login"] == "operational"


def test_incident_components_lists_the_ids_an_incident_affects(
    orchestrator: Orchestrator,
) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT, components=["api"])
    with orchestrator.store.read() as conn:
        assert incident_components(conn, 1) == ["api", "payments"]
        assert incident_components(conn, 99) == []


def test_a_component_flag_overrides_the_runbooks_status(orchestrator: Orchestrator) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT, components=["payments=major_outage"])
    assert statuses(orchestrator)["payments"] == "major_outage"


def test_a_component_flag_without_status_takes_the_severitys(orchestrator: Orchestrator) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT, components=["api"])
    assert statuses(orchestrator)["api"] == "partial_outage"  # severity major


def test_a_component_flag_set_to_operational_leaves_the_component_out(
    orchestrator: Orchestrator,
) -> None:
    orchestrator.declare(
        "payments-failing", variables=IMPACT, components=["payments=operational", "api"]
    )
    with orchestrator.store.read() as conn:
        assert incident_components(conn, 1) == ["api"]


def test_an_unknown_component_flag_is_a_usage_error_naming_the_known_ones(
    orchestrator: Orchestrator,
) -> None:
    with pytest.raises(UsageError, match=r"no component 'paymnts'.*known: payments, login"):
        orchestrator.declare("payments-failing", variables=IMPACT, components=["paymnts"])
    assert orchestrator.status() == []  # nothing declared


def test_an_unknown_status_is_a_usage_error_naming_the_statuses(
    orchestrator: Orchestrator,
) -> None:
    with pytest.raises(UsageError, match=r"use one of operational, under_maintenance"):
        orchestrator.declare("payments-failing", variables=IMPACT, components=["payments=down"])


def test_resolve_sets_the_components_back_to_operational(
    orchestrator: Orchestrator, clock: FakeClock
) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT)
    clock.advance(minutes=30)
    orchestrator.resolve("INC-1")
    assert statuses(orchestrator)["payments"] == "operational"


def test_resolve_keeps_a_component_another_open_incident_still_affects(
    orchestrator: Orchestrator, clock: FakeClock
) -> None:
    orchestrator.declare("payments-failing", variables=IMPACT)
    orchestrator.declare("login-failing", variables=LOGIN, components=["payments"])
    assert statuses(orchestrator)["payments"] == "major_outage"  # the critical severity's
    clock.advance(minutes=30)
    orchestrator.resolve("INC-2")
    assert statuses(orchestrator)["payments"] == "partial_outage"
    orchestrator.resolve("INC-1")
    assert statuses(orchestrator)["payments"] == "operational"


def test_every_change_of_status_is_kept_with_its_incident_and_time(
    orchestrator: Orchestrator, clock: FakeClock
) -> None:
    start = clock()
    orchestrator.declare("payments-failing", variables=IMPACT)
    clock.advance(minutes=45)
    orchestrator.resolve("INC-1")
    with orchestrator.store.read() as conn:
        history = components_repo.changes_since(conn, start)
    assert [(c.component, c.status, c.source, c.incident) for c in history] == [
        ("payments", "partial_outage", "declare", 1),
        ("payments", "operational", "resolve", 1),
    ]
    assert history[1].at - history[0].at == clock() - start


def test_a_flap_reopening_the_incident_puts_its_components_back(
    orchestrator: Orchestrator, clock: FakeClock
) -> None:
    from datetime import timedelta

    orchestrator.declare("payments-failing", variables=IMPACT, dedupe_key="check-1")
    orchestrator.resolve("INC-1")
    assert statuses(orchestrator)["payments"] == "operational"
    clock.advance(minutes=5)
    report = orchestrator.declare(
        "payments-failing", variables=IMPACT, dedupe_key="check-1", cooldown=timedelta(hours=1)
    )
    assert report.reopened
    assert statuses(orchestrator)["payments"] == "partial_outage"
