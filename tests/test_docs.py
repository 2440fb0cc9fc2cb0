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


# --- every option of every command is in the README -----------------------------------


def leaf_commands() -> list[tuple[str, typer.core.TyperCommand]]:
    _load_commands()

    def walk(command: object, prefix: str) -> list[tuple[str, typer.core.TyperCommand]]:
        sub = getattr(command, "commands", None)
        if not sub:
            return [(prefix, command)]  # type: ignore[list-item]
        return [pair for name, c in sub.items() for pair in walk(c, f"{prefix} {name}".strip())]

    return walk(typer.main.get_command(app), "")


def command_section(name: str) -> str:
    """The README text from ``### `outagecomms NAME`` to the next heading."""
    match = re.search(rf"^### `outagecomms {re.escape(name)}[ `].*?(?=^#)", README, re.S | re.M)
    assert match is not None, f"document `outagecomms {name}` in README.md"
    return match.group(0)


def shared_options() -> dict[str, set[str]]:
    """The README's table of options shared by several commands: option -> commands."""
    section = README.split("### Options shared by several commands", 1)[1].split("\n### ", 1)[0]
    shared: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`-"):
            continue
        names = {"*"} if cells[1] == "every command" else {n.strip() for n in cells[1].split(",")}
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", cells[0]):
            shared.setdefault(option, set()).update(names)
    return shared


def option_cases() -> list[tuple[str, str]]:
    return [
        (name, option)
        for name, command in leaf_commands()
        for param in command.params
        for option in param.opts
        if option.startswith("--")
    ]


@pytest.mark.parametrize(("name", "option"), option_cases())
def test_every_option_of_every_command_is_documented(name: str, option: str) -> None:
    covers = shared_options().get(option, set())
    documented = option in command_section(name) or "*" in covers or name in covers
    assert documented, f"document `{option}` in the README section of `outagecomms {name}`"


def test_every_global_option_is_documented() -> None:
    _load_commands()
    group = typer.main.get_command(app)
    intro = README.split("## Command reference", 1)[1].split("\n### ", 1)[0]
    missing = [o for p in group.params for o in p.opts if o.startswith("--") and o not in intro]
    assert missing == [], f"document these global options in the Command reference: {missing}"


SETTING_OPTIONS = {
    "--project", "--database-url", "--by", "--log-format", "--log-level", "--concurrency",
    "--lease", "--timeout", "--poll-interval",
    "--host", "--port", "--public-url",
}  # fmt: skip
"""Settings (product-spec §2), as opposed to the facts of one invocation (--var, --reason)."""


def setting_cases() -> list[tuple[str, str, object]]:
    _load_commands()
    group = typer.main.get_command(app)
    commands = [("", group), *leaf_commands()]
    return [
        (name, option, param)
        for name, command in commands
        for param in command.params
        for option in param.opts
        if option in SETTING_OPTIONS
    ]


@pytest.mark.parametrize(("name", "option", "param"), setting_cases())
def test_every_setting_option_has_an_environment_twin(
    name: str, option: str, param: object
) -> None:
    envvar = getattr(param, "envvar", None)
    assert envvar and str(envvar).startswith("OUTAGECOMMS_"), f"{name} {option}: add envvar="
