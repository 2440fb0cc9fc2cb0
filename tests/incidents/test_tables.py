"""Tables keep what you must type: ids, incident ids and channel names are never cut,
however narrow the terminal; a status page channel shows its directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

LONG_NAME = "customers-email-enterprise-europe"


@pytest.fixture(autouse=True)
def narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "44")


def lines(text: str) -> str:
    return "\n".join(line.strip("│┃ ") for line in text.splitlines())


def test_channel_names_are_whole_in_a_narrow_terminal(cli: CliRunner, project_root: Path) -> None:
    write_channel(project_root, LONG_NAME, kind="email", url="mailto://127.0.0.1:9")
    out = cli("channels", "--project", str(project_root)).stdout
    assert LONG_NAME in out


def test_incident_and_runbook_ids_are_whole_in_status(
    cli: CliRunner, project_root: Path, fake_channels: list[str]
) -> None:
    cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--timeout", "1",
        "--project", str(project_root))  # fmt: skip
    out = cli("status", "--project", str(project_root)).stdout
    assert "INC-1" in out and RUNBOOK in out


def test_channel_names_are_whole_in_the_delivery_table(
    cli: CliRunner, project_root: Path, fake_channels: list[str]
) -> None:
    write_channel(project_root, LONG_NAME, kind="email", url="mailto://127.0.0.1:9")
    out = cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--timeout", "1",
              "--project", str(project_root)).stdout  # fmt: skip
    assert any(line.startswith(f"│ {LONG_NAME} ") for line in out.splitlines()), out


def test_runbook_ids_are_whole_in_the_runbooks_list(cli: CliRunner, project_root: Path) -> None:
    out = cli("runbooks", "--project", str(project_root)).stdout
    assert RUNBOOK in out


def test_a_status_page_channel_shows_its_directory(cli: CliRunner, project_root: Path) -> None:
    write_channel(project_root, "status-page", kind="site", url="public/status")
    out = cli("channels", "--project", str(project_root), "--json").stdout
    assert '"url": "public/status"' in out
