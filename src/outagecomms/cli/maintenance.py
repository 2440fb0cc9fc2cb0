"""``outagecomms maintenance schedule|list|reschedule|cancel|complete`` (a thin layer over
:class:`outagecomms.maintenance.Maintenance`; README "Maintenance windows")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

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
from outagecomms.cli.options import (
    ByOption,
    DatabaseOption,
    ReasonOption,
    UnapprovedOption,
    VarOption,
)

if TYPE_CHECKING:
    from pathlib import Path

    from outagecomms.maintenance import Maintenance
    from outagecomms.maintenance.service import WindowView

group = typer.Typer(
    name="maintenance",
    help="Scheduled maintenance windows: announced at once, reminded, started and completed "
    "by the worker.",
    no_args_is_help=True,
)
app.add_typer(group)

StartOption = Annotated[
    str,
    typer.Option(
        "--start", help="When it starts: ISO 8601 with a zone (2026-06-14T22:00+03:00) or +2h."
    ),
]
EndOption = Annotated[
    str, typer.Option("--end", help="When it is planned to end, written like --start.")
]
WindowArgument = Annotated[str, typer.Argument(help="The window id, e.g. MW-3.")]


@contextmanager
def _maintenance(
    project_dir: ProjectOption, database_url: str | None, by: str | None = None
) -> Iterator[Maintenance]:
    from outagecomms.incidents import Orchestrator
    from outagecomms.maintenance import Maintenance

    with Orchestrator.open(
        project(project_dir), database_url=database_url, actor=by, **orchestrator_options()
    ) as o:
        yield Maintenance(o)


def _print(view: WindowView, done: str | None, json_output: bool) -> None:
    from outagecomms.cli.output import _finish

    if json_output and view.report is None:
        emit_json(view.as_json())
        return
    w = view.window
    line = (
        f"{w.ref} ({w.runbook_id}, {w.status}): {w.starts_at:%Y-%m-%d %H:%M} to "
        f"{w.ends_at:%Y-%m-%d %H:%M} UTC · incident INC-{w.incident_number} · sequence "
        f"{w.sequence}" + (f" · components {', '.join(w.components)}" if w.components else "")
    )
    if view.report is None:
        console().print(line, markup=False, highlight=False)
        return
    if json_output:
        emit_json(view.as_json())
        return
    console().print(f"{done}: {line}", markup=False, highlight=False)
    _finish(view.report, done or "", False)


@group.command("schedule")
def schedule(
    runbook: Annotated[str, typer.Argument(help="The runbook id, e.g. scheduled-maintenance.")],
    start: StartOption,
    end: EndOption,
    var: VarOption = None,
    component: Annotated[
        list[str] | None,
        typer.Option("--component", help="A component under maintenance (repeatable)."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Only these channels (repeatable; default: all enabled)."),
    ] = None,
    unapproved: UnapprovedOption = False,
    reason: ReasonOption = None,
    by: ByOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Schedule a maintenance window from RUNBOOK and announce it now; the worker sends
    the reminders (runbook remind_before:), "started" and "completed"."""
    from outagecomms.cli.incidents import _break_glass
    from outagecomms.project import parse_assignments

    given = parse_assignments(var or [])
    with _maintenance(project_dir, database_url, by) as maintenance:
        view = maintenance.schedule(
            runbook,
            start=start,
            end=end,
            variables=given,
            components=component or [],
            channels=channel or [],
            unapproved_reason=_break_glass(unapproved, reason),
        )
    _print(view, "scheduled", json_output)


@group.command("list")
def list_windows(
    all_windows: Annotated[
        bool, typer.Option("--all", help="Completed and cancelled windows too.")
    ] = False,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Upcoming and running maintenance windows, the soonest first."""
    with _maintenance(project_dir, database_url) as maintenance:
        views = maintenance.upcoming(include_done=all_windows)
    if json_output:
        emit_json([view.as_json() for view in views])
        return
    if not views:
        console().print("No maintenance windows.")
    for view in views:
        _print(view, None, False)


@group.command("reschedule")
def reschedule(
    window: WindowArgument,
    start: StartOption,
    end: EndOption,
    by: ByOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Move a window that has not started to new times, with a notice."""
    with _maintenance(project_dir, database_url, by) as maintenance:
        view = maintenance.reschedule(window, start=start, end=end)
    _print(view, "rescheduled", json_output)


def _act(
    action: Callable[[Maintenance, str], WindowView],
    window: str,
    done: str,
    by: str | None,
    database_url: str | None,
    json_output: bool,
    project_dir: Path | None,
) -> None:
    """One step on one window (cancel, complete), then what it did."""
    with _maintenance(project_dir, database_url, by) as maintenance:
        view = action(maintenance, window)
    _print(view, done, json_output)


@group.command("cancel")
def cancel(
    window: WindowArgument,
    by: ByOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Call off a window that has not started: one notice, then nothing more."""
    _act(lambda m, w: m.cancel(w), window, "cancelled", by, database_url, json_output, project_dir)


@group.command("complete")
def complete(
    window: WindowArgument,
    by: ByOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """End a running window now (before its planned end): "completed" goes out."""
    done = "completed"
    _act(lambda m, w: m.complete(w), window, done, by, database_url, json_output, project_dir)
