"""Fixtures for incidents: a project with the payments runbook, channels pointing at real
local sinks, and an orchestrator whose clock and sender the test controls."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from outagecomms import logs
from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.sinks import HttpSink, SmtpSink
from outagecomms.store import Store, open_store, shown_url
from outagecomms.testing import ApprovalGate as Approvals
from outagecomms.testing import FakeClock as Clock
from outagecomms.testing import FakeSender
from tests.conftest import REPO

RUNBOOK = "payments-failing"
IMPACT = "card payments fail at checkout"
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("OUTAGECOMMS_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/")
"""libpq defaults (the OS user, trust or ~/.pgpass) unless the variable says otherwise."""


def write_channel(root: Path, name: str, **fields: Any) -> Path:
    data = {"name": name, **fields}
    path = root / "channels" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """A project with the shipped payments-failing runbook and no channels."""
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    return root


@pytest.fixture(autouse=True)
def _logs_to_this_tests_stderr() -> None:
    """logs.configure binds the stderr of the moment; a CLI test run before leaves it
    bound to a closed capture, so bind it again for each test."""
    logs.configure(log_format="json", level="warning")


@pytest.fixture
def approvals() -> Approvals:
    """The stand-in gate: passed to the orchestrator fixtures (``gate=``) and to the
    orchestrators the in-process CLI builds (:func:`cli_orchestrator_options`)."""
    return Approvals()


@pytest.fixture
def real_approvals() -> None:
    """Asked for by a test that wants the real approvals check (runbooks/approvals.lock)
    in the CLI's orchestrators instead of the stand-in (the orchestrator fixtures keep the
    stand-in as their gate)."""


@pytest.fixture
def cli_orchestrator_options(
    request: pytest.FixtureRequest, approvals: Approvals
) -> dict[str, Any]:
    """What the in-process CLI gives every orchestrator it builds: the stand-in gate, or
    the real one (the CLI's own default) for a test that asks for ``real_approvals``."""
    if "real_approvals" in request.fixturenames:
        return {}
    return {"gate": approvals}


@pytest.fixture
def http() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sink_channels(project_root: Path, http: HttpSink, smtp: SmtpSink) -> dict[str, str]:
    """Four channels on real local sinks: email (SMTP), a status webhook, an X-sized post
    and the team's internal Slack. Returns channel name -> HTTP path (email: "")."""
    write_channel(project_root, "customers-email", kind="email", url=smtp.url(to="c@example.com"))
    write_channel(project_root, "status-hook", kind="webhook", url=http.url("/status"))
    write_channel(project_root, "x-posts", kind="x", url=http.url("/x"))
    write_channel(
        project_root, "team-slack", kind="slack", audience="internal", url=http.url("/slack")
    )
    return {
        "customers-email": "",
        "status-hook": "/status",
        "x-posts": "/x",
        "team-slack": "/slack",
    }


@pytest.fixture
def fake_channels(project_root: Path) -> list[str]:
    """Channels whose URLs are never used (the fake sender stands in for apprise)."""
    write_channel(project_root, "customers-email", kind="email", url="mailto://127.0.0.1:9")
    write_channel(project_root, "x-posts", kind="x", url="json://127.0.0.1:9/x")
    write_channel(
        project_root, "team-slack", kind="slack", audience="internal", url="json://127.0.0.1:9/s"
    )
    return ["customers-email", "team-slack", "x-posts"]


@pytest.fixture
def store(project_root: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{project_root / '.outagecomms' / 'state.db'}")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


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
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test PostgreSQL server, dropped afterwards."""
    schema = f"oc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(
            f"no PostgreSQL at {shown_url(POSTGRES_URL)} ({type(exc.orig).__name__}); "
            "set OUTAGECOMMS_TEST_POSTGRES_URL"
        )
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
