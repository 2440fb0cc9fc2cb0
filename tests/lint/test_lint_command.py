from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_runbook

FIELDS = {"rule", "severity", "message", "file", "line", "runbook", "phase", "format", "lang"}


def lint_json(cli: CliRunner, project: Path, *args: str) -> tuple[int, dict]:
    result = cli("lint", "--json", "--project", str(project), *args)
    return result.exit_code, json.loads(result.stdout)


def with_chat(project: Path, text: str, **message: object) -> None:
    data = runbook_data()
    data["messages"]["investigating"]["chat"]["en"] = {"text": text, **message}
    write_runbook(project, data)


BAD = (
    "We apologize for any inconvenience. Right now {{ impact }}. "
    "Next update by {{ next_update_at }}."
)


def test_a_clean_project_lints_ok(cli: CliRunner, empty_project: Path) -> None:
    write_runbook(empty_project, runbook_data(languages=("en", "fa", "uk", "lv")))
    code, report = lint_json(cli, empty_project)
    assert (code, report["ok"], report["findings"]) == (0, True, [])


def test_a_finding_carries_every_location_field(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, BAD)
    code, report = lint_json(cli, empty_project)
    finding = next(f for f in report["findings"] if f["rule"] == "cliche-apology")
    assert code == 1
    assert set(finding) >= FIELDS
    assert (finding["phase"], finding["format"], finding["lang"]) == ("investigating", "chat", "en")
    assert finding["file"].endswith("sample.yaml") and finding["line"] > 1
    assert finding["excerpt"] == "apologize for any inconvenience"


def test_the_finding_line_is_the_line_of_the_message(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, BAD)
    _, report = lint_json(cli, empty_project)
    finding = next(f for f in report["findings"] if f["rule"] == "cliche-apology")
    lines = (empty_project / "runbooks" / "sample.yaml").read_text().splitlines()
    assert "We apologize" in lines[finding["line"] - 1]


def test_allow_silences_one_rule_for_one_message(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, BAD, allow=[{"rule": "cliche-apology", "reason": "legal wording"}])
    code, report = lint_json(cli, empty_project)
    assert code == 0
    assert [a["reason"] for a in report["allowed"]] == ["legal wording"]


def test_an_allow_naming_an_unknown_rule_is_an_error(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, "Right now {{ impact }}. Next update by {{ next_update_at }}.",
              allow=[{"rule": "clichee", "reason": "typo"}])  # fmt: skip
    code, report = lint_json(cli, empty_project)
    assert code == 1
    assert [f["rule"] for f in report["findings"]] == ["allow"]


def test_warnings_alone_exit_zero(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, "Right now {{ impact }}!!! Next update by {{ next_update_at }}.")
    code, report = lint_json(cli, empty_project)
    assert code == 0
    assert [f["severity"] for f in report["findings"]] == ["warning"]


def test_a_template_without_impact_is_missing_impact(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, "Payments fail. We are on it. Next update by {{ next_update_at }}.")
    _, report = lint_json(cli, empty_project)
    assert [f["rule"] for f in report["findings"]] == ["missing-impact"]


def test_a_template_without_next_update_is_caught(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, "Right now {{ impact }}. We will post again soon.")
    _, report = lint_json(cli, empty_project)
    assert [f["rule"] for f in report["findings"]] == ["missing-next-update"]


def test_an_unconfirmed_free_text_eta_is_an_over_promise(
    cli: CliRunner, empty_project: Path
) -> None:
    data = runbook_data()
    data["variables"]["eta"] = {"max_length": 20}
    write_runbook(empty_project, data)
    _, report = lint_json(cli, empty_project)
    assert [f["rule"] for f in report["findings"]] == ["over-promise"]


def test_a_confirmed_eta_may_be_free_text(cli: CliRunner, empty_project: Path) -> None:
    data = runbook_data()
    data["variables"]["eta"] = {"max_length": 20, "confirmed": True}
    write_runbook(empty_project, data)
    code, _ = lint_json(cli, empty_project)
    assert code == 0


def test_broken_yaml_is_a_finding_with_file_and_line(cli: CliRunner, empty_project: Path) -> None:
    write_runbook(empty_project, "id: broken\ntitle: [unclosed\n", name="broken")
    write_runbook(empty_project, runbook_data())
    code, report = lint_json(cli, empty_project)
    (finding,) = report["findings"]
    assert code == 1
    assert (finding["rule"], finding["file"].endswith("broken.yaml")) == ("schema", True)
    assert finding["line"] >= 2


def test_every_schema_problem_of_every_file_is_listed(cli: CliRunner, empty_project: Path) -> None:
    for name in ("one", "two"):
        data = runbook_data(name)
        data["severity"] = "apocalyptic"
        data["bogus"] = 1
        write_runbook(empty_project, data)
    _, report = lint_json(cli, empty_project)
    assert len([f for f in report["findings"] if f["rule"] == "schema"]) == 4


def test_lint_takes_runbook_paths(cli: CliRunner, empty_project: Path) -> None:
    write_runbook(empty_project, runbook_data("good"))
    with_chat(empty_project, BAD)
    good = str(empty_project / "runbooks" / "good.yaml")
    code, report = lint_json(cli, empty_project, good)
    assert (code, report["findings"]) == (0, [])


def test_human_output_groups_findings_per_runbook(cli: CliRunner, empty_project: Path) -> None:
    with_chat(empty_project, BAD)
    result = cli("lint", "--project", str(empty_project))
    assert result.exit_code == 1
    assert "sample" in result.stdout and "cliche-apology" in result.stdout
    assert "> apologize for any inconvenience" in result.stdout


def test_lint_text_reports_without_location(cli: CliRunner) -> None:
    result = cli("lint", "--json", "--text", "Our provider went down.", "--lang", "en")
    (finding,) = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    assert finding["rule"] == "blame-shift"
    assert "file" not in finding and "line" not in finding


def test_lint_text_reads_stdin(cli: CliRunner) -> None:
    result = cli("lint", "--json", "--text", "-", "--lang", "uk", stdin="Вибачте за незручності")
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["cliche-apology"]


def test_lint_text_with_phase_checks_required_elements(cli: CliRunner) -> None:
    result = cli("lint", "--json", "--text", "Right now card payments fail.", "--lang", "en",
                 "--phase", "update")  # fmt: skip
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["missing-next-update"]


def test_lint_text_needs_a_language(cli: CliRunner) -> None:
    assert cli("lint", "--text", "hello").exit_code == 2


def test_a_clean_text_exits_zero(cli: CliRunner) -> None:
    result = cli("lint", "--text", "Right now card payments fail.", "--lang", "en")
    assert result.exit_code == 0


def test_a_project_lexicon_extends_the_shipped_one(cli: CliRunner, empty_project: Path) -> None:
    (empty_project / "lexicons").mkdir()
    (empty_project / "lexicons" / "en.yaml").write_text(
        "language: en\nterms:\n  jargon:\n    phrases: [flux capacitor]\n", encoding="utf-8"
    )
    args = ("lint", "--json", "--project", str(empty_project), "--lang", "en", "--text")
    result = cli(*args, "The flux capacitor broke.")
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["jargon"]


def test_every_shipped_runbook_lints_without_errors(cli: CliRunner, shipped_project: Path) -> None:
    _, report = lint_json(cli, shipped_project)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []


def test_shipped_runbooks_pass_every_tone_rule(cli: CliRunner, shipped_project: Path) -> None:
    _, report = lint_json(cli, shipped_project)
    assert [f for f in report["findings"] if f["rule"] != "length"] == []
