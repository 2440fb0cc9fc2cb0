"""The CLI twins of ``GET``/``PATCH /api/v1/components`` (``components list``,
``components set``) and ``declare --dry-run --component``: thin shells over the Python API,
one-line errors naming the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.incidents.conftest import write_channel

IMPACT = "impact=card payments fail at checkout"


@pytest.fixture
def site_channel(project_root: Path) -> Path:
    """An enabled site channel publishing into ``public/`` (nothing leaves the machine)."""
    write_channel(project_root, "status-page", kind="site", url="public", enabled=True)
    return project_root / "public"


@pytest.fixture
def project(project_root: Path, database_url: str) -> list[str]:
    """The options every command here gets: the project and the store of the backend."""
    return ["--project", str(project_root), "--database-url", database_url]


def test_list_json_gives_each_component_with_its_group_status_and_since(
    cli: CliRunner, project: list[str]
) -> None:
    result = cli("components", "list", "--json", *project)
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed[1] == {
        "id": "login", "name": "Sign-in", "group": "accounts", "status": "operational",
        "updated_at": None,
    }  # fmt: skip


def test_list_prints_a_table_with_the_five_columns(cli: CliRunner, project: list[str]) -> None:
    result = cli("components", "list", *project)
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if " id " in line)
    assert [c for c in ("id", "name", "group", "status", "since") if c in header] == [
        "id", "name", "group", "status", "since",
    ]  # fmt: skip


def test_set_changes_the_status_and_list_shows_it_with_who_set_it(
    cli: CliRunner, project: list[str]
) -> None:
    result = cli(
        "components", "set", "api", "under_maintenance", "--reason", "database upgrade",
        "--by", "dana", "--json", *project,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "under_maintenance"
    listed = json.loads(cli("components", "list", "--json", *project).stdout)
    api = next(c for c in listed if c["id"] == "api")
    assert api["status"] == "under_maintenance" and api["updated_at"] is not None


def test_set_says_the_status_in_one_line(cli: CliRunner, project: list[str]) -> None:
    result = cli("components", "set", "api", "major_outage", "--reason", "down", *project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("api (API) is major_outage since ")


def test_set_of_an_unknown_id_is_exit_2_naming_the_known_ids(
    cli: CliRunner, project: list[str]
) -> None:
    result = cli("components", "set", "apx", "major_outage", "--reason", "x", *project)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "known: payments, login, dashboard, reports, api" in result.stderr


def test_set_of_a_bad_status_is_exit_2_naming_the_five(cli: CliRunner, project: list[str]) -> None:
    result = cli("components", "set", "api", "down", "--reason", "x", *project)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert (
        "use one of operational, under_maintenance, degraded_performance, partial_outage, "
        "major_outage" in result.stderr
    )


def test_set_needs_a_reason(cli: CliRunner, project: list[str]) -> None:
    result = cli("components", "set", "api", "major_outage", *project)
    assert result.exit_code == 2 and "--reason" in result.stderr


def test_set_rebuilds_the_site_channels_page(
    cli: CliRunner, project: list[str], site_channel: Path
) -> None:
    result = cli("components", "set", "payments", "partial_outage", "--reason", "x", *project)
    assert result.exit_code == 0, result.stderr
    summary = json.loads((site_channel / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"]["indicator"] == "major"


def test_declare_dry_run_shows_the_components_it_would_set(
    cli: CliRunner, project: list[str], site_channel: Path
) -> None:
    result = cli(
        "declare", "payments-failing", "--var", IMPACT, "--component", "api=major_outage",
        "--dry-run", "--json", *project,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["components"] == {
        "payments": "partial_outage",
        "api": "major_outage",
    }
    shown = cli(
        "declare", "payments-failing", "--var", IMPACT, "--component", "api", "--dry-run",
        *project,
    )  # fmt: skip
    assert "components it would set: payments → partial_outage, api → partial_outage" in (
        shown.stdout
    )


def test_declare_dry_run_with_an_unknown_component_is_exit_2_and_writes_nothing(
    cli: CliRunner, project: list[str], site_channel: Path
) -> None:
    result = cli(
        "declare", "payments-failing", "--var", IMPACT, "--component", "apx", "--dry-run",
        *project,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no component 'apx'" in result.stderr and "known: payments" in result.stderr
    assert json.loads(cli("status", "--json", *project).stdout) == []
