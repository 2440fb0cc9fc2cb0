"""CLI start-up stays light: building the command line imports no heavy dependency.

The command modules import the store, the renderers, twitter-text and the notifiers inside
the commands that use them; ``outagecomms --help`` must not pay for any of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.main

HEAVY = ("sqlalchemy", "alembic", "twitter_text", "apprise", "jinja2", "yaml")
HEAVY_OUTAGECOMMS = (
    "outagecomms.incidents",
    "outagecomms.store",
    "outagecomms.counting",
    "outagecomms.lint",
    "outagecomms.site",
    "outagecomms.worker",
    "outagecomms.demo",
    "outagecomms.preview",
    "outagecomms.listing",
)

SCRIPT = """
import contextlib, io, sys
from outagecomms.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    status = run({args!r})
assert status == 0, status
heavy = {heavy!r}
own = {own!r}
print(sorted(
    m for m in sys.modules
    if m.split(".")[0] in heavy or any(m == o or m.startswith(o + ".") for o in own)
))
"""


def _imported(
    args: list[str], heavy: tuple[str, ...] = HEAVY, own: tuple[str, ...] = HEAVY_OUTAGECOMMS
) -> list[str]:
    script = SCRIPT.format(args=args, heavy=set(heavy), own=own)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    found = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert isinstance(found, list)
    return [str(name) for name in found]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["declare", "--help"],
        ["worker", "--help"],
        ["lint", "--help"],
        ["preview", "--help"],
        ["measure", "--help"],
        ["demo", "--help"],
        ["site", "build", "--help"],
    ],
)
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    assert _imported(args) == []


def test_status_imports_no_composer_sender_template_engine_or_pydantic_adapter(
    tmp_path: Path,
) -> None:
    """``status`` reads through a view of the store; its plain options (a path, a flag)
    are coerced without typer's pydantic adapters."""
    (tmp_path / "runbooks").mkdir()
    args = ["status", "--all", "--project", str(tmp_path)]
    heavy = ("apprise", "jinja2", "babel", "regex", "structlog", "twitter_text")
    own = (
        "outagecomms.compose",
        "outagecomms.fanout",
        "outagecomms.outbox",
        "outagecomms.incidents.service",
        "outagecomms.worker.service",
        "typer._adapters",
    )
    assert _imported(args, heavy, own) == []


def test_top_level_help_does_not_import_pydantic() -> None:
    """The file models are built only when a file is read (a subcommand's ``--help`` may
    still import pydantic: typer's own parameter adapters do)."""
    script = SCRIPT.format(args=["--help"], heavy={"pydantic"}, own=("outagecomms.models",))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_worker_default_poll_interval_matches_the_worker() -> None:
    from outagecomms import worker
    from outagecomms.cli import worker as worker_cli

    assert worker_cli.DEFAULT_POLL_INTERVAL == worker.DEFAULT_POLL_INTERVAL


def test_the_command_table_names_the_module_of_every_command() -> None:
    """``cli/registry.py`` imports only the invoked command's module: its table must know
    where every command lives."""
    import typer.main

    from outagecomms.cli import _load_commands, app, registry

    _load_commands()
    group = typer.main.get_command(app)
    registered = sorted(group.commands)  # type: ignore[attr-defined]
    assert sorted(registry.COMMAND_MODULES) == registered
    for command_info in app.registered_commands:
        name = command_info.name or command_info.callback.__name__  # type: ignore[union-attr]
        module = command_info.callback.__module__  # type: ignore[union-attr]
        assert module == f"outagecomms.cli.{registry.COMMAND_MODULES[name]}", name


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["declare", "payments"], "declare"),
        (["--debug", "--log-format", "json", "status"], "status"),
        (["--log-level=debug", "site", "build"], "site"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_invoked_command_is_the_first_word_that_is_no_option(
    args: list[str], command: str | None
) -> None:
    from outagecomms.cli.registry import invoked_command

    assert invoked_command(args) == command


def test_a_command_imports_no_other_command_module() -> None:
    script = SCRIPT.format(
        args=["declare", "--help"], heavy=set(), own=("outagecomms.cli.service",
        "outagecomms.cli.demo", "outagecomms.cli.maintenance", "outagecomms.cli.worker")
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_an_unknown_command_still_gets_the_full_list_to_choose_from() -> None:
    from outagecomms.cli import run

    assert run(["declar"]) == 2


def _one_option_app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def main(
        count: Annotated[int | None, typer.Option("--count")] = None,
        names: Annotated[list[str] | None, typer.Option("--name")] = None,
    ) -> None:
        print(repr(count), repr(names))

    return app


def test_an_option_left_out_builds_no_pydantic_adapter(capsys: pytest.CaptureFixture[str]) -> None:
    from outagecomms.cli import lean_typer

    lean_typer.install()
    command = typer.main.get_command(_one_option_app())
    command.main(args=[], standalone_mode=False)
    assert capsys.readouterr().out.strip() == "None None"  # as typer gives without the patch
    ours = [p for p in command.params if p.name in ("count", "names")]
    assert [p._runtime_param for p in ours] == [None, None]  # type: ignore[attr-defined]


def test_a_given_option_is_still_coerced_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    from outagecomms.cli import lean_typer

    lean_typer.install()
    command = typer.main.get_command(_one_option_app())
    command.main(args=["--count", "3", "--name", "a"], standalone_mode=False)
    assert capsys.readouterr().out.strip() == "3 ['a']"
    with pytest.raises(Exception, match="valid integer"):
        command.main(args=["--count", "three"], standalone_mode=False)
