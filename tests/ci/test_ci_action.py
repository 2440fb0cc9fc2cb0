"""The action's script (``outagecomms.ci_action``) on its own: inputs, the command line it
builds, outputs and annotations for inputs that never reach the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from outagecomms.ci_action import ActionError, Inputs, command_line, outputs_of, run_action

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


def test_declare_runs_declare_with_the_dedupe_key_and_json() -> None:
    args = command_line(inputs(INPUT_VARIABLES="impact=x", INPUT_COOLDOWN="30m"))
    assert args[:2] == ["declare", "payments-failing"]
    assert args[args.index("--dedupe-key") :][:2] == ["--dedupe-key", "synthetic-payments"]
    assert args[args.index("--cooldown") :][:2] == ["--cooldown", "30m"]
    assert args[args.index("--var") :][:2] == ["--var", "impact=x"]
    assert args[-1] == "--json"


def test_resolve_is_idempotent_with_if_open() -> None:
    args = command_line(inputs(INPUT_MODE="resolve", INPUT_RUNBOOK=""))
    assert args[:2] == ["resolve", "--if-open"]


def test_channels_may_be_comma_or_newline_separated() -> None:
    args = command_line(inputs(INPUT_CHANNELS="status-hook, team-slack\nx-posts"))
    channels = [args[i + 1] for i, a in enumerate(args) if a == "--channel"]
    assert channels == ["status-hook", "team-slack", "x-posts"]


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
