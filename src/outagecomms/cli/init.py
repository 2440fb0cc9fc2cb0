"""``outagecomms init``: a working project in one command (a thin layer over
:mod:`outagecomms.scaffold`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, app, console, emit_json


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to create the project (default: here).")
    ] = Path(),
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help="The runbook's languages, first is the default (repeatable or en,fa; "
            "en, fa, uk, lv; default en).",
        ),
    ] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="The channels' time zone, e.g. Europe/Riga.")
    ] = "UTC",
    json_output: JsonOption = False,
) -> None:
    """Create a project: settings, a starter runbook with every phase, one channel per
    common kind (secrets as ${VAR}), .gitignore, the runbook CI workflow and CODEOWNERS.

    Existing files are kept, never overwritten.
    """
    from rich.text import Text

    from outagecomms.scaffold import STARTER_RUNBOOK, init_project

    done = init_project(directory, languages=lang or [], timezone=timezone)
    if json_output:
        emit_json(done.as_json())
        return
    out = console()
    where = done.root.resolve()
    out.print(Text.assemble("Project in ", (str(where), "bold"), f" ({', '.join(done.languages)})"))
    for path in done.written:
        out.print(f"  wrote {path.relative_to(done.root).as_posix()}")
    for path in done.kept:
        out.print(Text(f"  kept  {path.relative_to(done.root).as_posix()} (already there)", "dim"))
    here = [] if where == Path.cwd().resolve() else [f"cd {directory}"]
    steps = [
        *here,
        "outagecomms lint",
        f"outagecomms preview {STARTER_RUNBOOK}",
        f'outagecomms approve {STARTER_RUNBOOK} --by "Your Name"',
        f'outagecomms declare {STARTER_RUNBOOK} --var impact="..." --dry-run',
    ]
    out.print()
    out.print(Text("Next:", style="bold"))
    for step in steps:
        out.print(f"  {step}")
    out.print(
        "Channels are disabled until their secrets are set: export the variables named in "
        "channels/*.yaml, then set enabled: true. The status page (channels/status-page.yaml) "
        "works from the start."
    )
