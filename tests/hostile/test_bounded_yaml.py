"""Runbook and channel files cannot make outagecomms work without bound: aliases, deep
nesting, huge numbers and durations are one clear error with ``file:line`` (exit 5; exit
1 with the finding for ``lint``), each naming the setting that lifts its limit."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import CliRunner
from tests.hostile.conftest import RUNBOOK, replaced, shipped_runbook, write_runbook


def alias_bomb(levels: int) -> str:
    lines = ["name: bomb", "kind: slack", "url: json://127.0.0.1:9/x", "a0: &a0 [1, 2, 3]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_in_a_channel_file_is_refused_with_its_line(
    cli: CliRunner, project_root: Path
) -> None:
    (project_root / "channels" / "bomb.yaml").write_text(alias_bomb(3), encoding="utf-8")
    result = cli("channels", "--project", str(project_root))
    assert result.exit_code == 5, result.stderr
    assert "channels/bomb.yaml:5: YAML alias *a0 is not allowed" in result.stderr


def test_an_alias_bomb_in_a_runbook_is_one_lint_finding(cli: CliRunner, project_root: Path) -> None:
    write_runbook(project_root, "id: bomb\n" + alias_bomb(4).split("\n", 3)[3], "bomb")
    result = cli("lint", "--project", str(project_root))
    assert result.exit_code == 1
    assert "runbooks/bomb.yaml:3" in result.stdout and "YAML alias *a0" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_merge_key_is_an_alias_too(cli: CliRunner, project_root: Path) -> None:
    text = shipped_runbook().replace(
        "variables:\n", "x-base: &base {required: true}\nvariables:\n  other: {<<: *base}\n", 1
    )
    write_runbook(project_root, text)
    result = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert result.exit_code == 5
    assert "YAML alias *base is not allowed" in result.stderr


def test_nesting_deeper_than_the_limit_is_refused_not_a_recursion_error(
    cli: CliRunner, project_root: Path
) -> None:
    write_runbook(project_root, "id: deep\nlanguages: " + "[" * 5000 + "]" * 5000 + "\n", "deep")
    result = cli("preview", "deep", "--project", str(project_root))
    assert result.exit_code == 5, result.stderr
    assert "runbooks/deep.yaml:2: nested deeper than 32 levels" in result.stderr
    assert "yaml_max_depth" in result.stderr and "OUTAGECOMMS_YAML_MAX_DEPTH" in result.stderr


def test_the_nesting_limit_is_a_setting(cli: CliRunner, project_root: Path) -> None:
    write_runbook(project_root, "id: deep\nlanguages: " + "[" * 10 + "]" * 10 + "\n", "deep")
    (project_root / "outagecomms.toml").write_text("yaml_max_depth = 8\n", encoding="utf-8")
    result = cli("preview", "deep", "--project", str(project_root))
    assert "nested deeper than 8 levels" in result.stderr


def line_of(text: str, part: str) -> int:
    return text[: text.index(part)].count("\n") + 1


def test_a_35_digit_max_length_is_refused_with_its_line(cli: CliRunner, project_root: Path) -> None:
    text = re.sub(r"max_length: \d+", "max_length: " + "9" * 35, shipped_runbook(), count=1)
    write_runbook(project_root, text)
    preview = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert preview.exit_code == 5
    line = line_of(text, "9" * 35)
    assert f"runbooks/payments-failing.yaml:{line}: the number 99999" in preview.stderr
    assert "yaml_max_integer" in preview.stderr
    lint = cli("lint", "--project", str(project_root))
    assert lint.exit_code == 1 and "internal error" not in lint.stderr


def test_a_max_length_beyond_the_longest_value_is_refused(
    cli: CliRunner, project_root: Path
) -> None:
    text = re.sub(r"max_length: \d+", "max_length: 999999999", shipped_runbook(), count=1)
    write_runbook(project_root, text)
    result = cli("lint", "--project", str(project_root))
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert "var_max_length" in " ".join(result.stdout.split())


def test_a_duration_of_99999999999999_days_is_refused_with_its_line(
    cli: CliRunner, project_root: Path
) -> None:
    text = replaced(shipped_runbook(), "major: 60m", "major: 99999999999999d")
    write_runbook(project_root, text)
    result = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert result.exit_code == 5, result.stderr
    line = line_of(text, "major: 99999999999999d")
    assert f"runbooks/payments-failing.yaml:{line}: cadence.major:" in result.stderr


def test_a_cadence_longer_than_the_longest_duration_names_the_setting(
    cli: CliRunner, project_root: Path
) -> None:
    text = replaced(shipped_runbook(), "major: 60m", "major: 400d")
    write_runbook(project_root, text)
    result = cli("preview", RUNBOOK, "--var", "impact=x", "--project", str(project_root))
    assert result.exit_code == 5
    assert "longer than 365d" in result.stderr and "OUTAGECOMMS_MAX_DURATION" in result.stderr


def test_a_huge_cadence_on_the_command_line_is_a_usage_error(
    cli: CliRunner, project_root: Path
) -> None:
    result = cli(
        "declare", RUNBOOK, "--var", "impact=x", "--cadence", "99999999999999d",
        "--unapproved", "--reason", "test", "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("outagecomms: error: --cadence:")


def test_a_cadence_on_the_command_line_longer_than_the_limit_names_the_setting(
    cli: CliRunner, project_root: Path
) -> None:
    result = cli(
        "declare", RUNBOOK, "--var", "impact=x", "--cadence", "400d",
        "--unapproved", "--reason", "test", "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "--cadence 400d is longer than 365d" in result.stderr
    assert "OUTAGECOMMS_MAX_DURATION" in result.stderr


def test_the_runbook_review_workflow_has_a_job_timeout() -> None:
    """A runbook from a pull request cannot hold the CI runner beyond this either."""
    import yaml

    from tests.conftest import REPO

    workflow = yaml.safe_load((REPO / ".github/workflows/runbooks.yml").read_text("utf-8"))
    for job in workflow["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 30
