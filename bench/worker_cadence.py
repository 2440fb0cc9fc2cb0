"""Cadence at the scale of a real day: N open incidents (one declared, the rest copied in
SQL), one webhook each on the local sink, one worker on SQLite.

- **at once**: every promise set to the same moment, a few seconds after the worker is
  up; the time from that moment to the last automatic update's ``sent_at``.
- **spread out**: ``SPREAD_DUE`` of the promises spread evenly over ``SPREAD`` seconds
  (the others an hour away); each one's lateness (``sent_at`` minus the promise), p99.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bench.harness import Config, Row, median, percentile

LEAD = 3.0
"""Seconds between setting the promises and the first of them."""
SPREAD = 30.0
SPREAD_DUE = 1_500


def _run(count: int, promise_of: Callable[[int, datetime], datetime]) -> list[float]:
    """Lateness (s) of each automatic update of ``count`` incidents whose promises are
    ``promise_of(n, start)`` (n from 1), the worker up before ``start``."""
    from sqlalchemy import func, select, update

    from bench.worker import _declare, _open, _project, _wait_until, _Workers
    from bench.worker_backlog import copy_incident
    from outagecomms.incidents import utcnow
    from outagecomms.sinks import HttpSink
    from outagecomms.store.tables import deliveries, incidents, messages
    from outagecomms.store.tables import workers as workers_table

    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        root = _project(tmp, http.url, 1)
        database_url = f"sqlite:///{Path(tmp) / 'state.db'}"
        _declare(root, database_url, 1, ok=True, cadence=timedelta(hours=1))
        with _open(database_url) as store:
            copy_incident(store, count - 1)
        running = _Workers(root, database_url, 1, "--timeout", "10", "--poll-interval", "0.2")
        try:
            with _open(database_url) as store:

                def up() -> bool:
                    with store.read() as conn:
                        seen = conn.execute(select(func.count()).select_from(workers_table))
                        return bool(seen.scalar_one())

                _wait_until(up, "the worker's first heartbeat")
                start = utcnow() + timedelta(seconds=LEAD)
                promises = {n: promise_of(n, start) for n in range(1, count + 1)}
                with store.write() as conn:
                    for number, moment in promises.items():
                        conn.execute(
                            update(incidents)
                            .where(incidents.c.id == number)
                            .values(next_update_at=moment)
                        )
                due = {n for n, moment in promises.items() if moment < start + timedelta(hours=1)}
                found: dict[int, datetime] = {}

                def sent() -> bool:
                    with store.read() as conn:
                        rows = conn.execute(
                            select(messages.c.incident_id, deliveries.c.sent_at)
                            .join(deliveries, deliveries.c.message_id == messages.c.id)
                            .where(
                                messages.c.origin == "cadence", deliveries.c.sent_at.is_not(None)
                            )
                        ).all()
                    for number, at in rows:
                        found.setdefault(number, at)
                    return due <= found.keys()

                _wait_until(sent, f"an automatic update of each of {len(due)} incidents")
        finally:
            running.stop()
    return [(found[n] - promises[n]).total_seconds() for n in sorted(due)]


def cadence_rows(config: Config) -> list[Row]:
    count = 100 if config.quick else 10_000
    at_once = _run(count, lambda _n, start: start)
    spread_due = 20 if config.quick else SPREAD_DUE
    step = timedelta(seconds=SPREAD / spread_due)
    far = timedelta(hours=1)
    spread = _run(
        count, lambda n, start: start + (n - 1) * step if n <= spread_due else start + far
    )
    note = f"{count:,} open incidents, 1 webhook each, 1 worker, SQLite"
    return [
        Row(
            f"cadence: {count:,} promises due at once, all sent",
            max(at_once),
            "s",
            goal="≤ 15 s",
            note=f"{note}; p50 {median(at_once):.1f} s",
        ),
        Row(
            f"cadence lateness p99, spread out, {count:,} open incidents",
            percentile(spread, 0.99),
            "s",
            goal="≤ 1 s",
            note=f"{note}; {spread_due:,} promises over {SPREAD:g} s, p50 {median(spread):.2f} s",
        ),
    ]
