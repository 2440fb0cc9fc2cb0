"""Status-page benchmarks (``--only site``): what a ``site`` channel adds as the store grows.

- **declare with a site channel**: ``outagecomms declare`` in a fresh process to one
  webhook on the local HTTP sink plus a ``site`` channel, against the same declare without
  the site channel, with 100, 1,000 and (``OUTAGECOMMS_BENCH_LARGE=1``) 10,000 past
  incidents in each store (resolved copies of one real incident, messages and deliveries
  included, spread over three years, made in SQL); the two interleaved run by run, the site
  built once beforehand as it would have been. Target ≤ 1.2×.
- **worker with a site channel**: ``outagecomms worker --once`` sending 50 due automatic
  updates (open incidents whose promise is past) with 1,000 past incidents, against the
  same without the site channel.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import Config, Row, clean_env, interleaved, median, run_timed
from bench.projects import IMPACT, RUNBOOK, approve_all, new_project, write_channel

OUTAGECOMMS_CLI = "outagecomms"
SPREAD = timedelta(days=3 * 365)
"""How far back the past incidents reach (history pages for three years of months)."""


def _cli() -> str:
    from bench.harness import BIN

    return str(BIN / OUTAGECOMMS_CLI)


def _project(root: Path, hook: str, *, site: bool) -> Path:
    new_project(root)
    write_channel(root, "hook", kind="webhook", url=hook)
    if site:
        write_channel(root, "status-page", kind="site", url="public")
    approve_all(root)
    return root


def _database(root: Path) -> str:
    return f"sqlite:///{root / '.outagecomms' / 'state.db'}"


def _seed(root: Path) -> None:
    """INC-1 declared and resolved for real (its messages and deliveries are the ones the
    past incidents copy)."""
    from outagecomms.incidents import Orchestrator
    from outagecomms.project import Project
    from outagecomms.store import open_store

    with open_store(_database(root)) as store:
        orchestrator = Orchestrator(Project(root), store, actor="bench")
        orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
        orchestrator.resolve("INC-1")


def past_incidents(database_url: str, copies: int) -> None:
    """``copies`` more resolved incidents, each a copy of INC-1 with its messages and
    deliveries, moved back in time evenly over :data:`SPREAD`."""
    from sqlalchemy import func, insert, select

    from outagecomms.store import open_store
    from outagecomms.store.tables import deliveries, incidents, messages

    if copies <= 0:
        return
    with open_store(database_url) as store, store.write() as conn:
        incident = dict(conn.execute(select(incidents).where(incidents.c.id == 1)).mappings().one())
        sent = [
            dict(m)
            for m in conn.execute(select(messages).where(messages.c.incident_id == 1)).mappings()
        ]
        ids = [m["id"] for m in sent]
        carried = [
            dict(d)
            for d in conn.execute(
                select(deliveries).where(deliveries.c.message_id.in_(ids))
            ).mappings()
        ]
        next_incident = conn.execute(select(func.max(incidents.c.id))).scalar_one() + 1
        next_message = conn.execute(select(func.max(messages.c.id))).scalar_one() + 1
        next_delivery = conn.execute(select(func.max(deliveries.c.id))).scalar_one() + 1
        for start in range(0, copies, 500):
            rows: dict[str, list[dict[str, Any]]] = {"i": [], "m": [], "d": []}
            for index in range(start, min(copies, start + 500)):
                back = timedelta(days=30) + SPREAD * (index / copies)
                number = next_incident + index
                rows["i"].append(
                    _moved(incident, back, id=number, dedupe_key=None, open_dedupe_key=None)
                )
                renumbered: dict[int, int] = {}
                for message in sent:
                    renumbered[message["id"]] = next_message
                    rows["m"].append(_moved(message, back, id=next_message, incident_id=number))
                    next_message += 1
                for delivery in carried:
                    rows["d"].append(_moved(delivery, back, id=next_delivery,
                                            message_id=renumbered[delivery["message_id"]],
                                            idempotency_key=f"bench-{next_delivery}"))  # fmt: skip
                    next_delivery += 1
            conn.execute(insert(incidents), rows["i"])
            conn.execute(insert(messages), rows["m"])
            conn.execute(insert(deliveries), rows["d"])


def _moved(row: dict[str, Any], back: timedelta, **changes: Any) -> dict[str, Any]:
    """``row`` with every time ``back`` earlier and ``changes`` applied."""
    moved = {k: (v - back if isinstance(v, datetime) else v) for k, v in row.items()}
    return {**moved, **changes}


def _due_now(database_url: str, open_incidents: int) -> None:
    """``open_incidents`` open incidents (copies of the newest open one) whose promised
    update is a minute past."""
    from sqlalchemy import func, insert, select, update

    from outagecomms.store import open_store
    from outagecomms.store.incidents_repo import INCIDENT_COLUMNS
    from outagecomms.store.tables import incidents

    with open_store(database_url) as store, store.write() as conn:
        is_open = incidents.c.status == "open"
        found = conn.execute(select(func.count()).where(is_open)).scalar_one()
        if found < open_incidents:
            newest = conn.execute(select(func.max(incidents.c.id)).where(is_open)).scalar_one()
            row = dict(
                conn.execute(select(*INCIDENT_COLUMNS).where(incidents.c.id == newest))
                .mappings()
                .one()
            )
            del row["id"]
            row.update(dedupe_key=None, open_dedupe_key=None)
            conn.execute(insert(incidents), [row] * (open_incidents - found))
        past = datetime.now(UTC) - timedelta(minutes=1)
        conn.execute(update(incidents).where(is_open).values(next_update_at=past))


def declare_with_site(config: Config) -> list[Row]:
    from outagecomms.sinks import HttpSink

    sizes = [10, 100] if config.quick else [100, 1_000, *([10_000] if config.large else [])]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        roots = [_project(Path(tmp) / name, http.url("/hook"), site=name == "site")
                 for name in ("plain", "site")]  # fmt: skip
        for root in roots:
            _seed(root)
        env = clean_env()
        argvs = [[_cli(), "declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", str(root),
                  "--timeout", "5"] for root in roots]  # fmt: skip
        stored = 1
        for size in sizes:
            for root in roots:
                past_incidents(_database(root), size - stored)
            stored = size
            run_timed([_cli(), "site", "build", "--out", str(roots[1] / "public"),
                       "--project", str(roots[1])], env=env, timeout=1800)  # fmt: skip
            plain, with_site = interleaved(
                [lambda argv=argv: run_timed(argv, env=env) for argv in argvs],
                config.repeat,
                warmup=config.warmup,
            )
            rows.append(
                Row(
                    f"declare with a site channel, {size:,} past incidents (CLI)",
                    median(with_site),
                    "s",
                    baseline=median(plain),
                    baseline_name="the same declare without the site channel",
                    goal="≤ 1.2×",
                    samples=with_site,
                )
            )
    return rows


def worker_with_site(config: Config) -> list[Row]:
    from outagecomms.sinks import HttpSink

    past, due = (10, 5) if config.quick else (1_000, 50)
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        roots = [_project(Path(tmp) / name, http.url("/hook"), site=name == "site")
                 for name in ("plain", "site")]  # fmt: skip
        env = clean_env()
        for root in roots:
            _seed(root)
            past_incidents(_database(root), past - 1)
            run_timed([_cli(), "declare", RUNBOOK, "--var", f"impact={IMPACT}",
                       "--project", str(root)], env=env)  # fmt: skip
        run_timed([_cli(), "site", "build", "--out", str(roots[1] / "public"),
                   "--project", str(roots[1])], env=env, timeout=1800)  # fmt: skip

        def once(root: Path) -> float:
            _due_now(_database(root), due)
            return run_timed([_cli(), "worker", "--once", "--project", str(root)], env=env,
                             timeout=1800)  # fmt: skip

        plain, with_site = interleaved(
            [lambda root=root: once(root) for root in roots],
            max(1, config.repeat // 2),
            warmup=0,
        )
    return [
        Row(
            f"worker --once: {due} due updates with a site channel, {past:,} past incidents",
            median(with_site),
            "s",
            baseline=median(plain),
            baseline_name="the same without the site channel",
            goal="(was 115 s)",
            samples=with_site,
        )
    ]


def site(config: Config) -> list[Row]:
    return [*declare_with_site(config), *worker_with_site(config)]
