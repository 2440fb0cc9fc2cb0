"""Several real processes: racing declares, and processes killed mid-way."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from outagecomms.sinks import HttpSink
from outagecomms.store import open_store
from outagecomms.store.tables import deliveries, incidents, messages
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

# Both processes import everything first, then wait for the same go-file, so their
# declares start together (polling a file is the barrier, not a sleep for luck).
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

# Declares through the API, killing its own process (SIGKILL: no cleanup, no finally) at
# the point named by argv[2].
KILLED = """
import os, signal, sys
from pathlib import Path
import outagecomms.incidents as incidents
from outagecomms.project import Project
from outagecomms.store import repository

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

sender = None
if sys.argv[2] == "before-sending":
    repository.start_sending = die
else:
    sender = die
approved = lambda *args, **kwargs: None
with incidents.Orchestrator.open(
    Project(Path(sys.argv[1])), sender=sender, gate=approved
) as orchestrator:
    orchestrator.declare("payments-failing", variables={"impact": "x"})
"""


def race_declares(root: Path, tmp_path: Path, database_url: str) -> list[tuple[int, dict]]:
    go = tmp_path / "go"
    argv = [
        "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--dedupe-key", "ci-payments",
        "--unapproved", "--reason", "race test", "--json", "--project", str(root),
        "--database-url", database_url,
    ]  # fmt: skip
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append((racer.returncode, json.loads(out)))
    return results


@pytest.fixture
def hook(project_root: Path, http: HttpSink) -> HttpSink:
    write_channel(project_root, "status-hook", kind="webhook", url=http.url("/status"))
    return http


def test_racing_declares_with_one_dedupe_key_open_one_incident(
    project_root: Path, hook: HttpSink, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'state.db'}"  # the migration races as well
    results = race_declares(project_root, tmp_path, url)
    assert sorted(doc["incident"]["deduplicated"] for _, doc in results) == [False, True]
    assert {doc["incident"]["id"] for _, doc in results} == {"INC-1"}
    with open_store(url) as store, store.read() as conn:
        assert len(conn.execute(select(incidents)).all()) == 1


def test_racing_declares_send_the_first_message_once(
    project_root: Path, hook: HttpSink, tmp_path: Path
) -> None:
    race_declares(project_root, tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    hook.wait_for(1, path="/status")
    assert len(hook.requests) == 1


@pytest.mark.postgres
def test_racing_declares_on_postgres_open_one_incident(
    project_root: Path, hook: HttpSink, tmp_path: Path, postgres_url: str
) -> None:
    results = race_declares(project_root, tmp_path, postgres_url)
    assert sorted(doc["incident"]["deduplicated"] for _, doc in results) == [False, True]
    with open_store(postgres_url) as store, store.read() as conn:
        assert len(conn.execute(select(incidents)).all()) == 1


def kill_during_declare(root: Path, point: str) -> dict[str, object]:
    process = subprocess.run(
        [sys.executable, "-c", KILLED, str(root), point],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    url = f"sqlite:///{root / '.outagecomms' / 'state.db'}"
    with open_store(url) as store, store.read() as conn:
        rows = conn.execute(select(deliveries)).mappings().all()
        message_count = len(conn.execute(select(messages)).all())
    return {"messages": message_count, "deliveries": [dict(row) for row in rows]}


def test_a_process_killed_after_the_commit_and_before_sending_leaves_them_queued(
    project_root: Path, hook: HttpSink
) -> None:
    found = kill_during_declare(project_root, "before-sending")
    [delivery] = found["deliveries"]  # type: ignore[misc]
    assert (found["messages"], delivery["channel"], delivery["state"]) == (
        1,
        "status-hook",
        "queued",
    )
    assert hook.requests == []


def test_a_process_killed_while_sending_leaves_a_leased_delivery_for_the_worker(
    project_root: Path, hook: HttpSink
) -> None:
    found = kill_during_declare(project_root, "while-sending")
    [delivery] = found["deliveries"]  # type: ignore[misc]
    assert (delivery["state"], delivery["attempts"]) == ("sending", 1)
    assert delivery["lease_owner"] and delivery["lease_expires_at"]
