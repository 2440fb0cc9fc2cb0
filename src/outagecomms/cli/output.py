"""How the incident commands print: reports, delivery tables, ``status`` rows and ``show``
details, warnings, and the exit status a report ends with."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import typer

from outagecomms.cli.app import (
    console,
    emit_json,
    plain,
)
from outagecomms.cli.tables import keep_whole
from outagecomms.cli.told import print_told
from outagecomms.display import for_terminal
from outagecomms.durations import format_duration
from outagecomms.errors import ExitStatus

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from outagecomms.incidents import IncidentDetail, IncidentSummary, Report
    from outagecomms.store.listed_incidents import IncidentFacts
    from outagecomms.store.records import DeliveryRecord, IncidentRecord

# Keyed by DeliveryState's values (a StrEnum member finds its entry): the enum's module
# imports SQLAlchemy, which `--help` must not load.
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


def _finish(
    report: Report, done: str, json_output: bool, *, warnings: Sequence[str] | None = None
) -> None:
    from outagecomms.incidents.views import report_document

    if json_output:
        emit_json(report_document(report, warnings=warnings))
    else:
        _print_report(report, done)
    _warn(warnings or ())
    status = report.exit_status
    if report.interrupted:
        _say_what_is_left(report)
        raise typer.Exit(int(status))
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
    if status is not ExitStatus.OK:
        raise typer.Exit(int(status))


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
    from outagecomms.store.records import PENDING_STATES, DeliveryState

    for d in deliveries:
        if d.last_error is None or d.state == DeliveryState.SENT:
            continue
        line = Text.assemble(
            (f"  {for_terminal(d.channel)}: ", "bold"), (for_terminal(d.last_error), "red")
        )
        if d.state in PENDING_STATES:
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
    if not rows:
        console().print("No incidents." if all_incidents else "No open incidents.")
        return
    now = datetime.now(UTC)
    title = "Incidents" if all_incidents else "Open incidents"
    columns = ("id", "runbook", "status", "severity", "phase", "age", "next update", "deliveries")
    if len(rows) > LONG_TABLE:
        _print_long_status(None, title, columns, rows, now)
        return
    from rich.table import Table
    from rich.text import Text

    out = console()
    table = Table(title=title, title_justify="left")
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
    _print_needs_a_human(out, rows)


def _print_needs_a_human(out: Console, rows: Sequence[IncidentSummary]) -> None:
    from rich.text import Text

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


LONG_TABLE = 200
"""Rows beyond which ``status`` prints plain aligned columns: laying out a rich table
costs about 4 ms a row (40 s for 10,000 incidents), plain columns a few microseconds."""


def _print_long_status(
    out: Console | None,
    title: str,
    columns: Sequence[str],
    rows: Sequence[IncidentSummary],
    now: datetime,
) -> None:
    """``status`` as plain columns, one line per incident (ids and names kept whole), on
    ``out`` (None: stdout, with a console made only for the lines about incidents that
    need a human, so that a long ``status`` without them does not import rich).

    Each cell's words are made once per distinct value (an age in whole minutes, a
    promise, a set of counts): thousands of incidents share most of them."""
    cells: list[list[str]] = [list(columns)]
    append = cells.append
    ages: dict[int, str] = {}
    promises: dict[tuple[datetime | None, str | None, bool, bool], str] = {}
    counted: dict[tuple[object, ...], str] = {}
    human: dict[tuple[object, ...], bool] = {}
    """Whether a row needs a human, by its counts and whether it is late (all it depends
    on; what it says is worded below only for the rows that do)."""
    needing: list[IncidentSummary] = []
    for row in rows:
        i = row.incident
        minutes = int(((i.resolved_at or now) - i.started_at).total_seconds()) // 60
        age = ages.get(minutes)
        if age is None:
            age = ages[minutes] = format_duration(timedelta(minutes=minutes))
        late = row.overdue_by is not None
        promise = (i.next_update_at, i.blocked_reason, i.is_open, late)
        next_update = promises.get(promise)
        if next_update is None:
            next_update = promises[promise] = _next_update_words(i, now, late)[0]
        key = (late, *sorted(row.counts.items())) if row.counts else (late,)
        counts = counted.get(key)
        if counts is None:
            counts = counted[key] = " · ".join(words for words, _ in _delivery_parts(row))
            human[key] = bool(row.needs_a_human)
        if human[key]:
            needing.append(row)
        append([i.id, i.runbook_id, i.status, i.severity, i.phase, age, next_update, counts])
    widths = [max(map(len, column)) for column in zip(*cells, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths).format  # each cell ljust-ed
    lines = [title, *(line(*cells_of_row).rstrip() for cells_of_row in cells)]
    # What rich's `out` would write (no markup, style, wrap or crop), without its ~10 µs a
    # line of splitting the text into lines and segments again.
    (sys.stdout if out is None else out.file).write(for_terminal("\n".join(lines)) + "\n")
    if needing:
        _print_needs_a_human(console() if out is None else out, needing)


def _delivery_counts(row: IncidentSummary) -> Text:
    """``5 sent · 2 queued for retry · 1 failed``, the parts that need a human in red."""
    from rich.text import Text

    text = Text()
    for index, (words, style) in enumerate(_delivery_parts(row)):
        if index:
            text.append(" · ")
        text.append(words, style=style)
    return text


def _delivery_parts(row: IncidentSummary) -> list[tuple[str, str]]:
    """The words of :func:`_delivery_counts` and the style of each."""
    from outagecomms.store.records import DeliveryState as S

    parts = [
        (row.counts.get(S.SENT, 0), "sent", "green"),
        (row.counts.get(S.QUEUED, 0) + row.counts.get(S.SENDING, 0), "queued", "yellow"),
        (row.retrying_deliveries, "queued for retry", "yellow"),
        (row.failed_deliveries, "failed", "bold red"),
        (row.blocked_deliveries, "blocked", "bold red"),
        (row.counts.get(S.CANCELLED, 0), "cancelled", "dim"),
    ]
    shown = [(f"{count} {label}", style) for count, label, style in parts if count]
    return shown or [("none", "dim")]


def _next_update_cell(incident: IncidentFacts, now: datetime, overdue: bool) -> Text:
    """The promise, or, when the worker holds the incident back, that it is blocked."""
    from rich.text import Text

    words, style = _next_update_words(incident, now, overdue)
    return Text(words, style=style)


def _next_update_words(incident: IncidentFacts, now: datetime, overdue: bool) -> tuple[str, str]:
    if incident.blocked_reason is not None and incident.is_open:
        return f"BLOCKED: {incident.blocked_reason}", "bold red"
    return _when(incident.next_update_at, now), "bold red" if overdue else ""


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
