"""Fixtures for hostile input: a project holding the shipped payments runbook, whose
files a test may then replace with what an attacker (or an accident) would write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

RUNBOOK = "payments-failing"


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    shutil.copy(REPO / "channels" / "team-slack.yaml", root / "channels")
    return root


def shipped_runbook() -> str:
    return (REPO / "runbooks" / f"{RUNBOOK}.yaml").read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str) -> str:
    """``text`` with the first ``old`` replaced, failing loudly when the shipped runbook no
    longer holds ``old`` (a test must not pass because its edit did nothing)."""
    assert old in text, f"the shipped runbook no longer contains {old!r}: update the test"
    return text.replace(old, new, 1)


def write_runbook(root: Path, text: str, name: str = RUNBOOK) -> Path:
    path = root / "runbooks" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path
