"""``components.yaml``: loaded with ``file:line`` errors like the other project files; a
broken file never stops a declare that did not ask for components by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagecomms.components import load_catalog
from outagecomms.errors import ConfigError
from outagecomms.incidents import Orchestrator
from tests.conftest import CliRunner

IMPACT = {"impact": "card payments fail at checkout"}


def write(root: Path, text: str) -> Path:
    path = root / "components.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads_in_order_with_names_per_language(project_root: Path) -> None:
    catalog = load_catalog(project_root)
    assert catalog.ids[:2] == ["payments", "login"]
    assert catalog.name_of("login", "fa") == "ورود"
    assert catalog.name_of("login", "de") == "Sign-in"  # English when the language is missing
    assert catalog.group_name("accounts", "en") == "Accounts"


def test_no_file_means_no_components(tmp_path: Path) -> None:
    assert not load_catalog(tmp_path)


def test_a_repeated_id_names_file_and_line(project_root: Path) -> None:
    write(project_root, "components:\n  - {id: api, name: API}\n  - {id: api, name: API 2}\n")
    with pytest.raises(ConfigError, match=r"components\.yaml:3: components\[1\]\.id: 'api' is"):
        load_catalog(project_root)


def test_an_unknown_key_names_file_and_line(project_root: Path) -> None:
    write(project_root, "components:\n  - id: api\n    name: API\n    colour: red\n")
    with pytest.raises(ConfigError, match=r"components\.yaml:4: components\[0\]\.colour: unknown"):
        load_catalog(project_root)


def test_a_bad_id_says_how_ids_are_written(project_root: Path) -> None:
    write(project_root, "components:\n  - {id: Payments API, name: API}\n")
    with pytest.raises(ConfigError, match=r"lowercase letters, digits, '-' or '_'"):
        load_catalog(project_root)


def test_a_broken_file_does_not_stop_a_declare(
    project_root: Path, orchestrator: Orchestrator
) -> None:
    write(project_root, "components: [\n")
    report = orchestrator.declare("payments-failing", variables=IMPACT)
    assert report.incident.status == "open"


def test_declare_component_with_an_unknown_id_exits_2_naming_the_fix(
    project_root: Path, fake_channels: list[str], cli: CliRunner
) -> None:
    result = cli(
        "declare", "payments-failing", "--var", f"impact={IMPACT['impact']}",
        "--component", "paymnts", "--unapproved", "--reason", "test of the component flag",
        "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no component 'paymnts'" in result.stderr
    assert "known: payments, login" in result.stderr
    assert "Traceback" not in result.stderr


def test_lint_reports_an_unknown_component_at_the_runbooks_line(
    project_root: Path, cli: CliRunner
) -> None:
    path = project_root / "runbooks" / "login-failing.yaml"
    path.write_text(path.read_text().replace("{login: major_outage}", "{logn: major_outage}"))
    result = cli("lint", "--project", str(project_root))
    assert result.exit_code == 1
    assert "login-failing.yaml:" in result.stdout
    assert "no component 'logn'" in result.stdout
