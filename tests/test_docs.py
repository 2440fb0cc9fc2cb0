"""The README is the manual: every command is documented, the quick start is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from outagecomms.cli import _load_commands, app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    _load_commands()
    group = typer.main.get_command(app)
    names: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names.extend(f"{name} {s}" for s in sub) if sub else names.append(name)
    return sorted(names)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_a_readme_section(name: str) -> None:
    assert f"### `outagecomms {name}" in README, f"document `outagecomms {name}` in README.md"


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_commands() -> None:
    assert len(quick_start_commands()) == 2


def test_ci_runs_the_quick_start_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = quick_start_commands()[1]
    assert test_command in [line.strip() for line in ci.splitlines()]


def test_every_environment_variable_in_the_code_is_documented() -> None:
    names = set()
    for path in (REPO / "src" / "outagecomms").rglob("*.py"):
        names.update(re.findall(r"OUTAGECOMMS_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    names.discard("OUTAGECOMMS_")
    missing = sorted(n for n in names if n not in README)
    assert missing == [], f"add these to the README configuration table: {missing}"


def test_changelog_has_an_unreleased_section() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog


def test_every_setting_has_its_environment_twin_documented() -> None:
    from outagecomms.settings import Settings, env_name

    missing = [env_name(f) for f in Settings.model_fields if env_name(f) not in README]
    assert missing == [], f"add these to the README configuration table: {missing}"
