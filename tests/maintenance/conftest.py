"""Fixtures for maintenance windows: the worker's fixtures (each store backend, the clock,
real local sinks) on a project with the shipped scheduled-maintenance runbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.maintenance import Maintenance
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.worker import Worker
from tests.conftest import REPO
from tests.incidents.conftest import Approvals, Clock
from tests.worker import conftest as shared

_logs_to_this_tests_stderr = shared._logs_to_this_tests_stderr
approvals = shared.approvals
cli_orchestrator_options = shared.cli_orchestrator_options
clock = shared.clock
database_url = shared.database_url
http = shared.http
postgres_url = shared.postgres_url
real_approvals = shared.real_approvals
sender = shared.sender
sink_channels = shared.sink_channels
smtp = shared.smtp
store = shared.store

RUNBOOK = "scheduled-maintenance"
IMPACT = "the app and website are unavailable"


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """A project with the shipped scheduled-maintenance runbook and components.yaml, and no
    channels."""
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    shutil.copy(REPO / "components.yaml", root)
    return root


@pytest.fixture
def orchestrator(
    project_root: Path,
    sink_channels: dict[str, str],
    store: Store,
    clock: Clock,
    approvals: Approvals,
) -> Orchestrator:
    """The on-call's orchestrator, sending for real to the local sinks."""
    return Orchestrator(Project(project_root), store, clock=clock, gate=approvals, actor="alice")


@pytest.fixture
def maintenance(orchestrator: Orchestrator) -> Maintenance:
    return Maintenance(orchestrator)


@pytest.fixture
def worker(orchestrator: Orchestrator) -> Worker:
    """A worker on the same store and clock, driving the windows' steps."""
    own = Orchestrator(
        orchestrator.project, orchestrator.store, clock=orchestrator.clock, gate=orchestrator.gate
    )
    return Worker(own, scheduled=Maintenance(own))
