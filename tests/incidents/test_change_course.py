"""Changing course mid-incident: `update --severity` (the cadence follows, and says so),
`update --channel` (a channel joins), `correct` (a correction of the last message)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from outagecomms.incidents import Orchestrator
from outagecomms.models import Severity
from outagecomms.scaffold import starter_runbook
from outagecomms.sinks import HttpSink
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, Clock

CORRECTION_PHASE = """\
  correction:
    long:
      en:
        subject: "Correction: part of our service is not working"
        body: "Correction: please disregard our last message about {{ impact }}. Next update by {{ next_update_at }} at {{ status_url }}."
    chat:
      en: "Correction to our last post: {{ impact }}. Next update by {{ next_update_at }}: {{ status_url }}"
    short:
      en: "Correction to our last post. Next update by {{ next_update_at }}. {{ status_url }}"
"""  # noqa: E501


def run(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli(*args, "--project", str(root), "--timeout", "5")


def declared(cli: CliRunner, root: Path, *extra: str) -> None:
    result = run(cli, root, "declare", RUNBOOK, "--var", f"impact={IMPACT}", *extra)
    assert result.exit_code == 0, result.stderr


def test_severity_critical_moves_the_next_update_to_the_critical_cadence(
    orchestrator: Orchestrator, clock: Clock
) -> None:
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert report.incident.next_update_at == clock.now + timedelta(minutes=60)
    clock.advance(minutes=10)
    updated = orchestrator.update(report.incident.id, severity=Severity.CRITICAL)
    assert updated.incident.severity == "critical"
    assert updated.incident.next_update_at == clock.now + timedelta(minutes=30)


def test_update_severity_says_the_new_cadence(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = run(cli, project_root, "update", "INC-1", "--severity", "critical", "--json")
    assert result.exit_code == 0, result.stderr
    assert "severity is now critical: updates every 30m" in result.stderr
    incident = json.loads(result.stdout)["incident"]
    due = datetime.fromisoformat(incident["next_update_at"]) - datetime.now().astimezone()
    assert timedelta(minutes=28) < due <= timedelta(minutes=30)


def test_severity_change_is_in_the_event_log(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    run(cli, project_root, "update", "INC-1", "--severity", "critical")
    shown = json.loads(cli("show", "INC-1", "--json", "--project", str(project_root)).stdout)
    [event] = [e for e in shown["events"] if e["kind"] == "incident.severity_changed"]
    assert event["detail"] == {"from": "major", "to": "critical"}


def test_update_channel_adds_a_channel_for_this_and_every_later_message(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared(cli, project_root, "--channel", "x-posts")
    result = run(cli, project_root, "update", "INC-1", "--channel", "status-hook")
    assert result.exit_code == 0, result.stderr
    assert "status-hook now gets every message of INC-1" in result.stderr
    http.wait_for(1, path="/status")
    assert run(cli, project_root, "resolve", "INC-1").exit_code == 0
    assert len(http.wait_for(2, path="/status")) == 2
    assert len(http.wait_for(3, path="/x")) == 3


def test_update_with_an_unknown_channel_is_not_found(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = run(cli, project_root, "update", "INC-1", "--channel", "nope")
    assert result.exit_code == 3
    assert "no channel 'nope'" in result.stderr


def test_correct_sends_a_built_in_correction_and_keeps_the_promise(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared(cli, project_root)
    before = json.loads(cli("show", "INC-1", "--json", "--project", str(project_root)).stdout)
    result = run(cli, project_root, "correct", "INC-1", "--json")
    assert result.exit_code == 0, result.stderr
    post = http.wait_for(2, path="/x")[1].json["message"]
    assert post.startswith("Correction: our previous message")
    incident = json.loads(result.stdout)["incident"]
    assert incident["next_update_at"] == before["next_update_at"]
    assert incident["phase"] == "investigating"


def test_correct_uses_the_runbooks_correction_phase_when_it_has_one(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    (project_root / "runbooks" / f"{RUNBOOK}.yaml").unlink()
    runbook = project_root / "runbooks" / "service-disruption.yaml"
    runbook.write_text(starter_runbook(["en"]) + CORRECTION_PHASE, encoding="utf-8")
    assert cli("lint", "--project", str(project_root)).exit_code == 0
    result = run(cli, project_root, "declare", "service-disruption", "--var", f"impact={IMPACT}")
    assert result.exit_code == 0, result.stderr
    assert run(cli, project_root, "correct", "INC-1").exit_code == 0
    post = http.wait_for(2, path="/x")[1].json["message"]
    assert post.startswith("Correction to our last post.")


def test_correct_with_own_words_is_lint_gated(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = run(cli, project_root, "correct", "INC-1", "--text", "Sorry for the inconvenience")
    assert result.exit_code == 1
    assert "cliche-apology" in result.stderr


def test_correct_after_the_resolution_is_refused(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    run(cli, project_root, "resolve", "INC-1")
    result = run(cli, project_root, "correct", "INC-1")
    assert result.exit_code == 4
