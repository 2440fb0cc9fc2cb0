"""Approval history: approving a runbook again keeps who approved it before, with their
note, in the lock's history; `runbooks --history` lists every approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_runbook


@pytest.fixture
def root(empty_project: Path) -> Path:
    write_runbook(empty_project, runbook_data())
    return empty_project


def approve(cli: CliRunner, root: Path, by: str, note: str) -> None:
    result = cli("approve", "sample", "--by", by, "--note", note, "--project", str(root))
    assert result.exit_code == 0, result.stderr


def lock_entry(root: Path) -> dict[str, Any]:
    lock = yaml.safe_load((root / "runbooks" / "approvals.lock").read_text(encoding="utf-8"))
    return dict(lock["approvals"]["sample"])


def test_reapproving_unchanged_keeps_the_previous_approver_and_note(
    cli: CliRunner, root: Path
) -> None:
    approve(cli, root, "Dana Kim", "first review")
    assert "history" not in lock_entry(root)  # locks stay as they were until then
    approve(cli, root, "Lee Park", "second look")
    entry = lock_entry(root)
    assert entry["approved_by"] == "Lee Park" and entry["note"] == "second look"
    [earlier] = entry["history"]
    assert earlier["approved_by"] == "Dana Kim" and earlier["note"] == "first review"
    assert earlier["sha256"] == entry["sha256"]


def test_history_keeps_every_earlier_approval_oldest_first(cli: CliRunner, root: Path) -> None:
    for name in ("A One", "B Two", "C Three"):
        approve(cli, root, name, f"by {name}")
    history = lock_entry(root)["history"]
    assert [h["approved_by"] for h in history] == ["A One", "B Two"]


def test_runbooks_history_lists_every_approval_newest_first(cli: CliRunner, root: Path) -> None:
    approve(cli, root, "Dana Kim", "first review")
    path = root / "runbooks" / "sample.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Now "))
    approve(cli, root, "Lee Park", "after the edit")
    result = cli("runbooks", "--history", "--json", "--project", str(root))
    [row] = json.loads(result.stdout)
    assert [(a["approved_by"], a["current"]) for a in row["approvals"]] == [
        ("Lee Park", True),
        ("Dana Kim", False),
    ]


def test_runbooks_history_prints_who_when_and_the_note(cli: CliRunner, root: Path) -> None:
    approve(cli, root, "Dana Kim", "first review")
    approve(cli, root, "Lee Park", "second look")
    out = cli("runbooks", "--history", "--project", str(root)).stdout
    assert "Dana Kim" in out and "first review" in out and "Lee Park" in out
