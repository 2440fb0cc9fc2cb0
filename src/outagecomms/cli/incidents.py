"""The on-call's commands: ``declare``, ``update``, ``resolve``, ``postmortem``, ``status``
and ``show`` (a thin layer over :class:`outagecomms.incidents.Orchestrator`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import (
    JsonOption,
    ProjectOption,
    app,
    console,
    emit_json,
    orchestrator_options,
    plain,
    project,
)
from outagecomms.cli.options import (
    ByOption,
    ConcurrencyOption,
    DatabaseOption,
    DedupeOption,
    DryRunOption,
    IncidentArgument,
    ReasonOption,
    TimeoutOption,
    UnapprovedOption,
    VarOption,
)
from outagecomms.cli.output import (
    _finish,
    _print_detail,
    _print_status,
    _warn,
    _warn_break_glass,
)
from outagecomms.cli.own_words import LangOption, TextFileOption, TextOption, course_notes
from outagecomms.cli.plans import finish_plan
from outagecomms.cli.told import channel_languages
from outagecomms.durations import parse_cooldown, parse_duration
from outagecomms.errors import UsageError
from outagecomms.interrupts import first_ctrl_c_stops_sending as _first_ctrl_c_stops_sending
from outagecomms.vocabulary import Phase, Severity

if TYPE_CHECKING:
    from outagecomms.incidents import Orchestrator


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
            **orchestrator_options(),
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


def _break_glass(unapproved: bool, reason: str | None) -> str | None:
    if unapproved and not (reason and reason.strip()):
        raise UsageError("--unapproved needs --reason TEXT: say why it must go out unapproved")
    if reason is not None and not unapproved:
        raise UsageError("--reason goes with --unapproved (break glass); drop it or add both")
    return reason if unapproved else None


def _cooldown(value: str) -> timedelta:
    """``--cooldown``: a duration, or ``0``/``off`` for never re-opening."""
    try:
        return parse_cooldown(value)
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
    component: Annotated[
        list[str] | None,
        typer.Option(
            "--component",
            help="ID[=STATUS]: a component of components.yaml this incident affects, and "
            "its status (repeatable; overrides the runbook's; =operational: not affected).",
        ),
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
    from outagecomms.language_gaps import declare_warnings
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
                    unapproved_reason=reason, cooldown=window, components=component or [],
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
            components=component or [],
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
            from outagecomms.incidents.views import report_document

            emit_json(report_document(None))
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
    from outagecomms.cycles import without_cycle_collection
    from outagecomms.incidents.overview import overview
    from outagecomms.project_root import find_project_root

    options = orchestrator_options()  # a read: only the embedding program's clock and gate
    with without_cycle_collection():  # one bounded read and print of rows without cycles
        found = overview(
            find_project_root(project_dir),  # its directory: no file models unless needed
            database_url,
            include_resolved=all_incidents,
            **{name: options[name] for name in ("clock", "gate") if name in options},
        )
        _warn(found.warnings)
        if json_output:
            emit_json([row.as_json() for row in found.rows])
            return
        _print_status(found.rows, all_incidents)


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
