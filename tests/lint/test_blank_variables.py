"""No blank reaches a customer (product-spec §8): ``lint`` fails on an optional variable
without a default that a template prints unguarded, at its file:line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_runbook

UNGUARDED = (
    "Right now {{ impact }}. We are working on it. We expect a fix within {{ eta }}. "
    "Next update by {{ next_update_at }}."
)


def with_eta(project: Path, text: str, **eta: object) -> Path:
    data = runbook_data()
    data["variables"]["eta"] = {"kind": "range", **eta}
    data["messages"]["identified"]["chat"]["en"] = text
    return write_runbook(project, data)


def blanks(cli: CliRunner, project: Path) -> tuple[int, list[dict[str, Any]]]:
    result = cli("lint", "--json", "--project", str(project))
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "unguarded-optional"]
    return result.exit_code, found


def test_an_unguarded_optional_variable_without_a_default_fails_lint(
    cli: CliRunner, empty_project: Path
) -> None:
    with_eta(empty_project, UNGUARDED)
    code, found = blanks(cli, empty_project)
    assert (code, len(found)) == (1, 1)


def test_the_finding_names_the_variable_the_fix_and_the_line(
    cli: CliRunner, empty_project: Path
) -> None:
    path = with_eta(empty_project, UNGUARDED)
    [finding] = blanks(cli, empty_project)[1]
    rows = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(rows, 1) if "We expect a fix within" in row)
    assert "'eta'" in finding["message"]
    assert "guard it with {% if eta %}" in finding["message"]
    assert (finding["line"], finding["phase"], finding["format"]) == (line, "identified", "chat")


def test_a_use_inside_its_if_guard_is_not_flagged(cli: CliRunner, empty_project: Path) -> None:
    data = runbook_data()
    data["variables"]["eta"] = {"kind": "range"}
    chat = data["messages"]["identified"]["chat"]
    chat["en"] = UNGUARDED.replace(
        "We expect a fix within {{ eta }}.",
        "{% if eta %}We expect a fix within {{ eta }}.{% endif %}",
    )
    data["messages"]["identified"]["short"]["en"] = UNGUARDED
    write_runbook(empty_project, data)
    found = blanks(cli, empty_project)[1]
    assert [(f["phase"], f["format"]) for f in found] == [("identified", "short")]


def test_an_optional_variable_with_a_default_is_not_flagged(
    cli: CliRunner, empty_project: Path
) -> None:
    data = runbook_data()
    data["variables"]["eta"] = {"kind": "range"}
    data["variables"]["scope"] = {"default": "all customers"}
    text = UNGUARDED.replace("Right now {{ impact }}.", "Right now {{ impact }} for {{ scope }}.")
    data["messages"]["identified"]["chat"]["en"] = text
    write_runbook(empty_project, data)
    assert ["'eta'" in f["message"] for f in blanks(cli, empty_project)[1]] == [True]


def test_a_use_in_the_else_branch_of_its_own_guard_still_fails(
    cli: CliRunner, empty_project: Path
) -> None:
    text = UNGUARDED.replace(
        "We expect a fix within {{ eta }}.",
        "{% if eta %}Soon.{% else %}Within {{ eta }}.{% endif %}",
    )
    with_eta(empty_project, text)
    assert len(blanks(cli, empty_project)[1]) == 1
