"""Fixtures for the worker: the incidents fixtures (project, clock, stand-in sender, real
sinks), and a store on each backend, so the same contract runs on SQLite and on the
PostgreSQL server (a fresh schema per test, dropped after)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.store import Store, open_store
from outagecomms.worker import Worker
from tests.incidents import conftest as shared
from tests.incidents.conftest import Approvals, Clock, FakeSender

# The incidents fixtures this folder shares, by name (``store`` and ``orchestrator`` are
# redefined below, on each backend).
_logs_to_this_tests_stderr = shared._logs_to_this_tests_stderr
approvals = shared.approvals
cli_orchestrator_options = shared.cli_orchestrator_options
clock = shared.clock
fake_channels = shared.fake_channels
http = shared.http
postgres_url = shared.postgres_url
project_root = shared.project_root
real_approvals = shared.real_approvals
sender = shared.sender
sink_channels = shared.sink_channels
smtp = shared.smtp


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, project_root: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{project_root / '.outagecomms' / 'state.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def orchestrator(
    project_root: Path,
    fake_channels: list[str],
    store: Store,
    clock: Clock,
    sender: FakeSender,
    approvals: Approvals,
) -> Orchestrator:
    return Orchestrator(
        Project(project_root), store, clock=clock, sender=sender, gate=approvals, actor="alice"
    )


@pytest.fixture
def worker(orchestrator: Orchestrator) -> Worker:
    """A worker sharing the on-call's store, clock and stand-in sender."""
    return Worker(
        Orchestrator(
            orchestrator.project,
            orchestrator.store,
            clock=orchestrator.clock,
            sender=orchestrator.sender,
            gate=orchestrator.gate,
        )
    )
