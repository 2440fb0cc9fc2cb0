"""``outagecomms measure``: a text's length as one channel kind counts it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, app, console, emit_json
from outagecomms.counting import measure as measure_text
from outagecomms.models import ChannelKind


@app.command()
def measure(
    text: Annotated[str, typer.Argument(help="The text, or - to read it from stdin.")],
    kind: Annotated[ChannelKind, typer.Option("--kind", help="The channel kind.")],
    segments: Annotated[
        int | None, typer.Option("--segments", min=1, max=10, help="SMS: segments allowed.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Measure TEXT as channel KIND counts it; exit 1 when it does not fit."""
    if text == "-":
        text = sys.stdin.read().rstrip("\n")
    result = measure_text(text, kind, max_segments=segments)
    if json_output:
        emit_json(result.as_json())
    else:
        verdict = "fits" if result.fits else "does not fit"
        console().print(f"{result.length}/{result.limit} {result.unit}: {verdict}")
    if not result.fits:
        raise typer.Exit(1)
