"""Commands over the project's files: ``schema``, ``runbooks``, ``channels``, ``preview``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, plain, project
from outagecomms.cli.tables import keep_whole
from outagecomms.display import for_terminal
from outagecomms.vocabulary import Severity


@app.command()
def schema(json_output: JsonOption = False) -> None:
    """Print the JSON Schema of runbook and channel files (for editors and CI)."""
    from outagecomms.schema import json_schema

    emit_json(json_schema())


@app.command()
def runbooks(
    history: Annotated[
        bool, typer.Option("--history", help="Every approval: who, when, note, which content.")
    ] = False,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """List runbooks: id, title, languages and approval state."""
    from rich.table import Table
    from rich.text import Text

    from outagecomms.listing import runbook_rows

    if history:
        from outagecomms.cli.history import print_history
        from outagecomms.listing import approval_history

        found = approval_history(project(project_dir))
        return emit_json(found) if json_output else print_history(found)

    rows = runbook_rows(project(project_dir))
    if json_output:
        emit_json(rows)
        return
    table = Table(title="Runbooks", title_justify="left")
    for column in ("id", "title", "severity", "languages", "approval"):
        table.add_column(column)
    styles = {"approved": "green", "changed": "yellow", "never": "red"}
    for row in rows:
        table.add_row(
            plain(row["id"]),
            plain(row["title"]),
            plain(row["severity"]),
            plain(", ".join(row["languages"])),
            Text(row["approval"], style=styles[row["approval"]]),
        )
    console().print(keep_whole(table, "id"))


@app.command()
def channels(json_output: JsonOption = False, project_dir: ProjectOption = None) -> None:
    """List channels: name, kind, audience, limit and URL with secrets hidden."""
    from rich.table import Table

    from outagecomms.listing import channel_rows

    rows = channel_rows(project(project_dir))
    if json_output:
        emit_json(rows)
        return
    table = Table(title="Channels", title_justify="left")
    for column in ("name", "kind", "audience", "language", "format", "limit", "url"):
        table.add_column(column)
    columns = ("name", "kind", "audience", "language", "format", "limit", "url")
    for row in rows:
        table.add_row(*(plain(str(row[c])) for c in columns))
    console().print(keep_whole(table, "name"))


@app.command()
def preview(
    runbook: Annotated[str, typer.Argument(help="The runbook id.")],
    phase: Annotated[
        list[str] | None, typer.Option("--phase", help="Only this phase (repeatable).")
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Only this channel (repeatable).")
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="Only this language (repeatable).")
    ] = None,
    var: Annotated[
        list[str] | None,
        typer.Option("--var", help="name=value (name.LANG=value for one language)."),
    ] = None,
    all_kinds: Annotated[
        bool,
        typer.Option("--all-kinds", help="Preview on one sample channel of every kind."),
    ] = False,
    severity: Annotated[
        Severity | None, typer.Option("--severity", help="Severity for the cadence.")
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write a gallery of every message as customers see it to this .html file "
            "(or directory) instead of listing them.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Show every rendered message with its length against its channel's limit.

    Variables not given with --var take their runbook examples.
    """
    from rich.text import Text

    from outagecomms.preview import parse_phase
    from outagecomms.preview import preview as build_preview
    from outagecomms.project import parse_assignments

    loaded = project(project_dir)
    items = build_preview(
        loaded,
        runbook,
        phases=[parse_phase(p) for p in phase or []],
        channel_names=channel or [],
        langs=lang or [],
        given=parse_assignments(var or []),
        all_kinds=all_kinds,
        severity=severity,
    )
    gallery = None
    if html is not None:
        from outagecomms.site.gallery import gallery_html, write_gallery

        gallery = write_gallery(gallery_html(loaded, runbook, items), html)
    if json_output:
        emit_json(
            {
                "runbook": runbook,
                "messages": [{"phase": i.phase.value, **i.composed.as_json()} for i in items],
                **({"gallery": str(gallery)} if gallery is not None else {}),
            }
        )
        return
    if gallery is not None:
        console().print(plain(f"Gallery of {len(items)} messages written to {gallery}"))
        return
    out = console()
    current = None
    for item in items:
        if item.phase != current:
            current = item.phase
            out.rule(plain(f"{runbook} · {item.phase.value}", "bold"))
        c = item.composed
        m = c.measurement
        verdict = Text("fits", style="green") if m.fits else Text("TOO LONG", style="bold red")
        limit = "no limit" if m.limit is None else f"{m.length}/{m.limit} {m.unit}"
        if m.segments is not None:
            limit += f", {m.segments} segment{'s' if m.segments != 1 else ''}"
        header = Text.assemble(
            (for_terminal(c.channel), "bold cyan"),
            f"  {c.kind.value} · {c.format.value} · {c.lang} · {limit} · ",
            verdict,
        )
        if c.truncated:
            header.append("  (shortened to fit)", style="yellow")
        out.print(header)
        if c.title:
            out.print(plain(f"Subject: {c.title}", "bold"))
        out.print(plain(c.body))
        out.print()
