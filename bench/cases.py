"""The benchmarks that need no worker: start-up, declare against apprise, fan-out, lint."""

from __future__ import annotations

import itertools
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import (
    BIN,
    Config,
    Row,
    clean_env,
    interleaved,
    median,
    run_parallel,
    run_timed,
    time_repeated,
)
from bench.projects import (
    IMPACT,
    RUNBOOK,
    approve_all,
    generated_runbooks,
    new_project,
    shipped_runbooks,
    write_channel,
)

OUTAGECOMMS = str(BIN / "outagecomms")
APPRISE = str(BIN / "apprise")
APPRISE_FLAGS = ("--storage-mode", "memory")
"""No persistent cache written under the user's home by the baseline."""
FANOUT_DELAY = 0.2
FANOUT_CHANNELS = 20


def startup(config: Config) -> list[Row]:
    """``outagecomms --help`` against ``apprise --version``: interpreter plus imports."""
    ours = time_repeated(
        lambda: run_timed([OUTAGECOMMS, "--help"]), config.repeat, warmup=config.warmup
    )
    theirs = time_repeated(
        lambda: run_timed([APPRISE, "--version"]), config.repeat, warmup=config.warmup
    )
    return [
        Row(
            "CLI start-up: outagecomms --help",
            median(ours),
            "s",
            baseline=median(theirs),
            baseline_name="apprise --version",
            goal="≤ 1× apprise (lazy imports)",
            samples=ours,
        )
    ]


def _five_channels(root: Path, smtp_url: str, http_url: Any) -> dict[str, str]:
    """Email on the SMTP sink and four HTTP channels (a webhook, X, Mastodon, internal
    Slack); returns each channel's apprise URL."""
    urls = {
        "customers-email": smtp_url,
        "status-webhook": http_url("/status"),
        "x-status": http_url("/x"),
        "mastodon-status": http_url("/mastodon"),
        "team-slack": http_url("/slack"),
    }
    kinds = {"customers-email": "email", "status-webhook": "webhook", "x-status": "x",
             "mastodon-status": "mastodon", "team-slack": "slack"}  # fmt: skip
    for name, url in urls.items():
        audience = "internal" if name == "team-slack" else "customers"
        write_channel(root, name, kind=kinds[name], url=url, audience=audience)
    return urls


