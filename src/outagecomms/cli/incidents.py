"""The on-call's commands: ``declare``, ``update``, ``resolve``, ``postmortem``, ``status``
and ``show`` (a thin layer over :class:`outagecomms.incidents.Orchestrator`)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import (
    JsonOption,
    ProjectOption,
    app,
    console,
    emit_json,
    plain,
    project,
)
from outagecomms.cli.own_words import LangOption, TextFileOption, TextOption, course_notes
from outagecomms.cli.plans import finish_plan
from outagecomms.cli.tables import keep_whole
from outagecomms.cli.told import channel_languages, print_told
from outagecomms.display import for_terminal
from outagecomms.durations import format_duration, parse_duration
from outagecomms.errors import ExitStatus, UsageError
from outagecomms.vocabulary import Phase, Severity

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from outagecomms.incidents import IncidentDetail, IncidentSummary, Orchestrator, Report
    from outagecomms.store.records import DeliveryRecord, IncidentRecord

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="OUTAGECOMMS_DATABASE_URL",
        help="State database (default: .outagecomms/state.db in the project; "
        "postgresql://... for several workers).",
        show_default=False,
    ),
]
VarOption = Annotated[
    list[str] | None,
    typer.Option("--var", help="name=value (name.LANG=value for one language); repeatable."),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="OUTAGECOMMS_ACTOR",
        help="Who is posting (default: the OS user); shown to staff on internal channels.",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        envvar="OUTAGECOMMS_SEND_TIMEOUT",
        min=0.1,
        help="Seconds each channel's first attempt may take (default 10).",
        show_default=False,
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        envvar="OUTAGECOMMS_CONCURRENCY",
        min=1,
        help="Channels sent to at the same time (default 16).",
        show_default=False,
    ),
]
UnapprovedOption = Annotated[
    bool,
    typer.Option(
        "--unapproved",
        help="Break glass: send a runbook that is not approved (needs --reason).",
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason",
        help="Why, recorded: with --unapproved, why the unapproved runbook must go out now; "
        "with update --text, why no runbook message fits.",
    ),
]
DedupeOption = Annotated[
    str | None,
    typer.Option(
        "--dedupe-key",
        envvar="OUTAGECOMMS_DEDUPE_KEY",
        help="A stable name for the problem (e.g. a CI check): one open incident per key.",
        show_default=False,
    ),
]
IncidentArgument = Annotated[str, typer.Argument(help="The incident id, e.g. INC-7.")]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Render, fit and check everything (approval, channel secrets, URLs) and print "
        "what each channel would get; write and send nothing. Same exit codes.",
    ),
]

STATE_STYLES = {
    "sent": "green",
    "queued": "yellow",
    "sending": "yellow",
    "retry": "yellow",
    "failed": "bold red",
    "cancelled": "dim",
    "blocked": "bold red",
}
STATE_LABELS = {
    "retry": "queued for retry",
    "queued": "queued",
    "blocked": "blocked (no attempt counted)",
}


@contextmanager
def _orchestrator(
    project_dir: ProjectOption,
    database_url: str | None,
    *,
    by: str | None = None,
    timeout: float | None = None,
    concurrency: int | None = None,
    sending: bool = False,
) -> Iterator[Orchestrator]:
    """The orchestrator for one command; a command that sends (``sending``) handles Ctrl-C
    itself: the first one lets what is being written finish and stops the sends, a second
    one quits at once."""
    from outagecomms.incidents import Orchestrator
    from outagecomms.progress import FanoutProgress

    with (
        _first_ctrl_c_stops_sending() if sending else nullcontext(None) as interrupt,
        Orchestrator.open(
            project(project_dir),
            database_url=database_url,
            actor=by,
            timeout=timeout,
            concurrency=concurrency,
            interrupt=interrupt,
        ) as orchestrator,
    ):
        orchestrator.progress = FanoutProgress(sys.stderr)
        yield orchestrator


@contextmanager
def _dry_run(
    project_dir: ProjectOption, database_url: str | None, by: str | None
) -> Iterator[Orchestrator]:
    """An orchestrator for a ``--dry-run`` (on a throw-away store when there is none yet)."""
    from outagecomms.dry_run import untouched_database

    with (
        untouched_database(project(project_dir), database_url) as url,
        _orchestrator(project_dir, url, by=by) as orchestrator,
    ):
        yield orchestrator


@contextmanager
def _first_ctrl_c_stops_sending() -> Iterator[threading.Event | None]:
    if threading.current_thread() is not threading.main_thread():
        yield None  # signals reach the main thread only (an embedding program's thread)
        return
    interrupt = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if interrupt.is_set():
            print("outagecomms: interrupted again: quitting at once", file=sys.stderr, flush=True)
            os._exit(int(ExitStatus.INTERRUPTED))
        interrupt.set()
        print(
            "outagecomms: Ctrl-C: recording what is done and leaving the rest to the worker "
            "(Ctrl-C again quits at once)",
            file=sys.stderr,
            flush=True,
        )

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)


def _break_glass(unapproved: bool, reason: str | None) -> str | None:
    if unapproved and not (reason and reason.strip()):
        raise UsageError("--unapproved needs --reason TEXT: say why it must go out unapproved")
    if reason is not None and not unapproved:
        raise UsageError("--reason goes with --unapproved (break glass); drop it or add both")
    return reason if unapproved else None


def _cooldown(value: str) -> timedelta:
    """``--cooldown``: a duration, or ``0``/``off`` for never re-opening."""
    if value.strip().lower() in ("0", "off", "none"):
        return timedelta(0)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"--cooldown: {exc} (or 0/off to never re-open)") from None


def _phase(value: str) -> Phase:
    from outagecomms.incidents import UPDATE_PHASES

    allowed = ", ".join(p.value for p in UPDATE_PHASES)
    try:
        phase = Phase(value)
    except ValueError:
        raise UsageError(f"unknown phase {value!r}; update posts one of: {allowed}") from None
    if phase not in UPDATE_PHASES:
        hint = (
            "use `outagecomms resolve`"
            if phase is Phase.RESOLVED
            else "use `outagecomms postmortem`"
            if phase is Phase.POSTMORTEM
            else "declare posts it"
        )
        raise UsageError(f"--phase {value}: update posts one of: {allowed}; {hint}")
    return phase


# --------------------------------------------------------------------------- commands


@app.command()
def declare(
    runbook: Annotated[str, typer.Argument(help="The runbook id (`outagecomms runbooks`).")],
    severity: Annotated[
        Severity | None,
        typer.Option("--severity", help="Overrides the runbook's severity (and cadence)."),
    ] = None,
    var: VarOption = None,
    dedupe_key: DedupeOption = None,
    cadence: Annotated[
        str | None,
        typer.Option("--cadence", help="Update interval for this incident, e.g. 30m."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Only these channels (repeatable; default: all enabled)."),
    ] = None,
    cooldown: Annotated[
        str | None,
        typer.Option(
            "--cooldown",
            envvar="OUTAGECOMMS_COOLDOWN",
            help="With --dedupe-key: re-open the key's incident resolved less than this long "
            "ago (a flap) and post an update instead of a new incident, e.g. 30m; "
            "0 or off: never (default: the runbook's flap_cooldown).",
            show_default=False,
        ),
    ] = None,
    unapproved: UnapprovedOption = False,
    reason: ReasonOption = None,
    by: ByOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    database_url: DatabaseOption = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Declare an incident from RUNBOOK and send its first message to every channel.

    Exit 6 when a channel failed its first attempt (it stays queued for the worker).
    """
    from outagecomms.lint.channel_languages import declare_warnings
    from outagecomms.project import parse_assignments
    from outagecomms.worker import worker_warnings

    given = parse_assignments(var or [])
    reason = _break_glass(unapproved, reason)
    interval = None
    if cadence is not None:
        try:
            interval = parse_duration(cadence)
        except ValueError as exc:
            raise UsageError(f"--cadence: {exc}") from None
    window = None if cooldown is None else _cooldown(cooldown)
    if dry_run:
        from outagecomms.dry_run import plan_declare

        with _dry_run(project_dir, database_url, by) as orchestrator:
            return finish_plan(
                plan_declare(
                    orchestrator, runbook, severity=severity, variables=given,
                    dedupe_key=dedupe_key, cadence=interval, channels=channel or [],
                    unapproved_reason=reason, cooldown=window,
                ),
                json_output,
            )  # fmt: skip
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency, sending=True
    ) as orchestrator:
        report = orchestrator.declare(
            runbook,
            severity=severity,
            variables=given,
            dedupe_key=dedupe_key,
            cadence=interval,
            channels=channel or [],
            unapproved_reason=reason,
            cooldown=window,
        )
        warnings = (
            []
            if report.deduplicated
            else [
                *declare_warnings(orchestrator.project, runbook, channel or []),
                *worker_warnings(orchestrator, [report.incident]),
            ]
        )
    if reason is not None and not report.deduplicated:
        if report.incident.break_glass_reason:
            _warn_break_glass(report.incident, reason)
        else:
            warnings.append(
                f"runbook {runbook!r} is approved, so --unapproved was not needed: it was sent "
                "as approved and no break glass was recorded"
            )
    done = "re-opened (a flap within the cool-down: update posted)" if report.reopened else None
    _finish(report, done or "declared", json_output, warnings=warnings)


