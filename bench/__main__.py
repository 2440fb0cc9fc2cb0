"""``python -m bench`` (``make bench``): outagecomms side by side with apprise.

Prints one table and writes every row, with the machine, to ``bench/results/latest.json``.
``--quick`` is a smoke run (few repetitions, small inputs; its numbers mean little).
``--only NAME`` runs some benchmarks (repeatable): startup, declare, declare-kinds, fanout,
lint, status, site, lint-quality, worker, cadence (the two cadence-at-scale rows of worker
alone), service, subscribers. ``OUTAGECOMMS_BENCH_LARGE=1`` adds the big sizes
(10,000 incidents' status and site declare, 10,000 and 100,000 due deliveries).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import REPO, Benchmark, Config, Row, load_average, machine, render_table


def benchmarks() -> dict[str, Benchmark]:
    from bench import cases, lint_quality, service, site, subscribers, worker, worker_cadence

    return {
        "startup": cases.startup,
        "declare": cases.declare_webhooks,
        "declare-kinds": cases.declare_vs_apprise,
        "fanout": cases.fanout,
        "lint": cases.lint,
        "status": cases.status,
        "site": site.site,
        "lint-quality": lint_quality.rows,
        "worker": worker.worker,
        "cadence": worker_cadence.cadence_rows,
        "service": service.service,
        "subscribers": subscribers.subscribers,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "results" / "latest.json",
        help="where the JSON results go (default: bench/results/latest.json)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OUTAGECOMMS_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/"),
        help="the PostgreSQL server for the worker benchmarks (a throw-away schema is used)",
    )
    args = parser.parse_args(argv)
    config = Config.make(quick=args.quick, postgres_url=args.postgres_url or None)
    chosen = benchmarks()
    unknown = [name for name in args.only if name not in chosen]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(chosen)}")
    if args.only:
        chosen = {name: chosen[name] for name in args.only}

    from rich.console import Console

    from outagecomms import logs

    logs.configure(log_format="console", level="warning")  # the in-process sends log at info
    out = Console(stderr=True)
    rows: list[Row] = []
    failures: list[str] = []
    started = time.perf_counter()
    load_at_start = load_average()
    for name, benchmark in chosen.items():
        load = load_average()
        out.print(f"[dim]running {name} (load average {load})…[/dim]")
        try:
            rows.extend(replace(row, load=load) for row in benchmark(config))
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            failures.append(name)
            rows.append(Row(name, None, "", note=f"failed: {type(exc).__name__}: {exc}", load=load))
    elapsed = time.perf_counter() - started

    info = machine()
    title = (
        f"outagecomms benchmarks{' (--quick)' if config.quick else ''} — "
        f"{info['cores']} cores, {info['cpu']}, Python {info['python']}, "
        f"apprise {info['apprise']}; load average at start {load_at_start}"
    )
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    console.print(render_table(rows, title))
    document = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench" + (" --quick" if config.quick else ""),
        "quick": config.quick,
        "machine": info,
        "load_average_at_start": load_at_start,
        "seconds": round(elapsed, 1),
        "rows": [row.as_json() for row in rows],
        "failed": failures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    out.print(f"[dim]results: {args.out} ({elapsed:.0f} s)[/dim]")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
