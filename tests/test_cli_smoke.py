from __future__ import annotations

from pathlib import Path

from tests.conftest import CliRunner


def test_help_lists_the_commands(cli: CliRunner) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("preview", "runbooks", "channels", "measure", "schema"):
        assert command in result.stdout


def test_unknown_flag_is_a_one_line_usage_error(cli: CliRunner, empty_project: Path) -> None:
    result = cli("runbooks", "--bogus", "--project", str(empty_project))
    assert result.exit_code == 2
    assert result.stderr.startswith("outagecomms: error: No such option: --bogus")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
