"""One invocation builds only the command it runs: typer would otherwise build the
parameters of every command the invoked one's module registers."""

from __future__ import annotations

import pytest
import typer.main

from outagecomms.cli import registry
from outagecomms.cli.app import app

INCIDENT_COMMANDS = ("declare", "update", "resolve", "postmortem", "status", "show")


def _names(typer_app: typer.Typer) -> list[str]:
    return [
        info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]
        for info in typer_app.registered_commands
    ]


@pytest.mark.parametrize("command", INCIDENT_COMMANDS)
def test_only_the_invoked_command_is_built(command: str) -> None:
    registry.load_commands([command])
    assert _names(registry.invoked_only(app, ["--debug", command, "x"])) == [command]


def test_the_application_keeps_every_command() -> None:
    registry.load_commands(["declare"])
    registry.invoked_only(app, ["declare"])
    assert set(INCIDENT_COMMANDS) <= set(_names(app))


@pytest.mark.parametrize("args", [[], ["--help"], ["declar"], ["site", "build"]])
def test_no_command_an_unknown_one_or_a_group_keeps_the_full_list(args: list[str]) -> None:
    registry.load_commands(args)
    assert registry.invoked_only(app, args) is app


@pytest.mark.parametrize("command", INCIDENT_COMMANDS)
def test_a_command_built_alone_has_the_same_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.load_commands([command])
    shown = []
    for built in (registry.invoked_only(app, [command]), app):
        group = typer.main.get_command(built)
        group.main(args=[command, "--help"], prog_name="outagecomms", standalone_mode=False)
        shown.append(capsys.readouterr().out)
    assert shown[0] == shown[1]
    assert command in shown[0]
