"""CLI start-up stays light: building the command line imports no heavy dependency.

The command modules import the store, the renderers, twitter-text and the notifiers inside
the commands that use them; ``outagecomms --help`` must not pay for any of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

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


def _imported(args: list[str]) -> list[str]:
    script = SCRIPT.format(args=args, heavy=set(HEAVY), own=HEAVY_OUTAGECOMMS)
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