def declare_vs_apprise(config: Config) -> list[Row]:
    """``outagecomms declare`` (approved runbook, SQLite outbox, five local channels of five
    kinds) against the raw ``apprise`` CLI sending the same five messages."""
    from outagecomms.sinks import HttpSink, SmtpSink

    with (
        tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp,
        SmtpSink() as smtp,
        HttpSink() as http,
    ):
        root = new_project(Path(tmp) / "project")
        urls = _five_channels(root, smtp.url(to="customers@example.com"), http.url)
        names = list(urls)
        approve_all(root)
        env = clean_env()
        argv = [OUTAGECOMMS, "declare", RUNBOOK, "--var", f"impact={IMPACT}",
                "--project", str(root), "--timeout", "5"]  # fmt: skip

        # The first declare creates and migrates the database (untimed unless --quick).
        ours = time_repeated(lambda: run_timed(argv, env=env), config.repeat, warmup=config.warmup)
        shown = subprocess.run(
            [OUTAGECOMMS, "show", "INC-1", "--json", "--project", str(root)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        delivered = json.loads(shown.stdout)["timeline"][0]["deliveries"]
        messages = {d["channel"]: (d["title"], d["body"]) for d in delivered}
        if sorted(messages) != sorted(names) or any(d["state"] != "sent" for d in delivered):
            raise RuntimeError(f"the warm-up declare did not reach every channel: {delivered}")

        def one_apprise_per_channel() -> float:
            """Five apprise calls at once, each with its channel's own text (a script
            that wants the same result as fast as it can)."""
            return run_parallel(
                [[APPRISE, *APPRISE_FLAGS, "-t", messages[n][0] or "", "-b", messages[n][1],
                  urls[n]] for n in names]
            )  # fmt: skip

        def one_apprise_for_all() -> float:
            title, body = messages["status-webhook"]
            return run_timed(
                [APPRISE, *APPRISE_FLAGS, "-t", title or "", "-b", body, *urls.values()]
            )

        each = time_repeated(one_apprise_per_channel, config.repeat, warmup=config.warmup)
        single = time_repeated(one_apprise_for_all, config.repeat, warmup=config.warmup)

        # The same declare in a warm process: what the outbox and fan-out cost without
        # the interpreter's start-up and imports.
        from outagecomms.incidents import Orchestrator
        from outagecomms.project import Project

        with Orchestrator.open(Project(root), timeout=5) as orchestrator:

            def in_process() -> float:
                started = time.perf_counter()
                report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
                elapsed = time.perf_counter() - started
                if report.failed:
                    raise RuntimeError(f"in-process declare failed: {report.as_json()}")
                return elapsed

            warm = time_repeated(in_process, config.repeat, warmup=1)

    goal = "≤ 1× apprise"
    return [
        Row(
            "declare, 5 channels, durable (CLI)",
            median(ours),
            "s",
            baseline=median(each),
            baseline_name="apprise CLI ×5 in parallel (one per channel, its own text)",
            goal=goal,
            samples=ours,
        ),
        Row(
            "declare, 5 channels, durable (CLI)",
            median(ours),
            "s",
            baseline=median(single),
            baseline_name="apprise CLI ×1 (one text to all five URLs)",
            goal=goal,
            samples=single,
        ),
        Row(
            "declare, 5 channels, durable (in-process, warm)",
            median(warm),
            "s",
            baseline=median(single),
            baseline_name="apprise CLI ×1",
            note="Orchestrator.declare without interpreter start-up",
            samples=warm,
        ),
    ]


def declare_webhooks(config: Config) -> list[Row]:
    """``outagecomms declare`` to five webhook channels on the local HTTP sink in a fresh
    process, against one ``apprise`` call sending one text to the same five URLs and five
    ``apprise`` calls in parallel (one per URL); the three interleaved, run after run."""
    from outagecomms.sinks import HttpSink

    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        root = new_project(Path(tmp) / "project")
        urls = [http.url(f"/hook-{index}") for index in range(5)]
        for index, url in enumerate(urls):
            write_channel(root, f"hook-{index}", kind="webhook", url=url)
        approve_all(root)
        env = clean_env()
        argv = [OUTAGECOMMS, "declare", RUNBOOK, "--var", f"impact={IMPACT}",
                "--project", str(root), "--timeout", "5"]  # fmt: skip
        run_timed(argv, env=env)  # creates and migrates the database, writes .pyc files
        shown = subprocess.run(
            [OUTAGECOMMS, "show", "INC-1", "--json", "--project", str(root)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        first = json.loads(shown.stdout)["timeline"][0]["deliveries"][0]
        title, body = first["title"] or "", first["body"]
        one = [APPRISE, *APPRISE_FLAGS, "-t", title, "-b", body]
        ours, single, parallel = interleaved(
            [
                lambda: run_timed(argv, env=env),
                lambda: run_timed([*one, *urls], env=env),
                lambda: run_parallel([[*one, url] for url in urls], env=env),
            ],
            config.repeat,
            warmup=config.warmup,
        )
    name = "declare, 5 webhooks, fresh process (CLI)"
    return [
        Row(
            name,
            median(ours),
            "s",
            baseline=median(single),
            baseline_name="apprise CLI ×1 (one text to the same five URLs)",
            goal="≤ 1.0×",
            samples=ours,
        ),
        Row(
            name,
            median(ours),
            "s",
            baseline=median(parallel),
            baseline_name="apprise CLI ×5 in parallel (one per URL)",
            goal="≤ 1.0×",
            samples=parallel,
        ),
    ]


def fanout(config: Config) -> list[Row]:
    """20 channels on a sink that answers after 200 ms: wall time of the first attempts
    against the 200 ms floor, at the default concurrency and with one thread per channel."""
    from outagecomms.delivery import DEFAULT_CONCURRENCY
    from outagecomms.incidents import Orchestrator
    from outagecomms.project import Project
    from outagecomms.sinks import HttpSink

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp, HttpSink() as http:
        root = new_project(Path(tmp) / "project")
        for index in range(FANOUT_CHANNELS):
            path = f"/c{index:02d}"
            http.behave(path, delay=FANOUT_DELAY)
            write_channel(root, f"hook-{index:02d}", kind="webhook", url=http.url(path))
        approve_all(root)
        for concurrency in (DEFAULT_CONCURRENCY, FANOUT_CHANNELS):
            with Orchestrator.open(
                Project(root), timeout=5, concurrency=concurrency
            ) as orchestrator:

                def declare(orchestrator: Orchestrator = orchestrator) -> float:
                    started = time.perf_counter()
                    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
                    elapsed = time.perf_counter() - started
                    if report.failed or len(report.deliveries) != FANOUT_CHANNELS:
                        raise RuntimeError(f"fan-out declare failed: {report.as_json()}")
                    return elapsed

                samples = time_repeated(declare, config.repeat, warmup=1)
            label = "default" if concurrency == DEFAULT_CONCURRENCY else "= channels"
            rows.append(
                Row(
                    f"fan-out: 20 channels × 200 ms, concurrency {concurrency} ({label})",
                    median(samples),
                    "s",
                    baseline=FANOUT_DELAY,
                    baseline_name="floor (one 200 ms answer)",
                    goal="≈ 1× floor + overhead",
                    samples=samples,
                )
            )
    return rows


def lint(config: Config) -> list[Row]:
    """``outagecomms lint`` (one fresh process) on the shipped runbooks and on generated
    ones: runbooks per second, against the target of 20."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp:
        names = tuple(p.stem for p in shipped_runbooks())[: config.lint_shipped]
        shipped = new_project(Path(tmp) / "shipped", names)
        count = len(names)
        argv = [OUTAGECOMMS, "lint", "--project", str(shipped)]
        cold_dirs = itertools.count()

        def cold() -> float:
            """The same lint with no compiled template kept yet: Jinja's bytecode cache
            lives under the temporary directory, a new one each run."""
            fresh = Path(tmp) / f"cold-{next(cold_dirs)}"
            fresh.mkdir()
            return run_timed(argv, env=clean_env(TMPDIR=str(fresh)))

        samples, cold_samples = interleaved(
            [lambda: run_timed(argv), cold],
            max(1, config.repeat // 2),
            warmup=config.warmup,
        )
        rows.append(
            Row(
                f"lint: {count} shipped runbooks (CLI, one process)",
                count / median(samples),
                "runbooks/s",
                goal="≥ 20 runbooks/s",
                samples=samples,
                note=f"{median(samples):.2f} s, interpreter start included",
            )
        )
        rows.append(
            Row(
                f"lint: {count} shipped runbooks, compiled templates kept (CLI)",
                median(samples),
                "s",
                baseline=median(cold_samples),
                baseline_name="the same with none kept yet (a first run)",
                goal="< 1×",
                samples=samples,
            )
        )
        generated = generated_runbooks(Path(tmp) / "generated", config.generated_runbooks)
        samples = time_repeated(
            lambda: run_timed(
                [OUTAGECOMMS, "lint", "--project", str(generated)], ok=(0, 1), timeout=1800
            ),
            1,
            warmup=0,
        )
        n = config.generated_runbooks
        rows.append(
            Row(
                f"lint: {n} generated runbooks (CLI, one process)",
                n / median(samples),
                "runbooks/s",
                goal="≥ 20 runbooks/s",
                samples=samples,
                note=f"{median(samples):.1f} s",
            )
        )
    return rows


def status(config: Config) -> list[Row]:
    """``outagecomms status`` (fresh process) with 100, 1,000 and (large runs) 10,000
    stored incidents, against the same command with 100."""
    from bench.worker import copy_incidents

    sizes = [10, 100] if config.quick else [100, 1_000, *([10_000] if config.large else [])]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as tmp:
        root = new_project(Path(tmp) / "project")
        write_channel(root, "hook", kind="webhook", url="json://127.0.0.1:9/hook")
        approve_all(root)
        database = Path(tmp) / "state.db"
        env = clean_env(OUTAGECOMMS_DATABASE_URL=f"sqlite:///{database}")
        argv = [OUTAGECOMMS, "declare", RUNBOOK, "--var", f"impact={IMPACT}",
                "--project", str(root), "--timeout", "1"]  # fmt: skip
        run_timed(argv, env=env, ok=(0, 6))  # its one channel is down: exit 6, recorded
        stored = 1
        first: float | None = None
        for size in sizes:
            copy_incidents(f"sqlite:///{database}", size - stored)
            stored = size
            samples = time_repeated(
                lambda: run_timed([OUTAGECOMMS, "status", "--project", str(root)], env=env),
                max(1, config.repeat // 2),
                warmup=config.warmup,
            )
            first = first or median(samples)
            rows.append(
                Row(
                    f"status, {size:,} stored incidents (CLI)",
                    median(samples),
                    "s",
                    baseline=first,
                    baseline_name=f"the same with {sizes[0]:,}",
                    goal="< 0.3 s at 10,000",
                    samples=samples,
                )
            )
    return rows
