"""Worker benchmarks: throughput, cadence lateness, memory.

- **throughput**: a backlog of due deliveries (first attempts failed, retries due now) to
  webhook channels on the local HTTP sink, sent by 1 or 2 ``outagecomms worker`` processes;
  deliveries / (last ``sent_at`` - the workers' first heartbeat), so process start-up is
  not counted. One row per backlog (1,000 and 10,000 due; 100,000 with
  ``OUTAGECOMMS_BENCH_LARGE=1``; incidents copied in SQL, :mod:`bench.worker_backlog`) on
  SQLite and PostgreSQL (a throw-away schema), 2 workers on PostgreSQL at the biggest, and a
  200 ms provider against the bound its concurrency sets.
- **cadence at scale** (:mod:`bench.worker_cadence`): 10,000 open incidents, promises all
  at once or spread out.
- **cadence lateness**: N open incidents with a short cadence and one worker; for every
  automatic update promised after the worker came up, its delivery's ``sent_at`` minus
  the promise (``next_update_at`` of the message before). p50 and p99.
- **memory**: peak RSS (``VmHWM``) of a running ``outagecomms worker`` after its first step
  (step and wake-up computed) with M open incidents, against the same with one.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.harness import Config, Row, clean_env, median, percentile, skipped
from bench.projects import IMPACT, RUNBOOK, approve_all, new_project, write_channel
from bench.worker_cadence import cadence_rows

if TYPE_CHECKING:
    from outagecomms.store import Store

CLI = "from outagecomms.cli import main; main()"
_OPENING = threading.Lock()
"""Stores are opened (and migrated) one at a time (Alembic is not made for threads)."""
WAIT = 600.0
"""The longest any benchmark waits for the store to reach its end state."""


def worker_available() -> bool:
    return importlib.util.find_spec("outagecomms.worker") is not None


def _sender(ok: bool) -> Callable[..., list[Any]]:
    """A stand-in sender for setting up (no network): every send succeeds or fails."""
    from outagecomms.delivery import Outcome, Outgoing

    def send(
        items: Sequence[Outgoing],
        *,
        concurrency: int = 16,
        timeout: float = 10.0,
        environ: Mapping[str, str] | None = None,
    ) -> list[Outcome]:
        error = None if ok else "bench: not sent yet"
        return [Outcome(item.key, ok, error, 0.0) for item in items]

    return send


@contextmanager
def _postgres_schema(server: str) -> Iterator[str]:
    """A fresh schema on the server (dropped after): the URL whose search_path is it."""
    from sqlalchemy import create_engine, text

    schema = f"oc_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1),
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in server else "?"
        yield f"{server}{separator}options=-csearch_path%3D{schema}"
    finally:
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()


def _open(database_url: str) -> Store:
    from outagecomms.store import open_store

    with _OPENING:
        return open_store(database_url)


def _postgres_reachable(server: str | None) -> str | None:
    """None when the server answers, else why not."""
    if not server:
        return "no --postgres-url"
    try:
        with _postgres_schema(server):
            return None
    except Exception as exc:  # any failure to connect means "not run"
        return f"no PostgreSQL at {server.split('@')[-1]} ({type(exc).__name__})"


class _Workers:
    """``outagecomms worker`` processes on one project and database (SIGTERM at exit)."""

    def __init__(self, root: Path, database_url: str, count: int, *options: str) -> None:
        argv = ["worker", "--project", str(root), "--database-url", database_url, *options]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", CLI, *argv],
                env=clean_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(count)
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:  # a worker stops after its step: with 1,000 incidents that takes a while
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()  # measured already: its number stands
                process.wait(timeout=10)
                continue
            if process.returncode not in (0, -signal.SIGTERM):
                raise RuntimeError(f"a worker exited {process.returncode}")


def _wait_until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.05)


def _project(tmp: str, http_url: Callable[[str], str], channels: int) -> Path:
    root = new_project(Path(tmp) / "project")
    for index in range(channels):
        write_channel(root, f"hook-{index:02d}", kind="webhook", url=http_url(f"/c{index:02d}"))
    approve_all(root)
    return root


def _declare(
    root: Path,
    database_url: str,
    count: int,
    *,
    ok: bool,
    clock: Callable[[], datetime] | None = None,
    cadence: timedelta | None = None,
) -> None:
    from outagecomms.incidents import Orchestrator, utcnow
    from outagecomms.project import Project

    with _open(database_url) as store:
        orchestrator = Orchestrator(Project(root), store, clock=clock or utcnow, sender=_sender(ok))
        for _ in range(count):
            orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, cadence=cadence)


# --------------------------------------------------------------------------- throughput


CHANNELS = 5
"""Webhooks per incident in the throughput backlogs."""
SLOW = 0.2
"""Seconds the slow provider takes to answer."""
SLOW_CONCURRENCY = 50


def _throughput(
    database_url: str,
    workers: int,
    due: int,
    *,
    channels: int = CHANNELS,
    delay: float = 0.0,
    concurrency: int | None = None,
) -> float:
    """Deliveries per second of ``workers`` processes draining ``due`` due deliveries (one
    declared incident to ``channels`` webhooks, copied in SQL), the sink answering each
    after ``delay`` seconds."""
    from sqlalchemy import func, select

    from bench.worker_backlog import copy_incident
    from outagecomms.incidents import utcnow
    from outagecomms.sinks import HttpSink
    from outagecomms.store.tables import deliveries
    from outagecomms.store.tables import workers as workers_table

    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        root = _project(tmp, http.url, channels)
        for index in range(channels):
            http.behave(f"/c{index:02d}", delay=delay)
        long_ago = utcnow() - timedelta(minutes=10)  # every retry is due at once
        _declare(root, database_url, 1, ok=False, clock=lambda: long_ago)
        with _open(database_url) as store:
            copy_incident(store, due // channels - 1)
        total = (due // channels) * channels
        options = ["--timeout", "10"]
        if concurrency is not None:
            options += ["--concurrency", str(concurrency)]
        running = _Workers(root, database_url, workers, *options)
        try:
            with _open(database_url) as store:

                def done() -> bool:
                    with store.read() as conn:
                        sent = conn.execute(
                            select(func.count()).where(deliveries.c.state == "sent")
                        ).scalar_one()
                    return bool(sent >= total)

                _wait_until(done, f"{total} deliveries sent")
                with store.read() as conn:
                    first = conn.execute(select(func.min(workers_table.c.started_at))).scalar()
                    last = conn.execute(select(func.max(deliveries.c.sent_at))).scalar()
        finally:
            running.stop()
    if first is None or last is None:
        raise RuntimeError("no worker heartbeat or no sent delivery")
    return total / max((last - first).total_seconds(), 1e-3)


def _sizes(config: Config) -> list[int]:
    """The backlogs (due deliveries) of the throughput rows."""
    if config.quick:
        return [50]
    return [1_000, 10_000, 100_000] if config.large else [1_000, 10_000]


def _size_rows(name: str, rates: Sequence[tuple[int, float]], note: str) -> list[Row]:
    """One row per backlog size; the bigger ones against the smallest (flat: ≈ 1×)."""
    smallest, base = rates[0]
    return [
        Row(
            f"{name}, {due:,} due",
            rate,
            "deliveries/s",
            baseline=None if due == smallest else base,
            baseline_name=None if due == smallest else f"the same with {smallest:,} due",
            goal="≥ 1,000/s" if due == smallest else "≥ 1,000/s, ≈ 1× (flat)",
            note=note,
        )
        for due, rate in rates
    ]


def throughput_sqlite(config: Config) -> list[Row]:
    rates = []
    for due in _sizes(config):
        with tempfile.TemporaryDirectory(prefix="oc-bench-db-") as tmp:
            rates.append((due, _throughput(f"sqlite:///{tmp}/state.db", 1, due)))
    note = f"{CHANNELS} webhooks on the local sink; incidents copied in SQL"
    return _size_rows("worker throughput, SQLite, 1 worker", rates, note)


def throughput_postgres(config: Config) -> list[Row]:
    name = "worker throughput, PostgreSQL"
    why = _postgres_reachable(config.postgres_url)
    if why is not None or config.postgres_url is None:
        return [skipped(name, "deliveries/s", why or "no PostgreSQL")]
    if config.quick:
        return [skipped(name, "deliveries/s", "full run only")]
    rates = []
    for due in _sizes(config):
        with _postgres_schema(config.postgres_url) as url:
            rates.append((due, _throughput(url, 1, due)))
    note = f"{CHANNELS} webhooks; a throw-away schema"
    rows = _size_rows(f"{name}, 1 worker", rates, note)
    due, one = rates[-1]
    with _postgres_schema(config.postgres_url) as url:
        two = _throughput(url, 2, due)
    rows.append(
        Row(f"{name}, 2 workers, {due:,} due", two, "deliveries/s", baseline=one,
            baseline_name="1 worker, same backlog", note="two workers on 2 cores")
    )  # fmt: skip
    return rows


def throughput_slow(config: Config) -> list[Row]:
    """A 200 ms provider: the rate against the bound the concurrency sets."""
    due = 100 if config.quick else 2_000
    bound = SLOW_CONCURRENCY / SLOW
    with tempfile.TemporaryDirectory(prefix="oc-bench-db-") as tmp:
        rate = _throughput(
            f"sqlite:///{tmp}/state.db", 1, due, delay=SLOW, concurrency=SLOW_CONCURRENCY
        )
    return [
        Row(
            f"worker throughput, {int(SLOW * 1000)} ms provider, concurrency {SLOW_CONCURRENCY}",
            rate,
            "deliveries/s",
            baseline=bound,
            baseline_name=f"the bound: {SLOW_CONCURRENCY} / {SLOW:g} s",
            goal="≈ 1× (bound by concurrency, not batches)",
            note=f"{due:,} due, SQLite, 1 worker",
        )
    ]


# --------------------------------------------------------------------------- lateness


def lateness(config: Config) -> list[Row]:
    from sqlalchemy import func, select

    from outagecomms.sinks import HttpSink
    from outagecomms.store.tables import deliveries, messages
    from outagecomms.store.tables import workers as workers_table

    count = config.open_incidents
    cadence = timedelta(seconds=1 if config.quick else 120)
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        root = _project(tmp, http.url, 1)
        database_url = f"sqlite:///{Path(tmp) / 'state.db'}"
        _declare(root, database_url, count, ok=True, cadence=cadence)
        running = _Workers(root, database_url, 1, "--timeout", "10", "--poll-interval", "0.2")
        try:
            with _open(database_url) as store:

                def samples() -> list[float] | None:
                    with store.read() as conn:
                        up = conn.execute(select(func.min(workers_table.c.started_at))).scalar()
                        rows = conn.execute(
                            select(
                                messages.c.incident_id,
                                messages.c.seq,
                                messages.c.next_update_at,
                                deliveries.c.sent_at,
                            )
                            .join(deliveries, deliveries.c.message_id == messages.c.id)
                            .order_by(messages.c.incident_id, messages.c.seq)
                        ).all()
                    if up is None:
                        return None
                    late: dict[int, float] = {}
                    promised: dict[int, datetime | None] = {}
                    for incident, _seq, next_at, sent_at in rows:
                        promise = promised.get(incident)
                        if promise is not None and promise >= up and sent_at is not None:
                            late.setdefault(incident, (sent_at - promise).total_seconds())
                        promised[incident] = next_at
                    return list(late.values()) if len(late) >= count else None

                found: list[list[float]] = []

                def complete() -> bool:
                    result = samples()
                    if result is not None:
                        found.append(result)
                    return result is not None

                _wait_until(complete, f"an automatic update of each of {count} incidents")
        finally:
            running.stop()
    lates = found[-1]
    note = f"cadence {int(cadence.total_seconds())} s, 1 worker, SQLite, 1 webhook each"
    return [
        Row(
            f"cadence lateness p50, {count} open incidents",
            median(lates),
            "s",
            note=note,
            samples=sorted(lates),
        ),
        Row(
            f"cadence lateness p99, {count} open incidents", percentile(lates, 0.99), "s", note=note
        ),
    ]


# --------------------------------------------------------------------------- memory


def _idle_worker_rss_mib(root: Path, database_url: str) -> float:
    """Peak RSS (``VmHWM``) of a long-running ``outagecomms worker`` once it has done its
    first step and gone to sleep: its CPU time has stood still for a second."""
    running = _Workers(root, database_url, 1)
    [process] = running.processes
    try:

        def cpu_ticks() -> int:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime

        def idle() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited {process.returncode}")
            before = cpu_ticks()
            time.sleep(1.0)
            return cpu_ticks() == before

        time.sleep(1.0)
        _wait_until(idle, "the worker to finish its first step")
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
        raise RuntimeError("no VmHWM in /proc/PID/status")
    finally:
        running.stop()


def copy_incidents(database_url: str, copies: int) -> None:
    """Open ``copies`` more incidents as copies of the first one's row (declaring 10,000
    one by one, rendering and checking every message, takes most of an hour)."""
    from sqlalchemy import insert, select

    from outagecomms.store.tables import incidents

    if copies <= 0:
        return
    with _open(database_url) as store, store.write() as conn:
        row = dict(conn.execute(select(incidents).where(incidents.c.id == 1)).mappings().one())
        del row["id"]
        for start in range(0, copies, 1000):
            conn.execute(insert(incidents), [row] * min(1000, copies - start))


def memory(config: Config) -> list[Row]:
    count = config.memory_incidents
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp:
        root = _project(tmp, lambda path: f"json://127.0.0.1:9/{path.lstrip('/')}", 1)
        database_url = f"sqlite:///{Path(tmp) / 'state.db'}"
        _declare(root, database_url, 1, ok=True)  # its promise is an hour away: nothing due
        one = _idle_worker_rss_mib(root, database_url)
        copy_incidents(database_url, count - 1)
        loaded = _idle_worker_rss_mib(root, database_url)
    return [
        Row(
            f"worker memory, {count} open incidents",
            loaded,
            "MiB",
            baseline=one,
            baseline_name="the same worker with 1 open incident",
            note="peak RSS of a running `worker` after its first step (SQLite; "
            "incidents copied in SQL, none due)",
        )
    ]


def worker(config: Config) -> list[Row]:
    """Every worker row; ``--quick`` keeps to SQLite throughput and lateness (a few process
    start-ups, which dominate its numbers anyway) and skips the others."""
    if not worker_available():
        return [skipped("worker benchmarks", "", "outagecomms.worker does not exist yet")]
    rows = throughput_sqlite(config)
    rows.extend(throughput_postgres(config))
    rows.extend(throughput_slow(config))
    rows.extend(lateness(config))
    rows.extend(cadence_rows(config))
    if config.quick:
        name = f"worker memory, {config.memory_incidents} open incidents"
        rows.append(skipped(name, "MiB", "full run only"))
    else:
        rows.extend(memory(config))
    return rows
