"""Every render has a time and output budget (settings ``render_timeout`` and
``render_max_output``): a runaway template fails that message with an error naming the
template and the setting, in lint, preview and declare, and is composed before the write
transaction, so it holds no lock and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.hostile.conftest import RUNBOOK, replaced, shipped_runbook, write_runbook

RUNAWAY = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
QUICK = "render_timeout = 0.2\n"


def with_template_code(root: Path, code: str) -> None:
    """``code`` in the English investigating chat message (what preview and declare send
    to the project's one channel, Slack)."""
    start = "Payments issue: right now {{ impact }}"
    text = replaced(shipped_runbook(), start, start + code.replace('"', '\\"'))
    write_runbook(root, text)


def test_a_runaway_loop_is_a_lint_finding_naming_the_template_and_the_setting(
    cli: CliRunner, project_root: Path
) -> None:
    (project_root / "outagecomms.toml").write_text(QUICK, encoding="utf-8")
    with_template_code(project_root, RUNAWAY)
    result = cli("lint", "--project", str(project_root))
    shown = " ".join(result.stdout.split())
    assert result.exit_code == 1
    assert "took longer than 0.2s to render" in shown and "render_timeout" in shown


def test_a_runaway_loop_fails_preview_with_exit_5(cli: CliRunner, project_root: Path) -> None:
    (project_root / "outagecomms.toml").write_text(QUICK, encoding="utf-8")
    with_template_code(project_root, RUNAWAY)
    result = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert result.exit_code == 5
    assert result.stderr.startswith(
        "outagecomms: error: runbook 'payments-failing': messages.investigating.chat.en: "
        "the template took longer than 0.2s"
    )


@pytest.mark.parametrize(
    "code",
    [
        "{{ 'a' * 200000 }}",
        "{{ 'x'.ljust(200000) }}",
        "{{ 'a'|center(200000) }}",
        "{{ '%200000s' % 'a' }}",
        "{{ '{:200000}'.format(1) }}",
        "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s }}{% endmacro %}{{ d('a', 20) }}",
    ],
)
def test_a_template_producing_more_than_the_output_budget_fails_preview(
    cli: CliRunner, project_root: Path, code: str
) -> None:
    with_template_code(project_root, code)
    result = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert result.exit_code == 5, result.stdout[-200:]
    assert "more than the 100,000 characters" in result.stderr
    assert "OUTAGECOMMS_RENDER_MAX_OUTPUT" in result.stderr


def test_a_range_of_a_billion_is_a_lint_error_not_an_internal_error(
    cli: CliRunner, project_root: Path
) -> None:
    with_template_code(project_root, "{{ range(10**9)|list|length }}")
    result = cli("lint", "--project", str(project_root))
    assert result.exit_code == 1, result.stderr
    assert "a range of 1,000,000,000 numbers" in " ".join(result.stdout.split())


def test_a_loop_guarded_by_a_value_fails_that_declare_and_writes_nothing(
    cli: CliRunner, project_root: Path
) -> None:
    (project_root / "outagecomms.toml").write_text(QUICK, encoding="utf-8")
    with_template_code(project_root, "{% if impact == 'boom' %}" + RUNAWAY + "{% endif %}")
    project = ["--project", str(project_root), "--unapproved", "--reason", "test"]
    boom = cli("declare", RUNBOOK, "--var", "impact=boom", *project)
    assert boom.exit_code == 5
    assert "took longer than 0.2s to render" in boom.stderr
    fine = cli("declare", RUNBOOK, "--var", "impact=cards fail", "--json", *project)
    assert fine.exit_code in (0, 6), fine.stderr
    assert '"id": "INC-1"' in fine.stdout  # the failed declare wrote no incident


def test_declare_update_and_resolve_compose_before_the_write_transaction(
    project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outagecomms import compose as compose_module
    from outagecomms.store import open_store

    store: Store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    writing: list[bool] = [False]
    renders_in_transaction: list[str] = []
    original_write = store.write

    @contextmanager
    def write() -> Iterator[Any]:
        writing[0] = True
        try:
            with original_write() as conn:
                yield conn
        finally:
            writing[0] = False

    real_render = compose_module.render_message

    def render(*args: Any, **kwargs: Any) -> Any:
        if writing[0]:
            renders_in_transaction.append(str(args[1]))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(store, "write", write)
    monkeypatch.setattr(compose_module, "render_message", render)
    orchestrator = Orchestrator(
        Project(project_root),
        store,
        sender=lambda items, **_: [],
        gate=lambda *a, **k: None,
        actor="alice",
    )
    with orchestrator:
        orchestrator.declare(RUNBOOK, variables={"impact": "cards fail"})
        orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
        orchestrator.resolve("INC-1")
    assert renders_in_transaction == []
