"""The CLI: `maintenance` and `report` are thin shells with one-line errors naming the fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.maintenance.conftest import IMPACT, RUNBOOK


def _schedule(cli: CliRunner, root: Path, *extra: str) -> tuple[int, str, str]:
    result = cli(
        "maintenance", "schedule", RUNBOOK, "--var", f"impact={IMPACT}", *extra,
        "--project", str(root), "--json",
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_schedule_prints_the_window_as_json(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    code, out, err = _schedule(cli, project_root, "--start", "+2h", "--end", "+3h")
    assert code == 0, err
    assert json.loads(out)["id"] == "MW-1"


def test_a_start_without_a_zone_is_a_one_line_usage_error(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    code, _out, err = _schedule(cli, project_root, "--start", "2030-01-01T10:00", "--end", "+3h")
    assert code == 2
    assert err.count("\n") == 1 and "has no time zone" in err and "Traceback" not in err


def test_an_end_before_the_start_is_refused_before_anything_is_sent(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    code, _out, err = _schedule(cli, project_root, "--start", "+3h", "--end", "+2h")
    assert code == 2 and "--end must be after --start" in err
    listed = cli("maintenance", "list", "--project", str(project_root), "--json")
    assert json.loads(listed.stdout) == []


def test_cancelling_an_unknown_window_names_the_list_command(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = cli("maintenance", "cancel", "MW-9", "--project", str(project_root))
    assert result.exit_code == 3 and "maintenance list" in result.stderr


def test_report_lists_the_windows_incident_as_json_and_html(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], tmp_path: Path
) -> None:
    _schedule(cli, project_root, "--start", "+2h", "--end", "+3h")
    shown = cli("report", "INC-1", "--project", str(project_root), "--json")
    assert json.loads(shown.stdout)["incident"] == "INC-1"
    page = tmp_path / "report.html"
    assert (
        cli("report", "INC-1", "--html", str(page), "--project", str(project_root)).exit_code == 0
    )
    assert "Updates on time" in page.read_text(encoding="utf-8")
    assert "updates on time" in cli("report", "INC-1", "--project", str(project_root)).stdout
