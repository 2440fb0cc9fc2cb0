"""``outagecomms worker``: the long-running process that keeps the update cadence and
sends what is due (a thin layer over :class:`outagecomms.worker.Worker`)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from outagecomms.cli.app import (
    JsonOption,
    ProjectOption,
    app,
    console,
    emit_json,
    orchestrator_options,
    project,
)
from outagecomms.cli.options import ConcurrencyOption, DatabaseOption, TimeoutOption
from outagecomms.durations import parse_duration
from outagecomms.errors import UsageError

if TYPE_CHECKING:
    from outagecomms.worker import Worker

DEFAULT_POLL_INTERVAL = 1.0
"""``outagecomms.worker.DEFAULT_POLL_INTERVAL``, repeated here so that building the command
line does not import the worker (tests/test_startup.py checks they agree)."""


@contextmanager
def _stop_on_signals(worker: Worker) -> Iterator[None]:
    """SIGTERM and SIGINT ask the worker to stop after the sends in flight are recorded."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        print(
            f"outagecomms: {signal.Signals(signum).name}: stopping after the sends in flight",
            file=sys.stderr,
        )
        worker.stop()

    previous: dict[signal.Signals, Any] = {}
    for name in (signal.SIGTERM, signal.SIGINT):
        previous[name] = signal.signal(name, handler)
    try:
        yield
    finally:
        for name, old in previous.items():
            signal.signal(name, old)


def _duration(option: str, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _say(line: str) -> None:
    """The worker's line per message it sends, on stderr whatever the log level."""
    print(f"outagecomms: worker: {line}", file=sys.stderr, flush=True)


@app.command()
def worker(
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            envvar="OUTAGECOMMS_WORKER_ONCE",
            help="Do what is due now, then exit (for cron or CI).",
        ),
    ] = False,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval",
            envvar="OUTAGECOMMS_WORKER_POLL_INTERVAL",
            min=0.05,
            help="SQLite only: seconds between checks for new work while asleep "
            "(PostgreSQL wakes at once through LISTEN/NOTIFY).",
        ),
    ] = DEFAULT_POLL_INTERVAL,
    lease: Annotated[
        str | None,
        typer.Option(
            "--lease",
            envvar="OUTAGECOMMS_WORKER_LEASE",
            help="How long a claimed delivery stays with this worker before another may "
            "take it over, e.g. 90s (default: --timeout + 60s; keep it above --timeout).",
            show_default=False,
        ),
    ] = None,
    concurrency: ConcurrencyOption = None,
    timeout: TimeoutOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Keep every open incident's update cadence and send what is due (retries included),
    until SIGTERM/SIGINT; --once does what is due now and exits."""
    from outagecomms.incidents import Orchestrator
    from outagecomms.maintenance import Maintenance
    from outagecomms.worker import Worker, wakeup_for

    with Orchestrator.open(
        project(project_dir),
        database_url=database_url,
        concurrency=concurrency,
        timeout=timeout,
        **orchestrator_options(),
    ) as orchestrator:
        running = Worker(
            orchestrator,
            lease=_duration("--lease", lease),
            on_message=None if json_output else _say,
            scheduled=Maintenance(orchestrator),
        )
        if once:
            report = running.run_once()
            if json_output:
                emit_json({"worker": running.id, **report.as_json()})
            else:
                console().print(
                    f"automatic updates: {', '.join(report.updates) or 'none'} · "
                    f"reminders: {', '.join(report.reminders) or 'none'} · "
                    f"maintenance: {', '.join(report.maintenance) or 'none'} · "
                    f"sent {report.sent} · queued for retry {report.retrying} · "
                    f"failed {report.failed} · cancelled {report.cancelled} · "
                    f"taken over {report.taken_over}"
                )
            for problem in report.problems:
                print(f"outagecomms: warning: {problem}", file=sys.stderr)
            return
        with _stop_on_signals(running):
            # printed once the signals are handled: a supervisor may stop it from here on
            print(
                f"outagecomms: worker {running.id} on {orchestrator.store.shown_url}; "
                "SIGTERM or Ctrl-C stops it",
                file=sys.stderr,
                flush=True,
            )
            running.serve(wakeup_for(orchestrator.store, poll=poll_interval))
        if json_output:
            emit_json({"worker": running.id, "stopped": True})
