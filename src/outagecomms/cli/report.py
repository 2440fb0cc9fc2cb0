"""``outagecomms report INCIDENT``: what each channel was told and when, and the promise
record (a thin layer over :mod:`outagecomms.incident_report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, console, emit_json, project
from outagecomms.cli.options import DatabaseOption


@app.command()
def report(
    incident: Annotated[str, typer.Argument(help="The incident id, e.g. INC-7.")],
    html: Annotated[
        str | None,
        typer.Option(
            "--html",
            help="Write a self-contained HTML document for the postmortem to FILE ('-': stdout).",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """What each audience and channel was told and when, time to first message per
    channel, every promise ("next update by") with its lateness, and the share kept on time."""
    from rich.table import Table

    from outagecomms.incident_report import incident_report
    from outagecomms.incidents.defaults import open_project_store, utcnow
    from outagecomms.report_html import report_html, shown_duration
    from outagecomms.store.records import iso_utc

    store = open_project_store(project(project_dir), database_url)
    try:
        found = incident_report(store, incident, utcnow())
    finally:
        store.close()
    if html is not None:
        document = report_html(found)
        if html == "-":
            typer.echo(document, nl=False)
        else:
            Path(html).write_text(document, encoding="utf-8")
            console().print(f"wrote {html}", markup=False)
        return
    if json_output:
        emit_json(found.as_json())
        return
    out = console()
    record = found.record
    out.print(
        f"{found.incident.id} · {found.incident.runbook_id} · {found.incident.status.value} · "
        f"updates on time: {record.on_time} of {record.due}",
        markup=False,
    )
    first = Table(title="Time to first message", title_justify="left")
    for column in ("channel", "audience", "first message after", "messages"):
        first.add_column(column)
    for story in found.channels:
        first.add_row(
            story.channel, story.audience, shown_duration(story.first_after), str(len(story.told))
        )
    out.print(first)
    promises = Table(title="Promises (next update by)", title_justify="left")
    for column in ("message", "due", "kept by", "late by"):
        promises.add_column(column)
    for promise in record.promises:
        late = promise.late_by
        promises.add_row(
            f"#{promise.seq}",
            iso_utc(promise.due_at),
            "—" if promise.kept_by is None else f"#{promise.kept_by}",
            f"[red]{shown_duration(late)}[/red]" if late else "on time",
        )
    out.print(promises)
    for story in found.channels:
        told = Table(title=f"{story.channel} ({story.audience})", title_justify="left")
        for column in ("#", "phase", "sent", "text"):
            told.add_column(column)
        for item in story.told:
            d = item.delivery
            text = f"{d.title}\n\n{d.body}" if d.title else d.body
            told.add_row(
                str(item.message.seq),
                item.message.phase.value,
                iso_utc(d.sent_at) or d.state.value,
                text.replace("[", "\\["),
            )
        out.print(told)
