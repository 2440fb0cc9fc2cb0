"""The ``present-tense`` warning: a resolved or postmortem message that quotes a variable
declared ``tense: present`` ("sign-in fails") says something no longer true after the fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_runbook

RESOLVED = "Resolved: everything works normally again. Earlier, {{ impact }}."
RESOLVED_PAST = (
    "Resolved: everything works normally again.{% if impact_past %} Earlier, "
    "{{ impact_past }}.{% endif %}"
)


def lint_json(cli: CliRunner, project: Path) -> tuple[int, list[dict]]:
    result = cli("lint", "--json", "--project", str(project))
    return result.exit_code, json.loads(result.stdout)["findings"]


def write(project: Path, *, tense: str | None, resolved_chat: str, past: bool = False) -> None:
    data = runbook_data()
    if tense is not None:
        data["variables"]["impact"]["tense"] = tense
    if past:
        data["variables"]["impact_past"] = {
            "max_length": 80,
            "tense": "past",
            "example": "checkout failed",
        }
    data["messages"]["resolved"]["chat"]["en"] = resolved_chat
    write_runbook(project, data)


def test_a_resolved_message_quoting_a_present_clause_is_a_warning(
    cli: CliRunner, empty_project: Path
) -> None:
    write(empty_project, tense="present", resolved_chat=RESOLVED)
    code, findings = lint_json(cli, empty_project)
    assert code == 0
    assert [(f["rule"], f["severity"], f["phase"], f["format"]) for f in findings] == [
        ("present-tense", "warning", "resolved", "chat")
    ]
    assert "{{ impact }}" in findings[0]["message"] and "impact_past" in findings[0]["message"]


def test_the_warning_points_at_the_line_of_the_message(cli: CliRunner, empty_project: Path) -> None:
    write(empty_project, tense="present", resolved_chat=RESOLVED)
    _, findings = lint_json(cli, empty_project)
    lines = (empty_project / "runbooks" / "sample.yaml").read_text().splitlines()
    assert "Earlier, {{ impact }}" in lines[findings[0]["line"] - 1]


def test_a_declared_past_form_is_named_as_the_fix(cli: CliRunner, empty_project: Path) -> None:
    write(empty_project, tense="present", resolved_chat=RESOLVED, past=True)
    _, findings = lint_json(cli, empty_project)
    assert [f["rule"] for f in findings] == ["present-tense"]
    assert "quote impact_past (tense: past) instead" in findings[0]["message"]


def test_quoting_the_past_form_after_the_fix_is_clean(cli: CliRunner, empty_project: Path) -> None:
    write(empty_project, tense="present", resolved_chat=RESOLVED_PAST, past=True)
    assert lint_json(cli, empty_project) == (0, [])


def test_a_past_tense_variable_may_be_quoted_after_the_fix(
    cli: CliRunner, empty_project: Path
) -> None:
    write(empty_project, tense="past", resolved_chat=RESOLVED)
    assert lint_json(cli, empty_project) == (0, [])


def test_the_warning_can_be_allowed_for_one_message(cli: CliRunner, empty_project: Path) -> None:
    chat = {"text": RESOLVED, "allow": [{"rule": "present-tense", "reason": "quoted on purpose"}]}
    write(empty_project, tense="present", resolved_chat=chat)  # type: ignore[arg-type]
    assert lint_json(cli, empty_project) == (0, [])


def test_a_tense_other_than_present_or_past_is_a_schema_error(
    cli: CliRunner, empty_project: Path
) -> None:
    write(empty_project, tense="future", resolved_chat=RESOLVED)
    code, findings = lint_json(cli, empty_project)
    assert code == 1
    assert [f["rule"] for f in findings] == ["schema"]
    assert "'present' or 'past'" in findings[0]["message"]
