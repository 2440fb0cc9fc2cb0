"""Subscriber benchmarks (#21 "Scale", #20's subscriber target), ``--only subscribers``:

- **declare to N subscribers**: one message to an ``audience: subscribers`` email channel
  with 1,000 / 10,000 / 100,000 confirmed subscribers (inserted in SQL), in a warm process
  (``Orchestrator.declare``, so the figure is the outbox write, not a process start),
  against the same declare with 1,000; the sizes interleaved run by run, on SQLite and on
  PostgreSQL. A statement counter on the store's engine shows how the deliveries are
  written (statements per declare, rows per ``INSERT INTO deliveries``).
- **show / status** in a fresh process with that incident (100,000 subscriber
  deliveries) against the same with 1,000, interleaved.
- **drain**: 2 ``outagecomms worker`` processes on PostgreSQL send 10,000 subscriber
  emails (100,000 with ``OUTAGECOMMS_BENCH_LARGE=1``) to the local SMTP sink, which runs
  in a process of its own (:func:`outagecomms.testing.smtp_sink.main`): emails / (last
  ``sent_at`` - the workers' first heartbeat), against the target's rate (100,000 in 2
  minutes: 833/s).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.cases import OUTAGECOMMS
from bench.harness import Config, Row, clean_env, interleaved, median, run_timed, skipped
from bench.projects import IMPACT, RUNBOOK, approve_all, new_project, write_channel
from bench.worker import (
    _open,
    _postgres_reachable,
    _postgres_schema,
    _sender,
    _wait_until,
    _Workers,
)

if TYPE_CHECKING:
    from outagecomms.store import Store

CHANNEL = "subscribers-email"
PUBLIC_URL = "https://status.example.com"
CHUNK = 5_000
"""Subscribers inserted a statement."""
DRAIN_RATE = 100_000 / 120.0
"""#20: 2 workers on PostgreSQL drain 100,000 subscriber emails in 2 minutes (833/s)."""
DRAIN_WORKERS = 2
LARGE_REPEAT = 3
"""Timed declares at 100,000 subscribers (each adds 100,000 deliveries to the store)."""


def _sizes(config: Config) -> list[int]:
    return [50, 200] if config.quick else [1_000, 10_000, 100_000]


def _project(root: Path, smtp_port: int) -> Path:
    """A project whose one channel is the subscribers' email on the SMTP sink."""
    new_project(root)
    url = f"mailto://127.0.0.1:{smtp_port}?mode=insecure&from=status@example.com&to={{to}}"
    write_channel(root, CHANNEL, kind="email", audience="subscribers", url=url, language="en")
    (root / "outagecomms.toml").write_text(f'public_url = "{PUBLIC_URL}"\n', encoding="utf-8")
    approve_all(root)
    return root


def add_subscribers(store: Store, count: int) -> None:
    """``count`` confirmed English email subscribers following every component."""
    from outagecomms.store.tables import subscribers

    now = datetime.now(UTC)
    with store.write() as conn:
        for start in range(0, count, CHUNK):
            conn.execute(
                subscribers.insert(),
                [
                    {
                        "address": f"s{n:06d}@example.com", "address_kind": "email",
                        "language": "en", "components": [], "source": "import",
                        "consent_reason": "bench", "created_at": now, "confirmed_at": now,
                        "unsubscribe_token": f"bench-{n:06d}", "updated_at": now,
                    }
                    for n in range(start, min(start + CHUNK, count))
                ],
            )  # fmt: skip


@dataclass
class Statements:
    """What the store's engine executed: statements, and those inserting deliveries."""

    total: int = 0
    deliveries: int = 0
    rows: list[int] = field(default_factory=list)

    def seen(self, statement: str, parameters: Any, executemany: bool) -> None:
        self.total += 1
        if statement.lstrip().upper().startswith("INSERT INTO DELIVERIES"):
            self.deliveries += 1
            self.rows.append(len(parameters) if executemany else 1)


