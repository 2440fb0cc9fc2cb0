"""`declare|update|resolve --dry-run`: everything the real command checks and renders,
nothing written, nothing sent, the same exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.dry_run import plan_declare, plan_follow_up
from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.sinks import HttpSink, SmtpSink
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, write_channel


def dry(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli(*args, "--dry-run", "--project", str(root))


def declare_args() -> tuple[str, ...]:
    return ("declare", RUNBOOK, "--var", f"impact={IMPACT}")


def test_a_dry_run_declare_sends_nothing_and_records_no_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    smtp: SmtpSink,
) -> None:  # fmt: skip
    result = dry(cli, project_root, *declare_args())
    assert result.exit_code == 0, result.stderr
    assert "DRY RUN: nothing was written or sent." in result.stdout
    assert not (project_root / ".outagecomms").exists()
    assert http.requests == [] and smtp.messages == []
    listed = cli("status", "--all", "--json", "--project", str(project_root))
    assert json.loads(listed.stdout) == []


def test_a_dry_run_prints_the_text_each_channel_would_get(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = dry(cli, project_root, *declare_args(), "--json")
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True
    by_channel = {d["channel"]: d for d in plan["deliveries"]}
    assert set(by_channel) == set(sink_channels)
    assert IMPACT in by_channel["x-posts"]["body"]
    assert by_channel["x-posts"]["length"] <= by_channel["x-posts"]["limit"] == 280
    assert by_channel["customers-email"]["title"]
    assert by_channel["team-slack"]["body"].startswith("[INC-1 · internal]")


def test_the_dry_run_text_is_exactly_what_the_real_declare_sends(
    orchestrator: Orchestrator,
) -> None:
    plan = plan_declare(orchestrator, RUNBOOK, variables={"impact": IMPACT})
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    planned = {d.name: (d.text.title, d.text.body, d.text.length) for d in plan.deliveries}
    sent = {d.channel: (d.title, d.body, d.length) for d in report.deliveries}
    assert planned == sent
    assert plan.incident is not None
    assert plan.incident.id == report.incident.id
    assert plan.incident.next_update_at == report.incident.next_update_at


def test_a_dry_run_update_renders_from_the_open_incident(orchestrator: Orchestrator) -> None:
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    plan = plan_follow_up(orchestrator, report.incident.id, Phase.IDENTIFIED)
    assert plan.incident is not None and plan.incident.phase == "identified"
    assert orchestrator.incident(report.incident.id).phase == "investigating"


def test_a_missing_secret_is_named_and_exits_6_as_the_real_declare_would(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    write_channel(project_root, "sms", kind="sms", url="twilio://${TWILIO_SID}:${TWILIO_TOKEN}@1/2")
    result = dry(cli, project_root, *declare_args())
    assert result.exit_code == 6
    assert "sms: channel 'sms': environment variable TWILIO_SID, TWILIO_TOKEN is not set" in (
        result.stderr
    )
    assert "WOULD FAIL" in result.stdout


def test_an_unusable_url_is_named_and_exits_6(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    write_channel(project_root, "broken", kind="webhook", url="nosuchscheme://host/path")
    result = dry(cli, project_root, *declare_args(), "--json")
    assert result.exit_code == 6
    broken = next(d for d in json.loads(result.stdout)["deliveries"] if d["channel"] == "broken")
    assert "not a usable apprise URL" in broken["problem"]


def test_a_placeholder_host_is_named(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    write_channel(project_root, "hook", kind="webhook", url="jsons://hooks.example.com/x")
    result = dry(cli, project_root, *declare_args())
    assert result.exit_code == 6
    assert "placeholder host hooks.example.com" in result.stderr


def test_a_dry_run_of_an_unapproved_runbook_is_refused_with_exit_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], approvals: Approvals
) -> None:
    approvals.refused.add(RUNBOOK)
    result = dry(cli, project_root, *declare_args())
    assert result.exit_code == 4
    assert "never approved" in result.stderr


def test_a_dry_run_with_a_missing_required_variable_is_a_usage_error(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = dry(cli, project_root, "declare", RUNBOOK)
    assert result.exit_code == 2
    assert "impact" in result.stderr


def test_a_dry_run_resolve_leaves_the_incident_open(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    assert cli(*declare_args(), "--project", str(project_root)).exit_code == 0
    http.wait_for(1, path="/x")
    result = dry(cli, project_root, "resolve", "INC-1", "--json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["phase"] == "resolved" and plan["incident"]["status"] == "resolved"
    shown = json.loads(cli("show", "INC-1", "--json", "--project", str(project_root)).stdout)
    assert shown["status"] == "open" and len(shown["timeline"]) == 1
    assert len(http.requests) == 3  # the declare on each of the 3 HTTP channels, no more


def test_a_dry_run_update_of_a_resolved_incident_is_refused_with_exit_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    cli(*declare_args(), "--project", str(project_root))
    cli("resolve", "INC-1", "--project", str(project_root))
    result = dry(cli, project_root, "update", "INC-1")
    assert result.exit_code == 4
    assert "already resolved" in result.stderr


def test_a_dry_run_declare_with_an_open_dedupe_key_would_send_nothing(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    cli(*declare_args(), "--dedupe-key", "ci-check", "--project", str(project_root))
    result = dry(cli, project_root, *declare_args(), "--dedupe-key", "ci-check")
    assert result.exit_code == 0
    assert "would send nothing" in result.stdout
