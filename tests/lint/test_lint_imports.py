"""``lint`` imports only what the project needs: the service's route checker only when the
project has a ``routes.yaml``."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from outagecomms.service.routes_file import ROUTES_FILE
from tests.conftest import REPO

SCRIPT = """
import contextlib, io, sys
from outagecomms.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    run({args!r})
print(sorted(m for m in sys.modules if m.startswith("outagecomms.service")))
"""


def _service_modules(root: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env["TMPDIR"] = str(root.parent)
    script = SCRIPT.format(args=["lint", "--project", str(root)])
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    return [str(name) for name in ast.literal_eval(result.stdout.strip().splitlines()[-1])]


def test_lint_without_routes_imports_nothing_of_the_service(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / "payments-failing.yaml", root / "runbooks")
    assert _service_modules(root) == []


def test_the_file_lint_looks_for_is_the_services_routes_file() -> None:
    source = (REPO / "src" / "outagecomms" / "lint" / "runner.py").read_text(encoding="utf-8")
    assert f'project.root / "{ROUTES_FILE}"' in source