@app.command()
def update(
    incident: IncidentArgument,
    phase: Annotated[
        str,
        typer.Option("--phase", help="identified, monitoring or update (no news yet)."),
    ] = Phase.UPDATE.value,
    var: VarOption = None,
    text: TextOption = None,
    text_file: TextFileOption = None,
    lang: LangOption = None,
    severity: Annotated[
        Severity | None,
        typer.Option("--severity", help="Change the severity; the cadence follows."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Add this channel to the incident, from this message on."),
    ] = None,
    runbook_version: Annotated[
        str | None,
        typer.Option(
            "--runbook-version",
            help="latest: move the incident to the newest approved version of its runbook "
            "file (otherwise it keeps rendering from the version pinned when it was declared).",
            show_default=False,
        ),
    ] = None,
    unapproved: UnapprovedOption = False,
    reason: ReasonOption = None,
    by: ByOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    database_url: DatabaseOption = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Post an update on INCIDENT; the next-update promise restarts from now.

    Variables given at declare are reused; --var adds or overrides. The text comes from
    the runbook version pinned at declare; --runbook-version latest moves it on purpose.
    """
    from outagecomms.cli.own_words import own_words
    from outagecomms.project import parse_assignments

    chosen = _phase(phase)
    given = parse_assignments(var or [])
    words = own_words(text, text_file, lang, reason, unapproved, project(project_dir), chosen)
    reason = None if words is not None else _break_glass(unapproved, reason)
    if dry_run:
        from outagecomms.dry_run import plan_follow_up

        with _dry_run(project_dir, database_url, by) as orchestrator:
            plan = plan_follow_up(
                orchestrator, incident, chosen, variables=given, unapproved_reason=reason,
                words=words, severity=severity, add_channels=channel or [],
            )  # fmt: skip
        return finish_plan(plan, json_output)
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency, sending=True
    ) as orchestrator:
        report = orchestrator.update(
            incident, phase=chosen, variables=given, unapproved_reason=reason, words=words,
            severity=severity, add_channels=channel or [], runbook_version=runbook_version,
        )  # fmt: skip
    course_notes(report, severity, channel or [], words, json_output)
    _finish(report, f"updated ({chosen.value})", json_output)


@app.command()
def resolve(
    ctx: typer.Context,
    incident: Annotated[
        str | None, typer.Argument(help="The incident id, e.g. INC-7 (or --dedupe-key).")
    ] = None,
    dedupe_key: DedupeOption = None,
    if_open: Annotated[
        bool,
        typer.Option(
            "--if-open",
            help="With --dedupe-key, for CI: when no incident with the key is open, send "
            "nothing and exit 0 (idempotent).",
        ),
    ] = False,
    var: VarOption = None,
    unapproved: UnapprovedOption = False,
    reason: ReasonOption = None,
    by: ByOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    database_url: DatabaseOption = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Resolve INCIDENT (or the open incident with --dedupe-key): send the resolution
    message; no update is promised or sent after it."""
    from outagecomms.project import parse_assignments

    source = ctx.get_parameter_source("dedupe_key")
    if incident is not None and source is not None and source.name == "ENVIRONMENT":
        dedupe_key = None  # an explicit incident wins over OUTAGECOMMS_DEDUPE_KEY
    if incident is not None and dedupe_key is not None:
        raise UsageError("resolve takes an incident id or --dedupe-key, not both")
    if incident is None and dedupe_key is None:
        raise UsageError("resolve needs an incident id (e.g. INC-7) or --dedupe-key KEY")
    if if_open and dedupe_key is None:
        raise UsageError("--if-open goes with --dedupe-key KEY (an incident id is exact)")
    given = parse_assignments(var or [])
    reason = _break_glass(unapproved, reason)
    if dry_run:
        from outagecomms.dry_run import plan_resolve

        with _dry_run(project_dir, database_url, by) as orchestrator:
            plan = plan_resolve(
                orchestrator, incident, dedupe_key=dedupe_key, if_open=if_open,
                variables=given, unapproved_reason=reason,
            )  # fmt: skip
        return finish_plan(plan, json_output)
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency, sending=True
    ) as orchestrator:
        if if_open:
            assert dedupe_key is not None
            found = orchestrator.resolve_if_open(
                dedupe_key, variables=given, unapproved_reason=reason
            )
        else:
            found = orchestrator.resolve(
                incident, dedupe_key=dedupe_key, variables=given, unapproved_reason=reason
            )
    if found is None:
        if json_output:
            emit_json({"incident": None, "deliveries": []})
        else:
            console().print(
                plain(f"No incident with dedupe key {dedupe_key!r}; nothing to resolve.")
            )
        return
    _finish(found, "resolved", json_output)


@app.command()
def postmortem(
    incident: IncidentArgument,
    var: VarOption = None,
    unapproved: UnapprovedOption = False,
    reason: ReasonOption = None,
    by: ByOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Send the runbook's postmortem follow-up for a resolved INCIDENT."""
    from outagecomms.project import parse_assignments

    given = parse_assignments(var or [])
    reason = _break_glass(unapproved, reason)
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency, sending=True
    ) as orchestrator:
        report = orchestrator.postmortem(incident, variables=given, unapproved_reason=reason)
    _finish(report, "postmortem sent", json_output)


@app.command()
def status(
    all_incidents: Annotated[
        bool, typer.Option("--all", help="Resolved incidents too, not only open ones.")
    ] = False,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Open incidents: runbook, severity, phase, age, next update due, failed deliveries."""
    from outagecomms.worker import worker_warnings

    with _orchestrator(project_dir, database_url) as orchestrator:
        rows = orchestrator.status(include_resolved=all_incidents)
        warnings = worker_warnings(orchestrator, [row.incident for row in rows])
    _warn(warnings)
    if json_output:
        emit_json([row.as_json() for row in rows])
        return
    _print_status(rows, all_incidents)


@app.command()
def show(
    incident: IncidentArgument,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Only what this channel got (repeatable)."),
    ] = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """The timeline of INCIDENT: every message, what customers were told on each channel,
    delivery state, attempts, errors."""
    from outagecomms.told import narrow

    with _orchestrator(project_dir, database_url) as orchestrator:
        detail = narrow(orchestrator.show(incident), channel or [])
        languages = channel_languages(orchestrator.project)
    if json_output:
        emit_json(detail.as_json())
        return
    _print_detail(detail, internal=bool(channel), languages=languages)


# --------------------------------------------------------------------------- output


def _finish(
    report: Report, done: str, json_output: bool, *, warnings: Sequence[str] | None = None
) -> None:
    if json_output:
        extra: dict[str, object] = {} if warnings is None else {"warnings": list(warnings)}
        if report.interrupted:
            extra["interrupted"] = True
        emit_json({**report.as_json(), **extra})
    else:
        _print_report(report, done)
    _warn(warnings or ())
    if report.interrupted:
        _say_what_is_left(report)
        raise typer.Exit(int(ExitStatus.INTERRUPTED))
    failed = report.failed
    if failed:
        names = ", ".join(d.channel for d in failed)
        print(
            f"outagecomms: warning: {len(failed)} channel(s) failed their first attempt: "
            f"{names}; they stay queued and `outagecomms worker` retries them "
            f"(`outagecomms show {report.incident.id}` for details)",
            file=sys.stderr,
        )
    broken = [] if report.deduplicated else sorted(report.broken_channels)
    if broken:
        print(
            f"outagecomms: warning: {len(broken)} channel file(s) broken, not sent: "
            f"{', '.join(broken)}; fix them (`outagecomms lint` lists the problems): the next "
            "message reaches them",
            file=sys.stderr,
        )
    if report.failed_channels:
        raise typer.Exit(int(ExitStatus.DELIVERY_FAILED))


def _say_what_is_left(report: Report) -> None:
    """After Ctrl-C: what is recorded, and what the worker will still send."""
    i, message = report.incident, report.message
    recorded = (
        f"{i.id} is declared"
        if message is None or message.seq == 1
        else f"the {message.phase} message of {i.id} is recorded"
    )
    unsent = report.unsent
    maybe = [d.channel for d in unsent if d.possibly_duplicate]
    left = (
        f"{len(unsent)} channel(s) not yet sent ({', '.join(d.channel for d in unsent)}): "
        "the worker will send them"
        if unsent
        else "every channel was sent"
    )
    if maybe:
        left += f"; {', '.join(maybe)} was being sent and may have arrived"
    print(
        f"outagecomms: interrupted: {recorded}; {left} (`outagecomms status`)",
        file=sys.stderr,
    )


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"outagecomms: warning: {warning}", file=sys.stderr)


def _warn_break_glass(incident: IncidentRecord, reason: str) -> None:
    from rich.console import Console
    from rich.text import Text

    err = Console(file=sys.stderr, highlight=False, soft_wrap=True)
    err.print(
        Text.assemble(
            ("BREAK GLASS: ", "bold white on red"),
            (
                f"runbook {incident.runbook_id!r} is NOT approved and was sent anyway "
                f"for {incident.id}. Reason recorded on the incident and in the event log: ",
                "bold red",
            ),
            (for_terminal(reason), "bold"),
            (". Get the runbook reviewed and approved (`outagecomms approve`).", "bold red"),
        )
    )


def _when(moment: datetime | None, now: datetime | None = None, *, relative: bool = True) -> str:
    if moment is None:
        return "-"
    now = now or datetime.now(UTC)
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not relative:
        return stamp
    delta = moment - now
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{stamp} (now)"
    span = format_duration(_minutes(seconds))
    return f"{stamp} (in {span})" if delta.total_seconds() > 0 else f"{stamp} ({span} ago)"


def _minutes(seconds: int) -> timedelta:
    """Whole minutes, for a short human duration (``1h5m``)."""
    return timedelta(minutes=seconds // 60)


def _state(delivery: DeliveryRecord) -> Text:
    from rich.text import Text

    label = STATE_LABELS.get(delivery.state, delivery.state)
    if delivery.possibly_duplicate:
        label += " (possibly duplicated)"
    return Text(label, style=STATE_STYLES.get(delivery.state, ""))


def _size(delivery: DeliveryRecord) -> str:
    size = (
        f"{delivery.length} {delivery.unit}"
        if delivery.limit is None
        else f"{delivery.length}/{delivery.limit} {delivery.unit}"
    )
    if delivery.cut_from is not None:
        size += f" (cut from {delivery.cut_from})"
    return size


def _print_deliveries(
    out: Console,
    deliveries: Sequence[DeliveryRecord],
    broken: Mapping[str, str] | None = None,
) -> None:
    """A table per channel (state, attempts, length/limit), then each problem on a line;
    ``broken``: channels whose file is broken (name -> problem), failed without an attempt."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title_justify="left")
    for column in ("channel", "kind", "state", "attempts", "length/limit"):
        table.add_column(column)
    for d in deliveries:
        table.add_row(plain(d.channel), plain(d.kind), _state(d), str(d.attempts), _size(d))
    for name in sorted(broken or {}):
        table.add_row(plain(name), "?", Text("failed (channel file broken)", "bold red"), "0", "-")
    out.print(keep_whole(table, "channel"))
    for d in deliveries:
        if d.last_error is None or d.state == "sent":
            continue
        line = Text.assemble(
            (f"  {for_terminal(d.channel)}: ", "bold"), (for_terminal(d.last_error), "red")
        )
        if d.state in ("queued", "retry", "blocked"):
            line.append(f" · next try {_when(d.due_at, relative=False)}")
        out.print(line)
    for name, problem in sorted((broken or {}).items()):
        out.print(Text.assemble((f"  {name}: ", "bold"), (problem, "red")))


def _print_report(report: Report, done: str) -> None:
    from rich.text import Text

    out = console()
    i = report.incident
    if report.deduplicated:
        out.print(
            Text.assemble(
                (i.id, "bold cyan"),
                for_terminal(
                    f" is already {'open' if i.is_open else 'resolved'} for dedupe key "
                    f"{i.dedupe_key!r} ({i.runbook_id}, {i.severity}, {i.phase}); "
                    "nothing new was sent."
                ),
            )
        )
    else:
        out.print(
            Text.assemble(
                (i.id, "bold cyan"),
                for_terminal(f" {done} · {i.runbook_id} · {i.severity} · {i.phase}"),
            )
        )
    if i.is_open:
        out.print(plain(f"Next update promised by {_when(i.next_update_at)}"))
    else:
        out.print(plain("Resolved: no further update is promised."))
    if report.deliveries or report.broken_channels:
        _print_deliveries(out, report.deliveries, report.broken_channels)


def _print_status(rows: Sequence[IncidentSummary], all_incidents: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    if not rows:
        out.print("No incidents." if all_incidents else "No open incidents.")
        return
    now = datetime.now(UTC)
    table = Table(title="Incidents" if all_incidents else "Open incidents", title_justify="left")
    columns = ("id", "runbook", "status", "severity", "phase", "age", "next update", "deliveries")
    for column in columns:
        table.add_column(column, no_wrap=column == "id")
    for row in rows:
        i = row.incident
        age = format_duration(
            _minutes(int(((i.resolved_at or now) - i.started_at).total_seconds()))
        )
        table.add_row(
            Text(i.id, style="bold cyan"),
            plain(i.runbook_id),
            plain(i.status),
            plain(i.severity),
            plain(i.phase),
            age,
            _next_update_cell(i, now, row.overdue_by is not None),
            _delivery_counts(row),
        )
    out.print(keep_whole(table, "id", "runbook"))
    for row in rows:
        if row.needs_a_human:
            out.print(
                Text.assemble(
                    (f"{row.incident.id} needs a human: ", "bold red"),
                    "; ".join(row.needs_a_human),
                    f" (`outagecomms show {row.incident.id}`"
                    + (", is a worker running?)" if row.overdue_by else ")"),
                )
            )


def _delivery_counts(row: IncidentSummary) -> Text:
    """``5 sent · 2 queued for retry · 1 failed``, the parts that need a human in red."""
    from rich.text import Text

    parts = [
        (row.counts.get("sent", 0), "sent", "green"),
        (row.counts.get("queued", 0) + row.counts.get("sending", 0), "queued", "yellow"),
        (row.retrying_deliveries, "queued for retry", "yellow"),
        (row.failed_deliveries, "failed", "bold red"),
        (row.blocked_deliveries, "blocked", "bold red"),
        (row.counts.get("cancelled", 0), "cancelled", "dim"),
    ]
    shown = [(f"{count} {label}", style) for count, label, style in parts if count]
    text = Text()
    for index, (words, style) in enumerate(shown or [("none", "dim")]):
        if index:
            text.append(" · ")
        text.append(words, style=style)
    return text


def _next_update_cell(incident: IncidentRecord, now: datetime, overdue: bool) -> Text:
    """The promise, or, when the worker holds the incident back, that it is blocked."""
    from rich.text import Text

    if incident.blocked_reason is not None and incident.is_open:
        return Text(f"BLOCKED: {incident.blocked_reason}", style="bold red")
    return Text(_when(incident.next_update_at, now), style="bold red" if overdue else "")


def _print_blocked(out: Console, incident: IncidentRecord) -> None:
    from rich.text import Text

    if incident.blocked_reason is None:
        return
    out.print(
        Text(
            f"BLOCKED since {_when(incident.blocked_at, relative=False)}: "
            f"{incident.blocked_reason} · the worker tries again at "
            f"{_when(incident.blocked_until, relative=False)}",
            "bold red",
        )
    )


def _print_version(out: Console, detail: IncidentDetail) -> None:
    """The runbook version the incident renders from, and whether the file has moved on."""
    pinned = detail.incident.runbook_sha256
    if pinned is None:
        out.print("Runbook version: the runbook file (declared before versions were pinned)")
        return
    line = f"Runbook version: {pinned[:19]} (pinned at declare)"
    if detail.file_version is None:
        line += "; the runbook file does not load now"
    elif detail.file_version != pinned:
        line += (
            f"; the file is now {detail.file_version[:19]}: once it is approved, "
            f"`outagecomms update {detail.incident.id} --runbook-version latest` moves to it"
        )
    out.print(line)


def _print_detail(
    detail: IncidentDetail, *, internal: bool = False, languages: Mapping[str, str] | None = None
) -> None:
    from rich.text import Text

    out = console()
    i = detail.incident
    out.print(
        Text.assemble(
            (i.id, "bold cyan"),
            for_terminal(
                f" · {i.runbook_id} · {i.status} · {i.severity} · {i.phase} · "
                f"declared by {i.declared_by} at {_when(i.started_at)}"
            ),
        )
    )
    if i.break_glass_reason:
        out.print(plain(f"BREAK GLASS (unapproved runbook): {i.break_glass_reason}", "bold red"))
    _print_version(out, detail)
    _print_blocked(out, i)
    if i.dedupe_key:
        out.print(plain(f"Dedupe key: {i.dedupe_key}"))
    if i.variables:
        shown = "; ".join(f"{k}={v}" for k, v in sorted(i.variables.items()))
        out.print(plain(f"Variables: {shown}"))
    out.print(
        plain(f"Next update promised by {_when(i.next_update_at)}" if i.is_open else "Resolved.")
    )
    for entry in detail.timeline:
        m = entry.message
        out.rule(plain(f"#{m.seq} {m.phase} · {_when(m.created_at)} · by {m.author}"))
        _print_deliveries(out, entry.deliveries)
        print_told(out, detail, entry, internal=internal, languages=languages)
