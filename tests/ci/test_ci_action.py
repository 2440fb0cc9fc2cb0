"""The action's script (``outagecomms.ci_action``) on its own: inputs, outputs and
annotations for inputs that never reach the Python API, and the step run in-process on the
API with a stand-in sender and approval gate."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from outagecomms.ci_action import ActionError, Inputs, outputs_of, run_action
from outagecomms.testing import FakeSender
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, Clock

BASE = {
    "INPUT_MODE": "declare",
    "INPUT_DEDUPE_KEY": "synthetic-payments",
    "INPUT_DATABASE_URL": "postgresql://ci@db.example.com/outagecomms",
    "INPUT_RUNBOOK": "payments-failing",
}


def inputs(**changes: str) -> Inputs:
    return Inputs.from_env({**BASE, **changes})


def test_variables_are_one_name_value_per_line() -> None:
    found = inputs(INPUT_VARIABLES="impact=card payments fail\n\n# a comment\n eta = 2-4h \n")
    assert found.variables == ("impact=card payments fail", "eta=2-4h")


def test_a_variable_value_may_contain_equals_signs() -> None:
    assert inputs(INPUT_VARIABLES="workaround=use a=b").variables == ("workaround=use a=b",)


def test_a_variables_line_without_equals_names_its_line() -> None:
    with pytest.raises(ActionError, match="line 2"):
        inputs(INPUT_VARIABLES="impact=x\nscope everyone")


def test_the_cooldown_is_a_duration() -> None:
    assert inputs(INPUT_COOLDOWN="30m").cooldown == timedelta(minutes=30)


def test_a_cooldown_of_off_never_reopens() -> None:
    assert inputs(INPUT_COOLDOWN="off").cooldown == timedelta(0)


def test_an_empty_cooldown_is_the_runbooks() -> None:
    assert inputs().cooldown is None


def test_the_cooldown_has_the_clis_environment_twin() -> None:
    assert inputs(OUTAGECOMMS_COOLDOWN="15m").cooldown == timedelta(minutes=15)


def test_channels_may_be_comma_or_newline_separated() -> None:
    found = inputs(INPUT_CHANNELS="status-hook, team-slack\nx-posts")
    assert found.channels == ("status-hook", "team-slack", "x-posts")


def test_the_declarer_defaults_to_the_workflow_run() -> None:
    found = inputs(GITHUB_WORKFLOW="synthetic check", GITHUB_RUN_NUMBER="7")
    assert found.by == "github-actions: synthetic check #7"


def test_an_unknown_mode_is_a_usage_error() -> None:
    with pytest.raises(ActionError, match=r"declare .* or resolve") as caught:
        inputs(INPUT_MODE="open")
    assert caught.value.status == 2


def test_declare_without_a_runbook_is_a_usage_error() -> None:
    with pytest.raises(ActionError, match="runbook"):
        inputs(INPUT_RUNBOOK="")


def test_an_empty_dedupe_key_is_a_usage_error() -> None:
    with pytest.raises(ActionError, match="dedupe-key"):
        inputs(INPUT_DEDUPE_KEY=" ")


def test_a_missing_database_url_is_a_configuration_error() -> None:
    with pytest.raises(ActionError, match="postgresql://") as caught:
        inputs(INPUT_DATABASE_URL="")
    assert caught.value.status == 5


def test_a_bad_cadence_is_a_usage_error_naming_the_input() -> None:
    with pytest.raises(ActionError, match=r"^input cadence: 'soon' is not a duration") as caught:
        inputs(INPUT_CADENCE="soon")
    assert caught.value.status == 2


def test_a_bad_cooldown_is_a_usage_error_naming_the_input() -> None:
    with pytest.raises(ActionError, match=r"^input cooldown: .*0/off"):
        inputs(INPUT_COOLDOWN="soon")


def test_an_unknown_severity_is_a_usage_error_listing_the_severities() -> None:
    with pytest.raises(ActionError, match="critical, major, minor"):
        inputs(INPUT_SEVERITY="bad")


@pytest.mark.parametrize("value", ["soon", "0", "nan"])
def test_a_timeout_must_be_seconds_of_at_least_a_tenth(value: str) -> None:
    with pytest.raises(ActionError, match="input timeout"):
        inputs(INPUT_TIMEOUT=value)


def test_fail_on_queued_must_be_true_or_false() -> None:
    with pytest.raises(ActionError, match="fail-on-queued"):
        inputs(INPUT_FAIL_ON_QUEUED="maybe")


def test_a_bad_input_is_one_error_annotation_and_its_exit_code(tmp_path: Path) -> None:
    output = tmp_path / "output"
    out = io.StringIO()
    result = run_action(
        {**BASE, "INPUT_DATABASE_URL": "", "GITHUB_OUTPUT": str(output)}, stdout=out
    )
    assert result.exit_code == 5
    [line] = out.getvalue().splitlines()
    assert line.startswith("::error::outagecomms action: input database-url is empty")
    assert "exit-code=5\n" in output.read_text(encoding="utf-8")


def test_annotations_escape_percent_signs() -> None:
    out = io.StringIO()
    run_action({**BASE, "INPUT_MODE": "100%"}, stdout=out)
    assert "'100%25'" in out.getvalue()


def test_outputs_of_a_deduplicated_declare_list_no_queued_channels() -> None:
    document = {
        "incident": {"id": "INC-3", "status": "open", "phase": "identified", "deduplicated": True},
        "deliveries": [{"channel": "x-posts", "state": "retry"}],
    }
    outputs = outputs_of(document, 0)
    assert (outputs["queued-channels"], outputs["sent"]) == ("", "false")
    assert json.loads(outputs["json"]) == document


def test_outputs_of_resolve_with_nothing_open_are_empty() -> None:
    outputs = outputs_of({"incident": None, "deliveries": []}, 0)
    assert (outputs["incident-id"], outputs["status"], outputs["sent"]) == ("", "", "false")


def test_importing_the_script_loads_neither_sqlalchemy_nor_the_cli() -> None:
    code = (
        "import sys, outagecomms.ci_action; "
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'outagecomms.cli', "
        "'outagecomms.incidents') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- the step in-process, on the Python API --------------------------------------------


class Step:
    """``run_action`` on a project with fake channels, the stand-in sender, gate and clock."""

    def __init__(self, root: Path, options: dict[str, Any], tmp_path: Path) -> None:
        self.root, self.options, self.tmp_path = root, options, tmp_path
        self.runs = 0

    def __call__(self, mode: str = "declare", **env: str) -> tuple[int, dict[str, str], str]:
        self.runs += 1
        output = self.tmp_path / f"output-{self.runs}"
        environ = {
            "INPUT_MODE": mode,
            "INPUT_DEDUPE_KEY": "synthetic-payments",
            "INPUT_DATABASE_URL": f"sqlite:///{self.tmp_path / 'state.db'}",
            "INPUT_PROJECT": str(self.root),
            "INPUT_RUNBOOK": RUNBOOK if mode == "declare" else "",
            "INPUT_VARIABLES": f"impact={IMPACT}",
            "GITHUB_OUTPUT": str(output),
            **env,
        }
        out = io.StringIO()
        result = run_action(environ, stdout=out, stderr=io.StringIO(), **self.options)
        assert result.outputs["exit-code"] == str(result.cli_exit_code)
        return result.exit_code, result.outputs, out.getvalue()


@pytest.fixture
def step(
    project_root: Path,
    fake_channels: list[str],
    sender: FakeSender,
    approvals: Approvals,
    clock: Clock,
    tmp_path: Path,
) -> Step:
    given = {"senders": sender.senders, "gate": approvals, "clock": clock}
    options = {"orchestrator_options": given}
    return Step(project_root, options, tmp_path)


def test_a_declare_sends_through_the_api_and_prints_the_reports_document(
    step: Step, sender: FakeSender, fake_channels: list[str]
) -> None:
    code, outputs, stdout = step()
    assert (code, outputs["incident-id"], outputs["sent"]) == (0, "INC-1", "true")
    assert sorted(item.channel.name for item in sender.sent) == fake_channels
    document = json.loads(stdout[: stdout.index("\n}\n") + 3])
    assert document == json.loads(outputs["json"])
    assert document["incident"]["id"] == "INC-1"


def test_a_declares_document_carries_its_warnings_as_the_clis_does(step: Step) -> None:
    _code, outputs, stdout = step()
    [warning] = json.loads(outputs["json"])["warnings"]
    assert "no worker is running" in warning
    assert f"::warning::outagecomms: {warning}" in stdout


def test_the_declare_gets_the_inputs_channels_only(step: Step, sender: FakeSender) -> None:
    step(INPUT_CHANNELS="x-posts, team-slack")
    assert sorted(item.channel.name for item in sender.sent) == ["team-slack", "x-posts"]


def test_the_inputs_variables_reach_the_message(step: Step, sender: FakeSender) -> None:
    step(INPUT_VARIABLES="impact=wallet payments fail")
    assert all("wallet payments fail" in item.body for item in sender.sent)


def test_the_declare_is_deduplicated_by_the_inputs_key(step: Step, sender: FakeSender) -> None:
    step()
    _code, outputs, _stdout = step()
    assert (outputs["deduplicated"], outputs["sent"]) == ("true", "false")
    assert len(sender.sent) == 3  # the first declare's, one per channel


def test_the_inputs_cooldown_reopens_after_a_flap(step: Step) -> None:
    step(INPUT_COOLDOWN="30m")
    step("resolve")
    _code, outputs, stdout = step(INPUT_COOLDOWN="30m")
    assert (outputs["incident-id"], outputs["reopened"]) == ("INC-1", "true")
    assert "::notice::outagecomms: INC-1 re-opened" in stdout


def test_resolve_with_nothing_declared_prints_a_null_incident_and_exits_0(
    step: Step, sender: FakeSender
) -> None:
    code, outputs, stdout = step("resolve")
    assert (code, outputs["incident-id"]) == (0, "")
    assert json.loads(stdout) == {"incident": None, "deliveries": []}
    assert sender.batches == []


def test_a_repeated_resolve_is_idempotent(step: Step, sender: FakeSender) -> None:
    step()
    step("resolve")
    code, outputs, _stdout = step("resolve")
    assert (code, outputs["deduplicated"], outputs["status"]) == (0, "true", "resolved")
    assert len(sender.sent) == 6  # declared and resolved, on three channels


def test_the_declarer_is_the_by_input(step: Step, sender: FakeSender) -> None:
    step(INPUT_BY="synthetic-bot")
    [internal] = [i for i in sender.sent if i.channel.name == "team-slack"]
    assert "synthetic-bot" in internal.body


def test_a_channel_failing_its_first_attempt_is_exit_6_and_a_warning(
    step: Step, sender: FakeSender
) -> None:
    sender.failing = {"x-posts"}
    code, outputs, stdout = step()
    assert (code, outputs["exit-code"], outputs["queued-channels"]) == (0, "6", "x-posts")
    assert "::warning::outagecomms: INC-1: channel(s) x-posts failed" in stdout


def test_an_api_error_about_a_parameter_names_the_actions_input(step: Step) -> None:
    code, outputs, stdout = step(INPUT_BY="bot\x07")
    assert (code, outputs["exit-code"]) == (2, "2")
    [error] = [line for line in stdout.splitlines() if line.startswith("::error::")]
    assert error.startswith("::error::outagecomms: error: input by contains the control")


def test_a_store_error_names_the_database_url_input(step: Step) -> None:
    code, _outputs, stdout = step(INPUT_DATABASE_URL="mysql://db.example.com/x")
    assert code == 5
    assert "input database-url" in stdout and "--database-url" not in stdout


def test_an_unknown_runbook_is_exit_3_with_the_errors_message(step: Step) -> None:
    code, outputs, stdout = step(INPUT_RUNBOOK="no-such-runbook")
    assert (code, outputs["incident-id"], outputs["json"]) == (3, "", "")
    [error] = [line for line in stdout.splitlines() if line.startswith("::")]
    assert error.startswith("::error::outagecomms: error: ") and "no-such-runbook" in error
