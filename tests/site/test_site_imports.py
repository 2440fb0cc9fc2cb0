"""A fresh ``declare`` with a ``site`` channel imports only what the rebuild uses: not
structlog (its logger is the lazy one of :mod:`outagecomms.logs`: ~0.1 s of imports), nor
``importlib.resources``' readers and ``zipfile`` (the templates are read from the package's
directory)."""

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
print(sorted(m for m in sys.modules if m.split(".")[0] in {top!r} or m in {exact!r}))
"""
NOT_IMPORTED_TOP = {"structlog", "zipfile"}
NOT_IMPORTED = {"importlib.resources.readers", "importlib.readers"}


@pytest.fixture
def site_project(tmp_path: Path) -> Iterator[Path]:
    """The shipped payments runbook, approved, sent to a webhook and a site channel."""
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / "payments-failing.yaml", root / "runbooks")
    with HttpSink() as http:
        write_channel(root, name="hook", url=http.url("/hook"))
        write_channel(root, name="status-page", kind="site", url="public")
        approve(Project(root), ["payments-failing"], by="comms")
        yield root


def _declare_imports(root: Path) -> list[str]:
    args = ["declare", "payments-failing", "--var", "impact=checkout fails",
            "--project", str(root)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env["TMPDIR"] = str(root.parent)  # the kept files of this test's own
    script = SCRIPT.format(args=args, top=NOT_IMPORTED_TOP, exact=NOT_IMPORTED)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120,
        env=env,
    )  # fmt: skip
    found = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    return [str(name) for name in found]


def test_a_declare_with_a_site_channel_imports_no_structlog_nor_resource_readers(
    site_project: Path,
) -> None:
    _declare_imports(site_project)  # the first builds the whole site
    assert _declare_imports(site_project) == []
    assert (site_project / "public" / "index.html").is_file()
