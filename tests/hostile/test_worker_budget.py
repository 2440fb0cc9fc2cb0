"""The worker's automatic updates have the render budget too: a template that runs away
blocks that incident's update with an error naming the template and the setting, writes
nothing for it, and the worker goes on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.store import open_store
from outagecomms.store import repository as repo
from outagecomms.worker import Worker
from tests.hostile.conftest import RUNBOOK, replaced, shipped_runbook, write_runbook
from tests.incidents.conftest import T0, Approvals, Clock, FakeSender

RUNAWAY = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
UPDATE_CHAT = "Payments: we are still working on it. Right now {{ impact }}"


def test_a_runaway_automatic_update_is_blocked_with_the_budget_error(
    project_root: Path, tmp_path: Path
) -> None:
    guarded = UPDATE_CHAT + "{% if impact == 'boom' %}" + RUNAWAY + "{% endif %}"
    write_runbook(project_root, replaced(shipped_runbook(), UPDATE_CHAT, guarded))
    (project_root / "outagecomms.toml").write_text("render_timeout = 0.2\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    clock, sender = Clock(), FakeSender()
    project = Project(project_root)
    approved = Approvals()
    with Orchestrator(
        project, store, clock=clock, sender=sender, gate=approved, actor="alice"
    ) as on_call:
        on_call.declare(RUNBOOK, variables={"impact": "boom"})
        on_call.declare(RUNBOOK, variables={"impact": "cards fail"})
        worker = Worker(Orchestrator(project, store, clock=clock, sender=sender, gate=approved))
        report = worker.run_once(T0 + timedelta(hours=2))
        assert report.updates == ["INC-2"]
        (problem,) = report.problems
        assert problem.startswith("INC-1: runbook 'payments-failing': messages.update.chat.en:")
        assert "took longer than 0.2s" in problem and "render_timeout" in problem
        with store.read() as conn:
            assert [m.phase for m in repo.messages_of(conn, 1)] == ["investigating"]
