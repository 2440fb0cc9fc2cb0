"""Several real processes declare the same problem at once: one incident, one message per
channel, every other declare answered with it (dedupe key)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from outagecomms.sinks import HttpSink
from tests.conftest import REPO
from tests.reliability.conftest import skip_unless_soak, soak

RUNBOOK = "payments-failing"
# Each process imports everything, then waits for the same go-file, so the declares start
# together (the file is the barrier; the poll is not a sleep for luck).
RACER = """
import sys, time
from pathlib import Path
from outagecomms.cli import _load_commands, run
import outagecomms.delivery, apprise
_load_commands()
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.002)
sys.exit(run(sys.argv[2:]))
"""


@pytest.fixture
def http() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


def _project(root: Path, http: HttpSink) -> Path:
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    for name in ("hook-a", "hook-b"):
        data = {"name": name, "kind": "webhook", "url": http.url(f"/{name}")}
        (root / "channels" / f"{name}.yaml").write_text(yaml.safe_dump(data), "utf-8")
    return root


def race(root: Path, tmp_path: Path, processes: int) -> list[dict]:  # type: ignore[type-arg]
    go = tmp_path / "go"
    argv = ["declare", RUNBOOK, "--var", "impact=cards fail", "--dedupe-key", "ci-payments",
            "--unapproved", "--reason", "race test", "--json", "--project", str(root)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(processes)
    ]
    go.touch()
    documents = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        documents.append(json.loads(out))
    return documents


def _check(documents: list[dict], http: HttpSink) -> None:  # type: ignore[type-arg]
    ids = {d["incident"]["id"] for d in documents}
    assert len(ids) == 1, ids
    assert sorted(d["incident"]["deduplicated"] for d in documents) == [False] + [True] * (
        len(documents) - 1
    )
    for name in ("hook-a", "hook-b"):
        http.wait_answered(1, path=f"/{name}")
        assert len([r for r in http.requests if r.path == f"/{name}"]) == 1, name


def test_parallel_declares_with_one_dedupe_key_open_one_incident(
    tmp_path: Path, http: HttpSink
) -> None:
    root = _project(tmp_path / "project", http)
    _check(race(root, tmp_path, 3), http)


@soak
@skip_unless_soak
@pytest.mark.parametrize("round_", range(10))
def test_parallel_declares_soak(tmp_path: Path, http: HttpSink, round_: int) -> None:
    root = _project(tmp_path / "project", http)
    _check(race(root, tmp_path, 4), http)
