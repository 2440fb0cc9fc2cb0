"""Fixtures every test module may use: the CLI as a function, and throw-away projects."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from outagecomms import validated_cache
from outagecomms.cli import run

# Tests are deterministic: Hypothesis draws the same examples on every run (a fixed seed
# derived from each test), so CI never fails on a new random example. `make soak` explores
# fresh examples for the reliability suite.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("deterministic")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_kept_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests check every file they load, as if no earlier process had kept it
    (tests/test_validated_cache.py gives the cache a directory of its own); the CLI run as
    a program keeps them as it does for a team."""
    monkeypatch.setattr(validated_cache, "directory", lambda: None)


SHARED = REPO.parent / "shared"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


CliRunner = Callable[..., Result]


@pytest.fixture
def cli_orchestrator_options() -> dict[str, Any]:
    """What the in-process CLI gives the orchestrators it builds
    (``run(argv, orchestrator_options=...)``): nothing here, the product's own defaults;
    a folder's conftest may inject a stand-in (the incidents' approval gate)."""
    return {}


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_orchestrator_options: dict[str, Any],
) -> CliRunner:
    """Run ``outagecomms ARGS...`` in-process; returns exit code, stdout and stderr."""

    def invoke(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = run(list(args), orchestrator_options=cli_orchestrator_options)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's OUTAGECOMMS_* settings, or logging configured by an
    earlier test's CLI run."""
    import os

    import structlog

    structlog.reset_defaults()

    for name in list(os.environ):
        if name.startswith("OUTAGECOMMS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    yield


@pytest.fixture
def shipped_project(tmp_path: Path) -> Path:
    """A copy of the repository's runbooks/, channels/ and components.yaml in a fresh
    directory."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("runbooks", "channels"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "components.yaml", root / "components.yaml")
    return root


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    root = tmp_path / "empty"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    return root
