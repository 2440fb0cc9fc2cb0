"""End to end through the CLI, against a real SMTP server and real local HTTP sinks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from outagecomms.counting import measure
from outagecomms.models import ChannelKind
from outagecomms.sinks import HttpSink, SmtpSink, closed_port
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

PHASES = (
    ("update", "--phase", "identified"),
    ("update", "--phase", "monitoring"),
    ("update", "--phase", "update"),
    ("resolve",),
    ("postmortem",),
)


def run(cli: CliRunner, root: Path, *args: str) -> Result:
    """A command that sends (with a short send timeout)."""
    return cli(*args, "--project", str(root), "--timeout", "2")


def query(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli(*args, "--project", str(root))


def declare(cli: CliRunner, root: Path, *extra: str) -> Result:
    return run(cli, root, "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--json", *extra)


def document(result: Result) -> Any:
    return json.loads(result.stdout)


def states(result: Result) -> dict[str, str]:
    return {d["channel"]: d["state"] for d in document(result)["deliveries"]}


# --- the whole lifecycle on real sinks ---------------------------------------------------


def test_every_channel_receives_exactly_one_message_per_phase(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    smtp: SmtpSink,
) -> None:  # fmt: skip
    codes = [declare(cli, project_root).exit_code]
    codes += [run(cli, project_root, *phase, "INC-1").exit_code for phase in PHASES]
    assert codes == [0] * 6
    assert len(smtp.wait_for(6)) == 6
    for path in ("/status", "/x", "/slack"):
        assert len(http.wait_for(6, path=path)) == 6


def test_every_delivery_fits_its_channel_limit(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    results = [declare(cli, project_root)]
    results += [run(cli, project_root, *phase, "INC-1", "--json") for phase in PHASES]
    sizes = [(d["length"], d["limit"]) for r in results for d in document(r)["deliveries"]]
    assert len(sizes) == 24
    assert all(limit is None or length <= limit for length, limit in sizes)


def test_the_x_post_received_fits_280_as_x_counts(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declare(cli, project_root)
    [request] = http.wait_for(1, path="/x")
    text = request.json["message"]
    assert IMPACT in text
    assert measure(text, ChannelKind.X).length <= 280


def test_the_email_carries_the_runbook_subject_and_the_promise(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], smtp: SmtpSink
) -> None:
    declare(cli, project_root)
    [mail] = smtp.wait_for(1)
    assert mail.subject == "Online payments are failing: we are on it"
    assert "We will post our next update by" in mail.body


def test_later_phases_reuse_the_declared_variables(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declare(cli, project_root)
    http.clear()
    run(cli, project_root, "update", "INC-1")
    [request] = http.wait_for(1, path="/x")
    assert IMPACT in request.json["message"]


def test_the_internal_channel_gets_the_facts_and_who_declared(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declare(cli, project_root, "--by", "dana")
    [request] = http.wait_for(1, path="/slack")
    text = request.json["message"]
    assert "INC-1" in text and "Declared by: dana" in text and f"impact={IMPACT}" in text


def test_the_declarer_comes_from_outagecomms_actor(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OUTAGECOMMS_ACTOR", "erin")
    declare(cli, project_root)
    shown = document(query(cli, project_root, "show", "INC-1", "--json"))
    assert shown["declared_by"] == "erin"


# --- failing channels fail alone ---------------------------------------------------------


def test_a_sink_answering_500_fails_alone_and_stays_queued(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    http.behave("/x", status=500)
    result = declare(cli, project_root)
    assert result.exit_code == 6
    assert states(result) == {
        "customers-email": "sent",
        "status-hook": "sent",
        "team-slack": "sent",
        "x-posts": "retry",
    }


def test_a_closed_port_fails_alone_and_stays_queued(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    with closed_port() as port:
        write_channel(project_root, "x-posts", kind="x", url=f"json://127.0.0.1:{port}/x")
        result = declare(cli, project_root)
    assert result.exit_code == 6
    assert states(result)["x-posts"] == "retry"
    assert {s for name, s in states(result).items() if name != "x-posts"} == {"sent"}


def test_a_slow_sink_times_out_alone_without_delaying_the_others(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    smtp: SmtpSink,
) -> None:  # fmt: skip
    http.behave("/slack", delay=8)
    started = time.monotonic()
    result = cli(
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--json", "--timeout", "1",
        "--project", str(project_root),
    )  # fmt: skip
    assert time.monotonic() - started < 6
    assert result.exit_code == 6
    assert states(result)["team-slack"] == "retry"
    [slack] = [d for d in document(result)["deliveries"] if d["channel"] == "team-slack"]
    assert "timed out" in slack["error"]
    assert len(smtp.messages) == 1 and len(http.requests) == 3


def test_a_failed_first_attempt_says_so_on_stderr(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    http.behave("/x", status=500)
    result = declare(cli, project_root)
    assert "x-posts" in result.stderr and "queued" in result.stderr


# --- JSON and human output -------------------------------------------------------------


def test_declare_json_has_exactly_the_contract_fields(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    body = document(declare(cli, project_root))
    assert set(body) == {"incident", "deliveries", "warnings"}
    assert set(body["incident"]) == {
        "id", "runbook", "status", "severity", "phase", "next_update_at", "deduplicated",
    }  # fmt: skip
    for delivery in body["deliveries"]:
        assert set(delivery) == {
            "channel", "kind", "state", "attempts", "length", "limit", "error",
        }  # fmt: skip


def test_declare_json_describes_the_new_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    incident = document(declare(cli, project_root, "--severity", "critical"))["incident"]
    assert {k: incident[k] for k in ("id", "runbook", "status", "severity", "phase")} == {
        "id": "INC-1",
        "runbook": RUNBOOK,
        "status": "open",
        "severity": "critical",
        "phase": "investigating",
    }
    assert incident["deduplicated"] is False
    assert incident["next_update_at"].endswith("+00:00")


def test_human_declare_shows_a_table_of_every_channel(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = run(cli, project_root, "declare", RUNBOOK, "--var", f"impact={IMPACT}")
    assert result.exit_code == 0
    assert "INC-1 declared" in result.stdout
    for name in sink_channels:
        assert name in result.stdout
    assert "/280" in result.stdout and "Next update promised by" in result.stdout


def test_status_json_lists_open_incidents(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    declare(cli, project_root)
    run(cli, project_root, "resolve", "INC-1")
    listed = document(query(cli, project_root, "status", "--json"))
    assert [item["id"] for item in listed] == ["INC-2"]


def test_status_all_json_includes_resolved_incidents(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    run(cli, project_root, "resolve", "INC-1")
    listed = document(query(cli, project_root, "status", "--all", "--json"))
    assert [(item["id"], item["status"]) for item in listed] == [("INC-1", "resolved")]


def test_human_status_shows_each_open_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root, "--severity", "critical")
    result = query(cli, project_root, "status")
    assert "INC-1" in result.stdout and "critical" in result.stdout


def test_show_json_has_the_timeline_of_messages_and_deliveries(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    run(cli, project_root, "update", "INC-1", "--phase", "identified")
    shown = document(query(cli, project_root, "show", "INC-1", "--json"))
    assert [entry["phase"] for entry in shown["timeline"]] == ["investigating", "identified"]
    assert [len(entry["deliveries"]) for entry in shown["timeline"]] == [4, 4]


def test_human_show_prints_each_message_with_its_deliveries(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    result = query(cli, project_root, "show", "INC-1")
    assert "#1 investigating" in result.stdout and "x-posts" in result.stdout


# --- dedupe keys -------------------------------------------------------------------------


def test_a_second_declare_with_an_open_dedupe_key_exits_0_deduplicated(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declare(cli, project_root, "--dedupe-key", "ci-payments")
    again = declare(cli, project_root, "--dedupe-key", "ci-payments")
    assert again.exit_code == 0
    assert (document(again)["incident"]["id"], document(again)["incident"]["deduplicated"]) == (
        "INC-1",
        True,
    )
    assert len(http.requests) == 3


def test_the_dedupe_key_has_an_environment_twin(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OUTAGECOMMS_DEDUPE_KEY", "ci-payments")
    declare(cli, project_root)
    assert document(declare(cli, project_root))["incident"]["deduplicated"] is True


def test_resolve_by_dedupe_key_resolves_the_open_incident(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root, "--dedupe-key", "ci-payments")
    result = run(cli, project_root, "resolve", "--dedupe-key", "ci-payments", "--json")
    assert (result.exit_code, document(result)["incident"]["status"]) == (0, "resolved")


# --- break glass -------------------------------------------------------------------------


def test_break_glass_declare_prints_a_loud_warning(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = declare(cli, project_root, "--unapproved", "--reason", "approver on leave")
    assert result.exit_code == 0
    assert "BREAK GLASS" in result.stderr and "approver on leave" in result.stderr


def test_break_glass_reason_is_on_the_incident_and_in_the_event_log(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root, "--unapproved", "--reason", "approver on leave")
    shown = document(query(cli, project_root, "show", "INC-1", "--json"))
    assert shown["break_glass_reason"] == "approver on leave"
    assert {"kind": "incident.break_glass", "reason": "approver on leave"} in [
        {"kind": e["kind"], "reason": e["detail"].get("reason")} for e in shown["events"]
    ]


def test_unapproved_without_a_reason_is_a_usage_error(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    assert declare(cli, project_root, "--unapproved").exit_code == 2


@pytest.mark.usefixtures("real_approvals")
def test_a_never_approved_runbook_exits_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = declare(cli, project_root)
    assert result.exit_code == 4
    assert "approve" in result.stderr


@pytest.mark.usefixtures("real_approvals")
def test_break_glass_sends_a_never_approved_runbook(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = declare(cli, project_root, "--unapproved", "--reason", "approver on leave")
    assert (result.exit_code, document(result)["incident"]["id"]) == (0, "INC-1")


# --- exit codes --------------------------------------------------------------------------


def test_update_of_a_resolved_incident_exits_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    run(cli, project_root, "resolve", "INC-1")
    result = run(cli, project_root, "update", "INC-1")
    assert result.exit_code == 4
    assert "already resolved" in result.stderr


def test_resolve_of_a_resolved_incident_exits_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    run(cli, project_root, "resolve", "INC-1")
    assert run(cli, project_root, "resolve", "INC-1").exit_code == 4


def test_postmortem_of_an_open_incident_exits_4(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    assert run(cli, project_root, "postmortem", "INC-1").exit_code == 4


def test_an_unknown_incident_exits_3(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    assert run(cli, project_root, "update", "INC-42").exit_code == 3


def test_a_malformed_incident_id_is_a_usage_error_exit_2(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    result = run(cli, project_root, "update", "INC-seven")
    assert result.exit_code == 2
    assert "'INC-seven' is not an incident id; ids look like INC-7" in result.stderr


def test_the_cli_names_its_flag_where_the_api_error_names_a_parameter(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    result = run(cli, project_root, "update", "INC-1", "--runbook-version", "v2")
    assert result.exit_code == 2
    assert "--runbook-version 'v2': only 'latest' is supported" in result.stderr


def test_a_bad_database_url_is_named_by_its_flag(cli: CliRunner, project_root: Path) -> None:
    result = query(cli, project_root, "status", "--database-url", "mysql://127.0.0.1/state")
    assert result.exit_code == 5
    assert "(--database-url or OUTAGECOMMS_DATABASE_URL)" in result.stderr


def test_an_unknown_runbook_exits_3(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    assert run(cli, project_root, "declare", "no-such-runbook").exit_code == 3


def test_a_bad_var_exits_2(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    assert declare(cli, project_root, "--var", "nonsense").exit_code == 2


def test_an_unknown_phase_exits_2(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    assert run(cli, project_root, "update", "INC-1", "--phase", "fixed").exit_code == 2


def test_a_bad_cadence_exits_2(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    assert declare(cli, project_root, "--cadence", "soon").exit_code == 2


def test_an_unreachable_database_exits_5_without_its_password(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    with closed_port() as port:
        url = f"postgresql://ops:db-s3cret@127.0.0.1:{port}/outagecomms"
        result = query(cli, project_root, "status", "--database-url", url)
    assert result.exit_code == 5
    assert "127.0.0.1" in result.stderr and "db-s3cret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- where the state lives, and secrets ----------------------------------------------------


def test_the_default_database_is_a_file_under_the_project(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declare(cli, project_root)
    assert (project_root / ".outagecomms" / "state.db").is_file()


def test_outagecomms_database_url_chooses_another_database(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv("OUTAGECOMMS_DATABASE_URL", f"sqlite:///{elsewhere}")
    declare(cli, project_root)
    assert elsewhere.is_file() and not (project_root / ".outagecomms").exists()


def test_no_secret_reaches_output_logs_or_the_database(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    secret = "tok-9f8e7d6c5b4a"
    monkeypatch.setenv("HOOK_TOKEN", secret)
    write_channel(
        project_root, "status-hook", kind="webhook",
        url=f"json://ops:${{HOOK_TOKEN}}@127.0.0.1:{http.port}/status",
    )  # fmt: skip
    write_channel(
        project_root, "x-posts", kind="x", url=f"json://ops:${{HOOK_TOKEN}}@127.0.0.1:{http.port}/x"
    )
    http.behave("/x", status=500)
    outputs = [
        cli("--log-level", "debug", "declare", RUNBOOK, "--var", f"impact={IMPACT}",
            "--project", str(project_root), "--timeout", "2"),
        cli("--log-level", "debug", "show", "INC-1", "--json", "--project", str(project_root)),
    ]  # fmt: skip
    assert outputs[0].exit_code == 6
    assert http.wait_for(1, path="/status")[0].header("authorization")  # the secret was used
    for result in outputs:
        assert secret not in result.stdout and secret not in result.stderr
    for path in (project_root / ".outagecomms").iterdir():
        assert secret.encode() not in path.read_bytes()
