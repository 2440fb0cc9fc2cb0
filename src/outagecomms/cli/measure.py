"""``outagecomms measure``: a text's length as one channel kind counts it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.cli.app import JsonOption, app, console, emit_json
from outagecomms.vocabulary import ChannelKind

if TYPE_CHECKING:
    from outagecomms.counting import Measurement


def read_text(text: str) -> str:
    """TEXT itself, or stdin for ``-`` without the one line ending a shell adds."""
    if text != "-":
        return text
    return sys.stdin.read().removesuffix("\n").removesuffix("\r")


def summary(result: Measurement) -> str:
    """One line: ``262/280 weighted: fits``; SMS adds segments; Slack warns past readable."""
    from outagecomms.counting import soft_limit

    size = (
        f"{result.length} {result.unit}"
        if result.limit is None
        else (f"{result.length}/{result.limit} {result.unit}")
    )
    if result.segments is not None and result.max_segments is not None:
        noun = "segment" if result.max_segments == 1 else "segments"
        size += f", {result.segments}/{result.max_segments} {noun}"
    verdict = "fits" if result.fits else "does not fit"
    readable = soft_limit(result.kind)
    if result.fits and readable is not None and result.length > readable:
        verdict += f" (longer than the {readable} {result.unit} that stay readable)"
    elif result.limit is None:
        verdict += " (no limit)"
    return f"{size}: {verdict}"


@app.command()
def measure(
    text: Annotated[str, typer.Argument(help="The text, or - to read it from stdin.")],
    kind: Annotated[ChannelKind, typer.Option("--kind", help="The channel kind.")],
    segments: Annotated[
        int | None,
        typer.Option("--segments", min=1, max=10, help="SMS: segments allowed (default 3)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Measure TEXT as channel KIND counts it; exit 1 when it does not fit.

    For email, TEXT is the subject line.
    """
    from outagecomms.counting import measure as measure_text

    if segments is not None and kind is not ChannelKind.SMS:
        raise typer.BadParameter("applies to --kind sms only", param_hint="'--segments'")
    result = measure_text(read_text(text), kind, max_segments=segments)
    if json_output:
        emit_json(result.as_json())
    else:
        console().print(summary(result), markup=False)
    if not result.fits:
        raise typer.Exit(1)
