"""A fresh ``declare`` to webhook channels imports only what it uses: no linter, no retry
library (a first attempt needs no wait), no grapheme or X counting (nothing is cut), and,
once an earlier process kept its validated files, no YAML parser."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.approvals import approve
from outagecomms.project import Project
from outagecomms.testing.sinks import HttpSink
from tests.conftest import REPO
from tests.factories import write_channel

SCRIPT = """
import contextlib, io, sys
from outagecomms.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    status = run({args!r})
assert status == 0, status
print(sorted(m for m in sys.modules if m.split(".")[0] in {top!r} or m.startswith({own!r})))
"""
NOT_IMPORTED_TOP = {"tenacity", "regex", "uniseg", "twitter_text", "apprise"}
NOT_IMPORTED_OWN = ("outagecomms.lint", "outagecomms.x_length")


@pytest.fixture
def webhook_project(tmp_path: Path) -> Iterator[Path]:
    """The shipped payments runbook, approved, sent to three webhooks on a local sink."""
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / "payments-failing.yaml", root / "runbooks")
    with HttpSink() as http:
        for index in range(3):
            write_channel(root, name=f"hook-{index}", url=http.url(f"/hook-{index}"))
        approve(Project(root), ["payments-failing"], by="comms")
        yield root


def _declare_imports(root: Path, top: set[str], own: tuple[str, ...]) -> list[str]:
    args = ["declare", "payments-failing", "--var", "impact=checkout fails",
            "--project", str(root)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env["TMPDIR"] = str(root.parent)  # the kept files of this test's own
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(args=args, top=top, own=own)],
        capture_output=True, text=True, check=True, timeout=120, env=env,
    )  # fmt: skip
    found = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    return [str(name) for name in found]


def test_a_fresh_declare_to_webhooks_imports_no_linter_retry_or_text_cutting(
    webhook_project: Path,
) -> None:
    assert _declare_imports(webhook_project, NOT_IMPORTED_TOP, NOT_IMPORTED_OWN) == []


def test_a_declare_after_another_parses_no_yaml(webhook_project: Path) -> None:
    assert "yaml" in _declare_imports(webhook_project, {"yaml"}, ())  # nothing kept yet
    assert _declare_imports(webhook_project, {"yaml"}, ("outagecomms.yaml_parse",)) == []