@contextmanager
def counting(store: Store) -> Iterator[Statements]:
    from sqlalchemy import event

    found = Statements()

    def before(
        _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool
    ) -> None:
        found.seen(statement, params, many)

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield found
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


class _Audience:
    """A project and a store with ``size`` subscribers, declared into in a warm process."""

    def __init__(self, tmp: Path, database_url: str, size: int) -> None:
        from outagecomms.incidents import Orchestrator
        from outagecomms.project import Project

        self.size = size
        self.root = _project(tmp / f"project-{size}", 9)  # the worker would send; not here
        self.database_url = database_url
        self.store = _open(database_url)
        add_subscribers(self.store, size)
        self.orchestrator = Orchestrator(Project(self.root), self.store, sender=_sender(True))
        self.incident = ""
        self.statements: list[Statements] = []

    def declare(self) -> float:
        with counting(self.store) as statements:
            started = time.perf_counter()
            report = self.orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
            elapsed = time.perf_counter() - started
        self.incident = report.incident.id
        self.statements.append(statements)
        return elapsed

    def cli(self, *argv: str) -> Callable[[], float]:
        command = [OUTAGECOMMS, *argv, "--project", str(self.root)]
        env = clean_env(OUTAGECOMMS_DATABASE_URL=self.database_url)
        return lambda: run_timed(command, env=env)

    def close(self) -> None:
        self.store.close()


def _declare_rows(backend: str, audiences: list[_Audience], config: Config) -> list[Row]:
    repeat = config.repeat if audiences[-1].size < 100_000 else LARGE_REPEAT
    samples = interleaved([a.declare for a in audiences], repeat, warmup=config.warmup)
    base, smallest = median(samples[0]), audiences[0].size
    rows = []
    for audience, timed in zip(audiences, samples, strict=True):
        first = audience.size == smallest
        last = audience.statements[-1]
        per_row = f"{min(last.rows)}-{max(last.rows)}" if last.rows else "0"
        note = (
            f"{median(timed) / audience.size * 1e6:.0f} µs a subscriber; {last.total} statements, "
            f"deliveries in {last.deliveries} INSERTs of {per_row} rows (executemany)"
        )
        rows.append(
            Row(
                f"declare to {audience.size:,} subscribers, {backend} (outbox write, warm)",
                median(timed), "s",
                baseline=None if first else base,
                baseline_name=None if first else f"the same with {smallest:,}",
                goal=None if first else f"≤ {audience.size // smallest}× (flat a subscriber)",
                note=note, samples=timed,
            )
        )  # fmt: skip
    return rows


