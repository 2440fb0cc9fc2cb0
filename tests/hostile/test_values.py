"""Values from the command line are checked where they come in: ``--by`` and
``--reason`` are capped like dedupe keys, control characters are refused in every
value (newlines only where a value may span lines), and a runbook argument is an id,
never a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.hostile.conftest import RUNBOOK


def declare(cli: CliRunner, root: Path, *extra: str) -> tuple[int, str]:
    """An unapproved declare (break glass, reason ``test`` unless ``extra`` gives one)."""
    reason = [] if "--reason" in extra else ["--reason", "test"]
    result = cli(
        "declare", RUNBOOK, "--var", "impact=cards fail", "--timeout", "1", "--unapproved",
        *reason, "--project", str(root), *extra,
    )  # fmt: skip
    return result.exit_code, result.stderr


def test_a_by_longer_than_its_column_is_a_usage_error(cli: CliRunner, project_root: Path) -> None:
    code, err = declare(cli, project_root, "--by", "x" * 256)
    assert code == 2
    assert err.startswith("outagecomms: error: --by is 256 characters, more than 255")


def test_a_reason_longer_than_the_limit_names_the_setting(
    cli: CliRunner, project_root: Path
) -> None:
    code, err = declare(cli, project_root, "--reason", "y" * 1001)
    assert code == 2
    assert "--reason is 1,001 characters, more than 1,000" in err
    assert "OUTAGECOMMS_REASON_MAX_LENGTH" in err


def test_a_var_value_longer_than_the_limit_names_the_setting(
    cli: CliRunner, project_root: Path
) -> None:
    result = cli(
        "preview", RUNBOOK, "--var", "workaround=" + "z" * 10_001, "--var", "impact=x",
        "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--var workaround is 10,001 characters" in result.stderr
    assert "var_max_length" in result.stderr


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--var", "impact=cards \x1b[31mfail"),
        ("--var", "impact=a\x01\x0bb"),
        ("--var", "impact=carriage\rreturn"),
        ("--var", "impact=c1\x85control"),
        ("--by", "mallory\x1b]0;pwned\x07"),
        ("--by", "two\nlines"),
        ("--dedupe-key", "check\x00nul"),
        ("--reason", "bell\x07"),
    ],
)
def test_a_control_character_in_a_value_is_refused_at_input(
    cli: CliRunner, project_root: Path, flag: str, value: str
) -> None:
    code, err = declare(cli, project_root, flag, value)
    assert code == 2, err
    assert "contains the control character U+" in err
    assert "\x1b" not in err and "\x07" not in err  # the error itself prints none


def test_a_newline_in_a_var_value_is_fine(cli: CliRunner, project_root: Path) -> None:
    result = cli(
        "preview", RUNBOOK, "--var", "impact=line one\nline two", "--project", str(project_root)
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", ["preview", "declare", "approve"])
@pytest.mark.parametrize("argument", ["../../evil", "/etc/passwd", "payments-failing.yaml"])
def test_the_runbook_argument_is_an_id_never_a_path(
    cli: CliRunner, project_root: Path, tmp_path: Path, command: str, argument: str
) -> None:
    (tmp_path / "evil.yaml").write_text("id: evil\n", encoding="utf-8")
    extra = ["--by", "alice"] if command == "approve" else []
    result = cli(command, argument, *extra, "--project", str(project_root))
    assert result.exit_code == 2, result.stderr
    assert "is not a runbook id; pass the id (kebab-case" in result.stderr
