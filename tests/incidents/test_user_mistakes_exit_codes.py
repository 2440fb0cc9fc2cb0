"""A user's mistake is an exit status of product-spec §4 with a line naming the fix, never
70 (an internal error), and never leaves files behind where the user did not mean to."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from outagecomms.errors import ExitStatus
from outagecomms.sinks import HttpSink
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel


def test_a_project_folder_that_is_not_a_project_is_not_found_and_gets_no_state(
    cli: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "typo"
    folder.mkdir()
    result = cli("status", "--project", str(folder))
    assert result.exit_code == ExitStatus.NOT_FOUND
    assert "is not an outagecomms project" in result.stderr
    assert list(folder.iterdir()) == []


def test_a_project_folder_that_does_not_exist_is_not_found_and_is_not_created(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = cli("status", "--project", str(tmp_path / "missing"))
    assert result.exit_code == ExitStatus.NOT_FOUND
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@db.example/state", "oracle://h/x", "postgresql+asyncpg://h/x"]
)
def test_an_unsupported_database_url_is_a_configuration_error_naming_the_schemes(
    cli: CliRunner, project_root: Path, url: str
) -> None:
    result = cli("status", "--project", str(project_root), "--database-url", url)
    assert result.exit_code == ExitStatus.CONFIG
    assert "is not supported" in result.stderr
    assert "sqlite:///" in result.stderr and "postgresql://" in result.stderr
    assert "secret" not in result.stderr


def test_a_state_folder_that_cannot_be_created_is_a_configuration_error(
    cli: CliRunner, project_root: Path
) -> None:
    # /sys refuses every mkdir, even root's: the same PermissionError as a read-only folder
    url = "sqlite:////sys/outagecomms-test/state.db"
    result = cli("status", "--project", str(project_root), "--database-url", url)
    assert result.exit_code == ExitStatus.CONFIG
    assert "cannot create the state folder /sys/outagecomms-test" in result.stderr
    assert "--database-url" in result.stderr


def test_a_permission_error_anywhere_is_a_configuration_error_not_an_internal_one(
    cli: CliRunner, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(project_root / "runbooks"))

    monkeypatch.setattr("outagecomms.project.Project.runbook_paths", refuse)
    result = cli("runbooks", "--project", str(project_root))
    assert result.exit_code == ExitStatus.CONFIG
    assert "permission denied" in result.stderr
    assert "internal error" not in result.stderr


def test_approvals_lock_is_readable_by_every_account(cli: CliRunner, project_root: Path) -> None:
    result = cli("approve", RUNBOOK, "--by", "Dana", "--project", str(project_root))
    assert result.exit_code == 0, result.stderr
    mode = stat.S_IMODE((project_root / "runbooks" / "approvals.lock").stat().st_mode)
    assert mode == 0o644


# --- --unapproved on an approved runbook --------------------------------------------------


@pytest.fixture
def hook(project_root: Path) -> HttpSink:
    with HttpSink() as sink:
        write_channel(project_root, "status-hook", kind="webhook", url=sink.url("/status"))
        yield sink


def test_unapproved_on_an_approved_runbook_sends_normally_and_records_no_break_glass(
    cli: CliRunner, project_root: Path, hook: HttpSink, real_approvals: None
) -> None:
    assert cli("approve", RUNBOOK, "--by", "Dana", "--project", str(project_root)).exit_code == 0
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--unapproved", "--reason", "hurry",
        "--project", str(project_root), "--timeout", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "BREAK GLASS" not in result.stderr
    assert "--unapproved was not needed" in result.stderr
    shown = cli("show", "INC-1", "--json", "--project", str(project_root))
    assert json.loads(shown.stdout)["break_glass_reason"] is None
    assert "BREAK GLASS" not in cli("show", "INC-1", "--project", str(project_root)).stdout


def test_unapproved_on_an_unapproved_runbook_still_breaks_glass(
    cli: CliRunner, project_root: Path, hook: HttpSink, real_approvals: None
) -> None:
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--unapproved", "--reason", "hurry",
        "--project", str(project_root), "--timeout", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "BREAK GLASS" in result.stderr
    assert "hurry" in cli("show", "INC-1", "--project", str(project_root)).stdout
