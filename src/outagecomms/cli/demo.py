"""``outagecomms demo``: a whole incident against local sinks, narrated."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import JsonOption, app, console, emit_json
from outagecomms.vocabulary import ChannelKind

if TYPE_CHECKING:
    from outagecomms.demo import Received, Step


def _describe(received: Received) -> str:
    data = received.as_json()
    if received.kind is ChannelKind.EMAIL:
        return f"subject {data['length']}/{data['limit']} chars"
    if data["limit"] is None:
        return f"{data['length']} chars"
    text = f"{data['length']}/{data['limit']} {data['unit']}"
    if data["segments"] is not None:
        text += f", {data['segments']} SMS segment{'s' if data['segments'] != 1 else ''}"
    return text


def _show(step: Step) -> None:
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.text import Text

    out = console()
    out.print(Rule(Text(step.title, style="bold")))
    out.print(Text(f"$ {step.command}", style="dim"))
    if step.note:
        out.print(Text(step.note, style="italic"))
    if step.report is None:
        return
    incident = step.report.incident
    out.print(
        f"{step.at:%H:%M} UTC · {incident.id}: phase {incident.phase}, status {incident.status}"
        + (
            f", next update promised by {incident.next_update_at:%H:%M} UTC"
            if incident.next_update_at and incident.is_open
            else ""
        )
    )
    for item in step.received:
        body = Text()
        for name, value in item.headers.items():
            body.append(f"{name}: {value}\n", style="dim")
        if item.title:
            body.append(f"Subject: {item.title}\n\n", style="bold")
        body.append(item.text)
        title = f"{item.channel} ({item.kind.value}) · {_describe(item)}"
        out.print(Panel(body, title=title, title_align="left", expand=False))


def _quiet_expected_failures(ctx: typer.Context) -> None:
    """The demo's failing channel is part of the story and narrated: unless a log level
    was asked for, its warning is not logged in the middle of the narration."""
    root = ctx.find_root()
    source = root.get_parameter_source("log_level")
    if source is None or source.name == "DEFAULT":
        from outagecomms import logs

        log_format = root.params.get("log_format")
        logs.configure(log_format=str(getattr(log_format, "value", "auto")), level="error")


@app.command()
def demo(
    ctx: typer.Context,
    site: Annotated[
        Path | None,
        typer.Option(
            "--site",
            help="Where to write the status page the demo builds (default: a new directory).",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Run a whole incident on SQLite against local SMTP/HTTP sinks and show what each
    channel received (nothing leaves this machine)."""
    _quiet_expected_failures(ctx)
    if site is not None:
        site.mkdir(parents=True, exist_ok=True)
    from rich.rule import Rule
    from rich.text import Text

    from outagecomms.demo import NEXT_STEPS, run_demo

    if json_output:
        emit_json(run_demo(site=site).as_json())
        return
    console().print(
        Text(
            "outagecomms demo: a throw-away project with the shipped runbooks, an SMTP server "
            "and an HTTP server on 127.0.0.1 standing in for every channel, a status page in a "
            "directory, state in SQLite, time simulated.",
            style="italic",
        )
    )
    story = run_demo(on_step=_show, site=site)
    out = console()
    sent = sum(1 for step in story.steps if step.received)
    out.print(Rule(f"Done: {sent} steps sent to customers and staff, nothing left this machine"))
    out.print(Text.assemble("The status page it built: ", (f"{story.site / 'index.html'}", "bold")))
    out.print(Text('What next: your own project (README, "Your first project"):', style="bold"))
    for command in NEXT_STEPS:
        out.print(f"  {command}")
