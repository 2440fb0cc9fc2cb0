"""``outagecomms components list|set``: the CLI twin of ``GET``/``PATCH
/api/v1/components``, over :mod:`outagecomms.components.impact` (README "Components")."""

from __future__ import annotations

from collections.abc import Iterator
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
    plain,
    project,
)
from outagecomms.cli.options import ByOption, DatabaseOption

if TYPE_CHECKING:
    from outagecomms.components.impact import ComponentView
    from outagecomms.incidents import Orchestrator

group = typer.Typer(
    name="components",
    help="The components of components.yaml and their status; set one by hand.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(group)


@contextmanager
def _orchestrator(
    project_dir: ProjectOption, database_url: str | None, by: str | None = None
) -> Iterator[Orchestrator]:
    from outagecomms.incidents import Orchestrator

    with Orchestrator.open(
        project(project_dir), database_url=database_url, actor=by, **orchestrator_options()
    ) as orchestrator:
        yield orchestrator


def _since(view: ComponentView) -> str:
    return "-" if view.updated_at is None else f"{view.updated_at:%Y-%m-%d %H:%M} UTC"


@group.command("list")
def list_components(
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Every component with its group, its status now and since when."""
    from rich.table import Table

    from outagecomms.cli.tables import keep_whole
    from outagecomms.components.impact import list_components as listed

    with _orchestrator(project_dir, database_url) as orchestrator:
        views = listed(orchestrator.project, orchestrator.store)
    if json_output:
        emit_json([view.as_json() for view in views])
        return
    if not views:
        console().print("No components (components.yaml lists none).")
        return
    table = Table(title="Components", title_justify="left")
    for column in ("id", "name", "group", "status", "since"):
        table.add_column(column)
    for view in views:
        table.add_row(
            plain(view.id),
            plain(view.name),
            plain(view.group or "-"),
            plain(view.status),
            plain(_since(view)),
        )
    console().print(keep_whole(table, "id", "status", "since"))


@group.command("set")
def set_component(
    component: Annotated[str, typer.Argument(help="The component's id (components.yaml).")],
    status: Annotated[
        str,
        typer.Argument(
            help="operational, under_maintenance, degraded_performance, partial_outage or "
            "major_outage."
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, kept in the component's history.")],
    by: ByOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Set COMPONENT's status by hand (like PATCH /api/v1/components/ID); it stands until an
    incident affecting it is declared, re-opened or resolved. A site channel's status page
    is rebuilt at once."""
    from outagecomms.components.impact import set_status

    with _orchestrator(project_dir, database_url, by) as orchestrator:
        view = set_status(
            orchestrator.project,
            orchestrator.store,
            component,
            status,
            now=orchestrator.clock(),
            actor=orchestrator.actor,
            reason=reason,
        )
    if json_output:
        emit_json(view.as_json())
        return
    console().print(plain(f"{view.id} ({view.name}) is {view.status} since {_since(view)}."))
