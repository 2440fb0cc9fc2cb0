"""Worker benchmarks: throughput, cadence lateness, memory (need ``outagecomms.worker``)."""

from __future__ import annotations

import importlib.util

from bench.harness import Config, Row, skipped


def worker_available() -> bool:
    return importlib.util.find_spec("outagecomms.worker") is not None


def worker(config: Config) -> list[Row]:
    # The worker landed after this harness was written: its benchmarks are still to do.
    why = (
        "outagecomms.worker does not exist yet"
        if not worker_available()
        else "worker benchmarks not written yet (see docs/benchmarks.md)"
    )
    return [
        skipped("worker throughput, SQLite, 1 worker", "deliveries/s", why),
        skipped("worker throughput, PostgreSQL, 1 worker", "deliveries/s", why),
        skipped("worker throughput, PostgreSQL, 2 workers", "deliveries/s", why),
        skipped(f"cadence lateness p50, {config.open_incidents} open incidents", "s", why),
        skipped(f"cadence lateness p99, {config.open_incidents} open incidents", "s", why),
        skipped(f"worker memory, {config.memory_incidents} open incidents", "MiB", why),
    ]
