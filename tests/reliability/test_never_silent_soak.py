"""Issue #12, "done when", in real time (``make soak``): a real ``outagecomms worker``
process runs for a minute over 20 healthy incidents at a 3 s cadence and one poisoned
incident, and a channel file is broken while it runs. It never exits, every healthy
incident keeps its cadence, and the poisoned one is blocked and says why.

(tests/worker/test_never_silent.py runs the same minute on a simulated clock in CI.)"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import yaml
from sqlalchemy import select

from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from outagecomms.store.records import IncidentRecord
from outagecomms.store.repository import INCIDENT_COLUMNS
from outagecomms.store.tables import incidents, messages
from tests.conftest import REPO
from tests.never_silent import POISON, break_channel, runbook_variant
from tests.reliability.conftest import invoke_cli, skip_unless_soak, soak

RUNBOOK = "payments-failing"
HEALTHY = 20
CADENCE_SECONDS = 3
MINUTE = 60.0
WORKER = "from outagecomms.cli import main; main()"


def project(root: Path, http: HttpSink) -> Path:
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
    runbook_variant(root, "poisoned", "update", f"Still working on it ({POISON} min).")
    for name, kind, audience in (("status-hook", "webhook", "customers"),
                                 ("team-slack", "slack", "internal")):  # fmt: skip
        data = {"name": name, "kind": kind, "audience": audience, "url": http.url(f"/{name}")}
        (root / "channels" / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return root


def declare(root: Path, runbook: str) -> None:
    outcome = invoke_cli(
        ["declare", runbook, "--var", "impact=card payments fail", "--cadence",
         f"{CADENCE_SECONDS}s", "--unapproved", "--reason", "soak test", "--project", str(root)]
    )  # fmt: skip
    assert outcome.code == 0, outcome.describe()


def wait_for_banner(log: Path, worker: subprocess.Popen[str]) -> None:
    """Until the worker says it runs (its first line on stderr, once its store is open)."""
    deadline = time.monotonic() + 60
    while "SIGTERM or Ctrl-C stops it" not in log.read_text(encoding="utf-8"):
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


@soak
@skip_unless_soak
def test_a_real_worker_keeps_every_cadence_for_a_minute_through_a_poison_and_a_broken_file(
    tmp_path: Path,
) -> None:
    with HttpSink() as http:
        root = project(tmp_path / "project", http)
        declare(root, "poisoned")  # INC-1: its automatic update divides by zero
        for _ in range(HEALTHY):
            declare(root, RUNBOOK)
        log = tmp_path / "worker.log"  # a file, not a pipe nobody drains while it runs
        with log.open("w") as stderr:
            worker = subprocess.Popen(
                [sys.executable, "-c", WORKER, "worker", "--project", str(root),
                 "--poll-interval", "0.2"],
                stdout=subprocess.DEVNULL, stderr=stderr, text=True,
            )  # fmt: skip
        try:
            wait_for_banner(log, worker)
            started = time.time()
            time.sleep(MINUTE / 3)  # the run itself is what is measured: a minute of work
            break_channel(root, "status-hook")
            time.sleep(MINUTE * 2 / 3)
            alive = worker.poll() is None
            stopped = time.time()
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
            err = log.read_text(encoding="utf-8")[-2000:]
    assert alive, err
    url = f"sqlite:///{root / '.outagecomms' / 'state.db'}"
    with open_store(url) as store, store.read() as conn:
        rows = conn.execute(
            select(messages.c.incident_id, messages.c.created_at)
            .where(messages.c.origin == "cadence")
            .order_by(messages.c.incident_id, messages.c.seq)
        ).all()
        poisoned = IncidentRecord.from_row(
            conn.execute(select(*INCIDENT_COLUMNS).where(incidents.c.id == 1)).mappings().one()
        )
    updates: dict[int, list[float]] = {}
    for number, at in rows:
        updates.setdefault(number, []).append(at.timestamp())
    for number in range(2, HEALTHY + 2):
        times = [at for at in updates.get(number, []) if at >= started]
        gaps = [later - earlier for earlier, later in pairwise(times)]
        seen = [round(at - started, 1) for at in times]
        assert len(times) >= MINUTE / CADENCE_SECONDS - 3, f"INC-{number}: {seen}, {err}"
        assert max(gaps) <= CADENCE_SECONDS + 2, f"INC-{number}: gaps {gaps}"
        assert stopped - times[-1] <= CADENCE_SECONDS + 2, f"INC-{number}: stopped early"
    assert 1 not in updates
    assert poisoned.blocked_reason is not None and "ZeroDivisionError" in poisoned.blocked_reason
