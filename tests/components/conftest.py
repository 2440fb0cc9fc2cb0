"""Fixtures for components: the incidents' project (the payments runbook, which names the
``payments`` component) with the shipped ``components.yaml``, on a store of each backend
(SQLite, and a fresh PostgreSQL schema per test)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.worker import conftest as backends

_logs_to_this_tests_stderr = backends._logs_to_this_tests_stderr
approvals = backends.approvals
cli_orchestrator_options = backends.cli_orchestrator_options
clock = backends.clock
database_url = backends.database_url
fake_channels = backends.fake_channels
http = backends.http
orchestrator = backends.orchestrator
postgres_url = backends.postgres_url
real_approvals = backends.real_approvals
sender = backends.sender
sink_channels = backends.sink_channels
smtp = backends.smtp
store = backends.store


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """The payments runbook, the shipped login runbook and ``components.yaml``."""
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    for runbook in ("payments-failing", "login-failing"):
        shutil.copy(REPO / "runbooks" / f"{runbook}.yaml", root / "runbooks")
    shutil.copy(REPO / "components.yaml", root / "components.yaml")
    return root
