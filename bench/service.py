"""Service benchmarks: ``outagecomms serve`` as a process on 127.0.0.1.

- **hook to first delivery**: Alertmanager payloads (each its own alert group, so each
  declares an incident) posted one after another to ``/hooks/alertmanager``; for each, the
  time from sending the request to the first channel (a webhook on the local HTTP sink)
  receiving the message, sent by the worker embedded in ``serve``. p50 and p99 over 200
  alerts, with the hook's own answer time beside it.
- **API declare requests/s**: ``POST /api/v1/incidents`` from 8 concurrent clients
  (each declare commits the outbox and makes its first attempt on one webhook channel,
  as the CLI does), against ``outagecomms declare`` run one after another (the CLI
  baseline: 1 / its median wall time). SQLite and PostgreSQL (a throw-away schema).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.harness import BIN, REPO, Config, Row, clean_env, median, percentile, run_timed, skipped
from bench.projects import IMPACT, RUNBOOK, approve_all, new_project, write_channel

OUTAGECOMMS = str(BIN / "outagecomms")
READY = 30.0
CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token(root: Path, database_url: str | None) -> str:
    from outagecomms.incidents import open_project_store
    from outagecomms.project import Project
    from outagecomms.service.tokens import Scope, create_token

    with open_project_store(Project(root), database_url) as store:
        return create_token(store, f"bench-{uuid.uuid4().hex[:6]}", Scope.DECLARE, by="bench").token


@contextmanager
def _serving(root: Path, database_url: str | None, *, worker: bool) -> Iterator[str]:
    import httpx

    port = _free_port()
    argv = [OUTAGECOMMS, "serve", "--port", str(port), "--project", str(root), "--rate-limit", "0"]
    argv.append("--worker" if worker else "--no-worker")
    if database_url:
        argv += ["--database-url", database_url]
    process = subprocess.Popen(
        argv, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"outagecomms serve did not become ready on {url}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def _postgres_schema(server: str | None) -> Iterator[str | None]:
    """A throw-away schema on ``server`` (None: no PostgreSQL, the caller skips)."""
    if not server:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    schema = f"oc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _project(tmp: Path, http_url: str) -> Path:
    root = new_project(tmp / "project")
    write_channel(root, "status-webhook", kind="webhook", url=http_url)
    shutil.copy(REPO / "examples" / "service" / "routes.yaml", root / "routes.yaml")
    approve_all(root)
    return root


def _alert(number: int) -> dict[str, object]:
    payload = json.loads(
        (REPO / "tests" / "fixtures" / "hooks" / "alertmanager-firing.json").read_text("utf-8")
    )
    payload["groupKey"] = f'{{}}:{{alertname="PaymentsFailing", bench="{number}"}}'
    return dict(payload)


def hook_latency(config: Config) -> list[Row]:
    import httpx

    from outagecomms.sinks import HttpSink

    count = 20 if config.quick else 200
    rows: list[Row] = []
    for label, server in (("SQLite", None), ("PostgreSQL", config.postgres_url)):
        with (
            TemporaryDirectory(prefix="oc-bench-") as tmp,
            HttpSink() as http,
            _postgres_schema(server) as pg,
        ):
            if server and pg is None:
                rows.append(skipped(f"hook to first delivery ({label})", "s", "no PostgreSQL"))
                continue
            root = _project(Path(tmp), http.url("/status"))
            headers = {"Authorization": f"Bearer {_token(root, pg)}"}
            latencies: list[float] = []
            answers: list[float] = []
            with _serving(root, pg, worker=True) as url, httpx.Client(timeout=30) as client:
                for number in range(count):
                    body = _alert(number)
                    started = time.monotonic()
                    response = client.post(f"{url}/hooks/alertmanager", json=body, headers=headers)
                    answers.append(time.monotonic() - started)
                    if response.status_code != 202:
                        raise RuntimeError(f"hook answered {response.status_code}: {response.text}")
                    received = http.wait_for(number + 1, path="/status", timeout=60)[number]
                    latencies.append(received.received_at - started)
            note = f"{count} alerts, one after another; worker embedded in serve"
            rows += [
                Row(f"hook to first delivery p50 ({label})", median(latencies), "s",
                    note=note, samples=latencies),
                Row(f"hook to first delivery p99 ({label})", percentile(latencies, 0.99), "s",
                    goal="hook answers < 1 s", note=note),
                Row(f"hook answer p99 ({label})", percentile(answers, 0.99), "s",
                    goal="< 1 s", note="202 once the alert is recorded and in the outbox",
                    samples=answers),
            ]  # fmt: skip
    return rows


def _declare_rate(label: str, server: str | None, total: int, cli_runs: int) -> Row:
    import httpx

    from outagecomms.sinks import HttpSink

    name = f"API declare requests/s ({label})"
    with (
        TemporaryDirectory(prefix="oc-bench-") as tmp,
        HttpSink() as http,
        _postgres_schema(server) as pg,
    ):
        if server and pg is None:
            return skipped(name, "req/s", "no PostgreSQL")
        root = _project(Path(tmp), http.url("/status"))
        headers = {"Authorization": f"Bearer {_token(root, pg)}"}
        argv = [OUTAGECOMMS, "declare", RUNBOOK, "--var", f"impact={IMPACT}",
                "--project", str(root)] + (["--database-url", pg] if pg else [])  # fmt: skip
        run_timed(argv)  # warm-up: caches, .pyc
        cli = [run_timed(argv) for _ in range(cli_runs)]
        body = {"runbook": RUNBOOK, "variables": {"impact": IMPACT}}
        with _serving(root, pg, worker=False) as url, httpx.Client(timeout=60) as client:

            def one(_: int) -> int:
                response = client.post(f"{url}/api/v1/incidents", json=body, headers=headers)
                return response.status_code

            one(0)  # warm-up
            started = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = list(pool.map(one, range(total)))
            elapsed = time.perf_counter() - started
    failed = [s for s in statuses if s != 201]
    if failed:
        raise RuntimeError(f"{len(failed)} declares failed: {sorted(set(failed))}")
    return Row(name, total / elapsed, "req/s", baseline=1 / median(cli),
               baseline_name="outagecomms declare (CLI, one after another)",
               note=f"{total} declares, {CLIENTS} clients, first attempt on 1 webhook")  # fmt: skip


def api_declare_rate(config: Config) -> list[Row]:
    total = 16 if config.quick else 200
    cli_runs = 1 if config.quick else 5
    return [
        _declare_rate(label, server, total, cli_runs)
        for label, server in (("SQLite", None), ("PostgreSQL", config.postgres_url))
    ]


def service(config: Config) -> list[Row]:
    return hook_latency(config) + api_declare_rate(config)
