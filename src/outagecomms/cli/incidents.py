"""The on-call's commands: ``declare``, ``update``, ``resolve``, ``postmortem``, ``status``
and ``show`` (a thin layer over :class:`outagecomms.incidents.Orchestrator`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, project
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
    typer.Option("--reason", help="Why the unapproved runbook must go out now (recorded)."),
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
) -> Iterator[Orchestrator]:
    from outagecomms.incidents import Orchestrator

    with Orchestrator.open(
        project(project_dir),
        database_url=database_url,
        actor=by,
        timeout=timeout,
        concurrency=concurrency,
    ) as orchestrator:
        yield orchestrator


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
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Declare an incident from RUNBOOK and send its first message to every channel.

    Exit 6 when a channel failed its first attempt (it stays queued for the worker).
    """
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
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency
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
        warnings = [] if report.deduplicated else worker_warnings(orchestrator, [report.incident])
    if reason is not None and not report.deduplicated:
        _warn_break_glass(report.incident, reason)
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
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Post an update on INCIDENT; the next-update promise restarts from now.

    Variables given at declare are reused; --var adds or overrides. The text comes from
    the runbook version pinned at declare; --runbook-version latest moves it on purpose.
    """
    from outagecomms.project import parse_assignments

    chosen = _phase(phase)
    given = parse_assignments(var or [])
    reason = _break_glass(unapproved, reason)
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency
    ) as orchestrator:
        report = orchestrator.update(
            incident,
            phase=chosen,
            variables=given,
            unapproved_reason=reason,
            runbook_version=runbook_version,
        )
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
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency
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
            console().print(f"No incident with dedupe key {dedupe_key!r}; nothing to resolve.")
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
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency
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
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """The timeline of INCIDENT: every message, channel, delivery state, attempts, errors."""
    with _orchestrator(project_dir, database_url) as orchestrator:
        detail = orchestrator.show(incident)
    if json_output:
        emit_json(detail.as_json())
        return
    _print_detail(detail)


# --------------------------------------------------------------------------- output


def _finish(
    report: Report, done: str, json_output: bool, *, warnings: Sequence[str] | None = None
) -> None:
    if json_output:
        extra = {} if warnings is None else {"warnings": list(warnings)}
        emit_json({**report.as_json(), **extra})
    else:
        _print_report(report, done)
    _warn(warnings or ())
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
            (reason, "bold"),
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
        table.add_row(d.channel, d.kind, _state(d), str(d.attempts), _size(d))
    for name in sorted(broken or {}):
        table.add_row(name, "?", Text("failed (channel file broken)", "bold red"), "0", "-")
    out.print(table)
    for d in deliveries:
        if d.last_error is None or d.state == "sent":
            continue
        line = Text.assemble((f"  {d.channel}: ", "bold"), (d.last_error, "red"))
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
                f" is already {'open' if i.is_open else 'resolved'} for dedupe key "
                f"{i.dedupe_key!r} ({i.runbook_id}, {i.severity}, {i.phase}); "
                "nothing new was sent.",
            )
        )
    else:
        out.print(
            Text.assemble(
                (i.id, "bold cyan"),
                f" {done} · {i.runbook_id} · {i.severity} · {i.phase}",
            )
        )
    if i.is_open:
        out.print(f"Next update promised by {_when(i.next_update_at)}")
    else:
        out.print("Resolved: no further update is promised.")
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
    for column in ("id", "runbook", "status", "severity", "phase", "age", "next update", "failed"):
        table.add_column(column)
    for row in rows:
        i = row.incident
        age = format_duration(
            _minutes(int(((i.resolved_at or now) - i.started_at).total_seconds()))
        )
        overdue = i.next_update_at is not None and i.next_update_at < now
        table.add_row(
            Text(i.id, style="bold cyan"),
            i.runbook_id,
            i.status,
            i.severity,
            i.phase,
            age,
            _next_update_cell(i, now, overdue),
            Text(
                str(row.failed_deliveries), style="bold red" if row.failed_deliveries else "green"
            ),
        )
    out.print(table)


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


def _print_detail(detail: IncidentDetail) -> None:
    from rich.text import Text

    out = console()
    i = detail.incident
    out.print(
        Text.assemble(
            (i.id, "bold cyan"),
            f" · {i.runbook_id} · {i.status} · {i.severity} · {i.phase} · "
            f"declared by {i.declared_by} at {_when(i.started_at)}",
        )
    )
    if i.break_glass_reason:
        out.print(Text(f"BREAK GLASS (unapproved runbook): {i.break_glass_reason}", "bold red"))
    _print_version(out, detail)
    _print_blocked(out, i)
    if i.dedupe_key:
        out.print(f"Dedupe key: {i.dedupe_key}")
    if i.variables:
        out.print("Variables: " + "; ".join(f"{k}={v}" for k, v in sorted(i.variables.items())))
    out.print(f"Next update promised by {_when(i.next_update_at)}" if i.is_open else "Resolved.")
    for entry in detail.timeline:
        m = entry.message
        out.rule(f"#{m.seq} {m.phase} · {_when(m.created_at)} · by {m.author}")
        _print_deliveries(out, entry.deliveries)
