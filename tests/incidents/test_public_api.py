"""The public API as a user's own tests would use it: ``outagecomms`` and
``outagecomms.testing`` only (the project on disk comes from the incidents fixtures)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import outagecomms
from outagecomms import Orchestrator, Project, RefusedError, open_store
from outagecomms.testing import ApprovalGate, FakeClock, FakeSender
from outagecomms.vocabulary import ChannelKind
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel


def test_every_public_name_resolves() -> None:
    for name in outagecomms.__all__:
        assert getattr(outagecomms, name) is not None, name
    with pytest.raises(AttributeError):
        _ = outagecomms.not_a_public_name  # type: ignore[attr-defined]


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, outagecomms, outagecomms.testing\n"
        "heavy = [m for m in ('sqlalchemy', 'apprise', 'pydantic') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_fakes_drive_an_orchestrator(project_root: Path, fake_channels: list[str]) -> None:
    gate = ApprovalGate(refused={"other-runbook"})
    clock, sender = FakeClock(), FakeSender(failing={"x-posts"})
    start = clock()
    with open_store(f"sqlite:///{project_root / 'state.db'}") as store:
        project = Project(project_root)
        orchestrator = Orchestrator(project, store, clock=clock, sender=sender, gate=gate)
        report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
        assert sorted(item.channel.name for item in sender.sent) == fake_channels
        assert [d.channel for d in report.failed] == ["x-posts"]
        assert gate.calls == [(RUNBOOK, None)]
        assert report.incident.started_at == start
        assert clock.advance(minutes=15) == clock() == start + timedelta(minutes=15)


def test_the_fake_sender_sees_every_channel_kind_the_site_included(
    project_root: Path, fake_channels: list[str]
) -> None:
    site = project_root / "public"
    write_channel(project_root, "status-page", kind="site", url=str(site))
    sender = FakeSender()
    with open_store(f"sqlite:///{project_root / 'state.db'}") as store:
        project = Project(project_root)
        orchestrator = Orchestrator(
            project, store, sender=sender, senders=sender.senders, gate=ApprovalGate()
        )
        report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    kinds = {item.channel.kind.value for item in sender.sent}
    assert (kinds, report.failed, site.exists()) == ({"email", "slack", "x", "site"}, [], False)


def test_the_fake_sender_tells_a_progress_callback_each_outcome(
    project_root: Path, fake_channels: list[str]
) -> None:
    sender = FakeSender(failing={"x-posts"})
    with open_store(f"sqlite:///{project_root / 'state.db'}") as store:
        project = Project(project_root)
        Orchestrator(project, store, sender=sender, gate=ApprovalGate()).declare(
            RUNBOOK, variables={"impact": IMPACT}
        )
    heard: list[tuple[str, bool]] = []
    outcomes = sender(
        sender.sent, cancel=None, on_done=lambda outcome: heard.append((outcome.key, outcome.ok))
    )
    assert heard == [(outcome.key, outcome.ok) for outcome in outcomes]
    assert sorted(ok for _, ok in heard) == [False] + [True] * (len(fake_channels) - 1)


def test_the_fake_sender_registers_a_sender_for_every_kind() -> None:
    assert set(FakeSender().senders) == set(ChannelKind)


def test_the_gate_refuses_the_listed_runbooks(project_root: Path) -> None:
    gate = ApprovalGate(refused={RUNBOOK})
    loaded = Project(project_root).runbook(RUNBOOK)
    with pytest.raises(RefusedError, match="never approved"):
        gate(Project(project_root), loaded, unapproved_reason=None)
    gate(Project(project_root), loaded, unapproved_reason="the lock is on a laptop")
    assert gate.calls == [(RUNBOOK, None), (RUNBOOK, "the lock is on a laptop")]
