"""``python -m bench --quick`` runs and writes its table and JSON (no time is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.reliability.conftest import SOAK


def test_the_quick_bench_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    # The default run keeps to CI time with the cheap benchmarks; `make soak` runs all.
    only = [] if SOAK else ["--only", "startup", "--only", "fanout", "--only", "worker"]
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", *only, "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "outagecomms benchmarks" in done.stdout and "CLI start-up" in done.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["quick"] is True and document["failed"] == []
    assert {"cpu", "cores", "python"} <= set(document["machine"])
    names = [row["name"] for row in document["rows"]]
    assert any(name.startswith("fan-out") for name in names)
    for row in document["rows"]:
        assert {"name", "value", "unit", "baseline", "ratio", "goal"} <= set(row)