def _show_rows(audiences: list[_Audience], config: Config) -> list[Row]:
    small, big = audiences[0], audiences[-1]
    actions = [
        small.cli("show", small.incident, "--json"),
        big.cli("show", big.incident, "--json"),
        small.cli("status", "--json"),
        big.cli("status", "--json"),
    ]
    timed = interleaved(actions, max(1, config.repeat // 2), warmup=config.warmup)
    rows = []
    for name, (small_samples, big_samples) in (("show", timed[0:2]), ("status", timed[2:4])):
        rows.append(
            Row(
                f"{name} with {big.size:,} subscriber deliveries (CLI)",
                median(big_samples), "s",
                baseline=median(small_samples), baseline_name=f"the same with {small.size:,}",
                goal="≈ 1× (counts, no rows)", samples=big_samples,
                note="SQLite; fresh process, --json",
            )
        )  # fmt: skip
    return rows


def declare_and_show(config: Config) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oc-bench-subs-") as tmp:
        audiences = [
            _Audience(Path(tmp), f"sqlite:///{tmp}/state-{size}.db", size)
            for size in _sizes(config)
        ]
        try:
            rows += _declare_rows("SQLite", audiences, config)
            rows += _show_rows(audiences, config)
        finally:
            for audience in audiences:
                audience.close()
    why = _postgres_reachable(config.postgres_url)
    if why is not None or config.postgres_url is None:
        return [*rows, skipped("declare to subscribers, PostgreSQL", "s", why or "no PostgreSQL")]
    with (
        tempfile.TemporaryDirectory(prefix="oc-bench-subs-") as tmp,
        _schemas(config.postgres_url, len(_sizes(config))) as urls,
    ):
        audiences = [
            _Audience(Path(tmp), url, size) for url, size in zip(urls, _sizes(config), strict=True)
        ]
        try:
            rows += _declare_rows("PostgreSQL", audiences, config)
        finally:
            for audience in audiences:
                audience.close()
    return rows


@contextmanager
def _schemas(server: str, count: int) -> Iterator[list[str]]:
    if count == 0:
        yield []
        return
    with _postgres_schema(server) as url, _schemas(server, count - 1) as rest:
        yield [url, *rest]


# --------------------------------------------------------------------------- drain


@contextmanager
def smtp_sink_process() -> Iterator[tuple[int, list[int]]]:
    """The counting SMTP sink in a process of its own: its port, and (after the block)
    [emails, sessions] it received."""
    code = "from outagecomms.testing.smtp_sink import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    counts: list[int] = []
    try:
        yield int(process.stdout.readline()), counts
    finally:
        out, _ = process.communicate(timeout=30)
        counts.extend(int(n) for n in out.split()[:2])


def drain(config: Config) -> list[Row]:
    """2 workers on PostgreSQL drain N subscriber emails (10,000; 100,000 with
    ``OUTAGECOMMS_BENCH_LARGE=1``): emails/s against the target's 100,000 in 2 minutes."""
    name = f"drain {{n:,}} subscriber emails, {DRAIN_WORKERS} workers, PostgreSQL"
    total = 300 if config.quick else 100_000 if config.large else 10_000
    why = _postgres_reachable(config.postgres_url)
    if why is not None or config.postgres_url is None:
        return [skipped(name.format(n=total), "s", why or "no PostgreSQL")]
    from sqlalchemy import func, select

    from outagecomms.incidents import Orchestrator
    from outagecomms.project import Project
    from outagecomms.store.tables import deliveries
    from outagecomms.store.tables import workers as workers_table

    with (
        tempfile.TemporaryDirectory(prefix="oc-bench-drain-") as tmp,
        _postgres_schema(config.postgres_url) as url,
        smtp_sink_process() as (port, received),
    ):
        root = _project(Path(tmp) / "project", port)
        with _open(url) as store:
            add_subscribers(store, total)
            Orchestrator(Project(root), store, sender=_sender(True)).declare(
                RUNBOOK, variables={"impact": IMPACT}
            )
        running = _Workers(root, url, DRAIN_WORKERS, "--timeout", "10")
        try:
            with _open(url) as store:

                def done() -> bool:
                    with store.read() as conn:
                        sent = conn.execute(
                            select(func.count()).where(deliveries.c.state == "sent")
                        ).scalar_one()
                    return bool(sent >= total)

                _wait_until(done, f"{total} subscriber emails sent", timeout=900)
                with store.read() as conn:
                    first = conn.execute(select(func.min(workers_table.c.started_at))).scalar()
                    last = conn.execute(select(func.max(deliveries.c.sent_at))).scalar()
        finally:
            running.stop()
    if first is None or last is None:
        raise RuntimeError("no worker heartbeat or no sent delivery")
    seconds = (last - first).total_seconds()
    emails, sessions = [*received, 0, 0][:2]
    rate = total / max(seconds, 1e-3)
    return [
        Row(
            name.format(n=total), rate, "emails/s",
            baseline=DRAIN_RATE, baseline_name="the target: 100,000 in 2 minutes", goal="≥ 1×",
            note=(
                f"{seconds:.1f} s; 100,000 at this rate: {100_000 / rate:.0f} s; the sink "
                f"(own process) took {emails:,} in {sessions:,} SMTP sessions"
            ),
        )
    ]  # fmt: skip


def subscribers(config: Config) -> list[Row]:
    return [*declare_and_show(config), *drain(config)]
