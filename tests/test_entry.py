"""The ``outagecomms`` console script: imports made with the cycle collector paused and then
frozen, the command itself run with the collector on (a worker runs for days)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent(
    """
    import gc, sys
    import outagecomms.cli as cli

    seen = {}

    def probe(argv=None, **_):
        seen["enabled"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        seen["loaded"] = "outagecomms.cli.incidents" in sys.modules
        return 3

    cli.run = probe
    from outagecomms import entry

    sys.argv = ["outagecomms", "status"]
    try:
        entry.main()
    except SystemExit as exc:
        print(seen["enabled"], seen["frozen"] > 1000, seen["loaded"], exc.code)
    """
)


def test_the_console_script_is_the_entry_module() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"outagecomms": "outagecomms.entry:main"}


def test_the_command_runs_with_the_collector_on_its_imports_frozen_and_exits_with_its_status() -> (
    None
):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True", "True", "3"]
