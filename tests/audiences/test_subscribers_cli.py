"""`outagecomms subscribers list|add|remove|import|export`: consent kept, one person's data
exported whole, removal deletes it (GDPR)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, CliRunner


@pytest.fixture(autouse=True)
def _components(project_root: Path) -> None:
    """The shipped components.yaml (payments, login, dashboard, reports, api)."""
    shutil.copy(REPO / "components.yaml", project_root / "components.yaml")


def test_add_confirmed_needs_a_reason(cli: CliRunner, project_root: Path) -> None:
    done = cli(
        "subscribers", "add", "ana@example.com", "--confirmed", "--project", str(project_root)
    )
    assert done.exit_code == 2
    assert "--reason" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_address_is_one_line_naming_the_form(cli: CliRunner, project_root: Path) -> None:
    done = cli("subscribers", "add", "not-an-address", "--project", str(project_root))
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and "email address" in done.stderr


def test_export_of_one_address_gives_everything_stored_about_them(
    cli: CliRunner, project_root: Path
) -> None:
    root = str(project_root)
    cli("subscribers", "add", "Ana@Example.com", "--language", "fa", "--component", "payments",
        "--confirmed", "--reason", "signed up at the 2024 fair", "--project", root)  # fmt: skip
    done = cli("subscribers", "export", "--address", "Ana@example.com", "--json", "--project", root)
    assert done.exit_code == 0, done.stderr
    [person] = json.loads(done.stdout)
    assert person["address"] == "Ana@example.com"
    assert person["language"] == "fa" and person["components"] == ["payments"]
    assert person["consent_reason"] == "signed up at the 2024 fair"
    assert person["state"] == "active" and person["unsubscribe_token"]


def test_remove_deletes_the_subscriber(cli: CliRunner, project_root: Path) -> None:
    root = str(project_root)
    cli("subscribers", "add", "+37120000000", "--project", root)
    assert cli("subscribers", "remove", "+371 2000 0000", "--project", root).exit_code == 0
    assert (
        cli("subscribers", "export", "--address", "+37120000000", "--project", root).exit_code == 3
    )
    assert json.loads(cli("subscribers", "list", "--json", "--project", root).stdout) == []


def test_import_keeps_the_reason_and_export_writes_csv(
    cli: CliRunner, project_root: Path, tmp_path: Path
) -> None:
    root = str(project_root)
    source = tmp_path / "list.csv"
    source.write_text(
        "address,language,components\na@example.com,en,payments\nb@example.com,uk,\n",
        encoding="utf-8",
    )
    done = cli("subscribers", "import", str(source), "--confirmed", "--reason", "CRM opt-in",
               "--project", root)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    rows = json.loads(cli("subscribers", "list", "--json", "--project", root).stdout)
    assert [(r["address"], r["consent_reason"], r["source"]) for r in rows] == [
        ("a@example.com", "CRM opt-in", "import"),
        ("b@example.com", "CRM opt-in", "import"),
    ]
    exported = cli("subscribers", "export", "--project", root).stdout.splitlines()
    assert exported[0].startswith("address,kind,language,components")
    assert exported[1].startswith("a@example.com,email,en,payments")


def test_an_import_with_a_bad_row_names_the_row_and_adds_nothing(
    cli: CliRunner, project_root: Path, tmp_path: Path
) -> None:
    source = tmp_path / "list.json"
    source.write_text(json.dumps([{"address": "a@example.com"}, {"address": "x"}]), "utf-8")
    done = cli("subscribers", "import", str(source), "--project", str(project_root))
    assert done.exit_code == 2 and "row 2" in done.stderr
    listed = cli("subscribers", "list", "--json", "--project", str(project_root))
    assert json.loads(listed.stdout) == []


def test_add_refuses_a_component_not_in_components_yaml_naming_the_known_ones(
    cli: CliRunner, project_root: Path
) -> None:
    done = cli("subscribers", "add", "ana@example.com", "--component", "paymnets",
               "--project", str(project_root))  # fmt: skip
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1
    assert "--component" in done.stderr and "'paymnets'" in done.stderr
    assert "known: payments, login, dashboard, reports, api" in done.stderr


def test_import_with_an_unknown_component_imports_nothing_and_names_the_row(
    cli: CliRunner, project_root: Path, tmp_path: Path
) -> None:
    root = str(project_root)
    source = tmp_path / "list.csv"
    source.write_text(
        "address,language,components\na@example.com,en,payments\nb@example.com,en,billing\n",
        encoding="utf-8",
    )
    done = cli("subscribers", "import", str(source), "--confirmed", "--reason", "CRM opt-in",
               "--project", root)  # fmt: skip
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1
    assert "row 2: components:" in done.stderr and "'billing'" in done.stderr
    assert "known: payments, login" in done.stderr
    assert json.loads(cli("subscribers", "list", "--json", "--project", root).stdout) == []


def test_a_project_without_components_yaml_refuses_every_component(
    cli: CliRunner, project_root: Path
) -> None:
    (project_root / "components.yaml").unlink()
    done = cli("subscribers", "add", "ana@example.com", "--component", "payments",
               "--project", str(project_root))  # fmt: skip
    assert done.exit_code == 2
    assert "known: none" in done.stderr
