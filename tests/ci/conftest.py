"""Fixtures for CI use: the incident fixtures (sinks, clock, fake sender, PostgreSQL), an
approved project on local sinks, and the GitHub Action's steps run as GitHub runs them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from outagecomms.cli import run
from outagecomms.sinks import HttpSink, SmtpSink
from tests.conftest import REPO
from tests.incidents import conftest as incidents
from tests.incidents.conftest import RUNBOOK, write_channel

# The incident fixtures, shared: sinks, clock, fake sender, stores, PostgreSQL schemas.
_logs_to_this_tests_stderr = incidents._logs_to_this_tests_stderr
approvals = incidents.approvals
cli_orchestrator_options = incidents.cli_orchestrator_options
clock = incidents.clock
fake_channels = incidents.fake_channels
http = incidents.http
orchestrator = incidents.orchestrator
postgres_url = incidents.postgres_url
project_root = incidents.project_root
sender = incidents.sender
smtp = incidents.smtp
store = incidents.store
sink_channels = incidents.sink_channels

ACTION_FILE = REPO / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VENV_BIN = Path(sys.executable).parent


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class ActionRun:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    @property
    def annotations(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::")]

    def annotated(self, level: str) -> list[str]:
        """The ``::LEVEL::`` annotations, e.g. ``error``, ``warning`` or ``notice``."""
        return [line for line in self.annotations if line.startswith(f"::{level}::")]


def parse_github_output(text: str) -> dict[str, str]:
    """The ``$GITHUB_OUTPUT`` file format: ``name=value`` and ``name<<DELIM`` blocks."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            found[name] = "\n".join(block)
        elif line:
            name, _, value = line.partition("=")
            found[name] = value
    return found


class ActionRunner:
    """Runs ``action.yml``'s composite steps the way a GitHub runner does: each ``run:``
    step's ``${{ }}`` expressions evaluated against the inputs (defaults from action.yml)
    and earlier steps' outputs, the script run by ``bash --noprofile --norc -eo pipefail``
    with the runner's environment (``GITHUB_ACTIONS``, ``CI``, ``GITHUB_OUTPUT``, ...).

    ``uses:`` steps (setup-python) are skipped; the install step finds the virtual
    environment already made (a wrapper around this test run's Python, which has
    outagecomms installed), as on a second use of the action in one job.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.action = load_yaml(ACTION_FILE)
        self.root = tmp_path / "runner"
        self.temp = self.root / "temp"
        self.workspace = self.root / "workspace"
        self.workspace.mkdir(parents=True)
        venv_bin = self.temp / "outagecomms-venv" / "bin"
        venv_bin.mkdir(parents=True)
        wrapper = venv_bin / "python"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        self.runs = 0

    def __call__(
        self, inputs: Mapping[str, str], env: Mapping[str, str] | None = None
    ) -> ActionRun:
        self.runs += 1
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        values.update(inputs)
        summary = self.root / f"summary-{self.runs}.md"
        summary.touch()
        base = {
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKFLOW": "synthetic check",
            "GITHUB_RUN_NUMBER": "42",
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(self.temp),
            **(env or {}),
        }
        steps: dict[str, dict[str, str]] = {}
        stdout, stderr, code = "", "", 0
        for index, step in enumerate(self.action["runs"]["steps"]):
            if "uses" in step:
                continue
            context = {"inputs": values, "steps": steps, "github": {"action_path": str(REPO)}}
            output = self.root / f"output-{self.runs}-{index}"
            output.touch()
            step_env = {k: evaluate(str(v), context) for k, v in step.get("env", {}).items()}
            script = self.root / f"step-{self.runs}-{index}.sh"
            script.write_text(evaluate(step["run"], context), encoding="utf-8")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                env={**base, **step_env, "GITHUB_OUTPUT": str(output)},
                cwd=self.workspace,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            stdout += done.stdout
            stderr += done.stderr
            code = done.returncode
            if "id" in step:
                steps[step["id"]] = {
                    "outputs": parse_github_output(output.read_text(encoding="utf-8"))
                }
            if code != 0:
                break
        context = {"inputs": values, "steps": steps, "github": {}}
        outputs = {
            name: evaluate(spec["value"], context)
            for name, spec in self.action.get("outputs", {}).items()
        }
        return ActionRun(code, stdout, stderr, outputs, summary.read_text(encoding="utf-8"))


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """``${{ a.b.c }}`` property lookups (all this action uses); a missing step output is
    empty, as on GitHub; anything else fails the test."""

    def lookup(match: re.Match[str]) -> str:
        expression = match.group(1)
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_-]+)+", expression), expression
        value: Any = context
        for part in expression.split("."):
            value = value.get(part, "") if isinstance(value, Mapping) else ""
        return str(value)

    return EXPRESSION.sub(lookup, text)


@pytest.fixture
def action(tmp_path: Path) -> ActionRunner:
    return ActionRunner(tmp_path)


@pytest.fixture
def ci_project(tmp_path: Path, http: HttpSink, smtp: SmtpSink) -> Path:
    """A project with the payments runbook, approved for real (the action runs in its own
    process, so the approvals stand-in does not apply), and three channels on local sinks;
    the webhook's path is a channel secret, ``${STATUS_HOOK_PATH}``."""
    root = tmp_path / "runbooks-repo"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    write_channel(root, "customers-email", kind="email", url=smtp.url(to="c@example.com"))
    write_channel(root, "status-hook", kind="webhook", url=http.url("/${STATUS_HOOK_PATH}"))
    write_channel(root, "team-slack", kind="slack", audience="internal", url=http.url("/slack"))
    assert run(["approve", RUNBOOK, "--by", "Dana Kim", "--project", str(root)]) == 0
    return root
