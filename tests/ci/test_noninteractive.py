"""CI runs outagecomms with no terminal: nothing ever waits for input, every failure exits
with its product-spec §4 code and one error line, and ``--json`` prints one document or
nothing on stdout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main

from outagecomms.cli import _load_commands, app
from outagecomms.sinks import closed_port
from tests.conftest import REPO
from tests.incidents.conftest import IMPACT, RUNBOOK

PROMPTS = re.compile(r"\b(typer|click)\.(prompt|confirm|edit|getchar|pause)\b|\binput\(|getpass\(")


def all_commands() -> list[click.Command]:
    _load_commands()
    group = typer.main.get_command(app)
    found: list[click.Command] = []
    todo: list[click.Command] = [group]
    while todo:
        command = todo.pop()
        found.append(command)
        todo.extend(getattr(command, "commands", {}).values())
    return found


def outagecomms(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a CI job runs it: no terminal, stdin closed, ``CI=true``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    return subprocess.run(
        [sys.executable, "-c", "from outagecomms.cli import main; main()", *args,
         "--project", str(root)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        env={**environ, "CI": "true", **env},
    )  # fmt: skip


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("outagecomms: error: ")]


def test_no_option_of_any_command_prompts() -> None:
    prompting = [
        f"{command.name} {param.name}"
        for command in all_commands()
        for param in command.params
        if getattr(param, "prompt", None)
    ]
    assert prompting == []


def test_the_source_never_asks_for_input() -> None:
    asking = [
        f"{path.relative_to(REPO)}:{number}"
        for path in (REPO / "src" / "outagecomms").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROMPTS.search(line)
    ]
    assert asking == []


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("declare", "no-such-runbook"), 3),
        (("declare", RUNBOOK, "--var", "impact"), 2),
        (("declare", RUNBOOK, "--var", f"impact={IMPACT}"), 4),
        (("resolve", "--dedupe-key", "never-used"), 3),
        (("update", "INC-9"), 3),
    ],
    ids=["unknown-runbook", "bad-var", "unapproved", "unknown-key", "unknown-incident"],
)
def test_a_failure_exits_its_code_with_one_error_line_and_nothing_on_stdout(
    ci_project: Path, args: tuple[str, ...], code: int
) -> None:
    (ci_project / "runbooks" / "approvals.lock").unlink()
    result = outagecomms(ci_project, *args, "--json")
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert len(error_lines(result.stderr)) == 1
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_exits_5_with_one_error_line(ci_project: Path) -> None:
    with closed_port() as port:
        url = f"postgresql://ci@127.0.0.1:{port}/outagecomms"
        result = outagecomms(ci_project, "status", "--json", OUTAGECOMMS_DATABASE_URL=url)
    assert (result.returncode, result.stdout) == (5, "")
    assert len(error_lines(result.stderr)) == 1


def test_a_declare_from_ci_prints_exactly_one_json_document(ci_project: Path) -> None:
    result = outagecomms(
        ci_project, "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--dedupe-key", "ci",
        "--json", "--timeout", "2", STATUS_HOOK_PATH="status",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["incident"]["id"] == "INC-1"
