"""``declare --cooldown`` and ``resolve --if-open`` through the CLI, on real local sinks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from outagecomms.sinks import SmtpSink
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK

KEY = "synthetic-payments"


def run(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli(*args, "--project", str(root), "--timeout", "2")


def declare(cli: CliRunner, root: Path, *extra: str) -> Result:
    return run(
        cli, root, "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--dedupe-key", KEY, *extra
    )


def resolve(cli: CliRunner, root: Path, *extra: str) -> Result:
    return run(cli, root, "resolve", "--dedupe-key", KEY, *extra)


def document(result: Result) -> Any:
    return json.loads(result.stdout)


def test_declare_within_the_cooldown_says_reopened_in_json(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    result = declare(cli, project_root, "--cooldown", "30m", "--json")
    assert result.exit_code == 0
    incident = document(result)["incident"]
    assert (incident["id"], incident["reopened"], incident["deduplicated"]) == (
        "INC-1",
        True,
        False,
    )


def test_a_new_incidents_json_has_no_reopened_field(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    incident = document(declare(cli, project_root, "--cooldown", "30m", "--json"))["incident"]
    assert "reopened" not in incident


def test_the_cooldown_has_an_environment_twin(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OUTAGECOMMS_COOLDOWN", "30m")
    declare(cli, project_root)
    resolve(cli, project_root)
    assert document(declare(cli, project_root, "--json"))["incident"]["reopened"] is True


def test_cooldown_off_never_reopens(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    result = declare(cli, project_root, "--cooldown", "off", "--json")
    assert document(result)["incident"]["id"] == "INC-2"


def test_a_bad_cooldown_exits_2_naming_the_flag(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = declare(cli, project_root, "--cooldown", "soon")
    assert result.exit_code == 2
    assert result.stderr.startswith("outagecomms: error: --cooldown:")


def test_a_human_reopen_says_so(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    assert "INC-1 re-opened" in declare(cli, project_root, "--cooldown", "30m").stdout


def test_a_flap_emails_the_update_subject(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], smtp: SmtpSink
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    declare(cli, project_root, "--cooldown", "30m")
    assert smtp.wait_for(3)[2].subject == "Online payments: still working on it"


def test_resolve_if_open_with_nothing_ever_declared_exits_0_with_a_null_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = resolve(cli, project_root, "--if-open", "--json")
    assert result.exit_code == 0
    assert document(result) == {"incident": None, "deliveries": []}


def test_resolve_if_open_of_a_resolved_key_exits_0_deduplicated(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    result = resolve(cli, project_root, "--if-open", "--json")
    assert result.exit_code == 0
    incident = document(result)["incident"]
    assert (incident["id"], incident["status"], incident["deduplicated"]) == (
        "INC-1",
        "resolved",
        True,
    )


def test_human_resolve_if_open_of_a_resolved_key_says_nothing_was_sent(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    result = resolve(cli, project_root, "--if-open")
    assert "already resolved" in result.stdout and "nothing new was sent" in result.stdout


def test_resolve_by_key_without_if_open_still_refuses_a_resolved_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    resolve(cli, project_root)
    assert resolve(cli, project_root).exit_code == 4


def test_if_open_without_a_dedupe_key_exits_2(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = run(cli, project_root, "resolve", "INC-1", "--if-open")
    assert result.exit_code == 2
    assert "--if-open goes with --dedupe-key" in result.stderr
