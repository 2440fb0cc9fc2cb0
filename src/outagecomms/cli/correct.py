"""``outagecomms correct``: a correction of an incident's last message (a thin layer over
:meth:`outagecomms.incidents.Orchestrator.correct`)."""

from __future__ import annotations

from typing import Annotated

import typer

from outagecomms.cli.app import JsonOption, ProjectOption, app, project
from outagecomms.cli.incidents import _orchestrator
from outagecomms.cli.options import (
    ByOption,
    ConcurrencyOption,
    DatabaseOption,
    IncidentArgument,
    TimeoutOption,
)
from outagecomms.cli.output import _finish
from outagecomms.cli.own_words import LangOption, TextFileOption, TextOption


@app.command()
def correct(
    incident: IncidentArgument,
    text: TextOption = None,
    text_file: TextFileOption = None,
    lang: LangOption = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="What the last message got wrong (recorded)."),
    ] = None,
    by: ByOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = None,
    database_url: DatabaseOption = None,
    json_output: JsonOption = False,
    project_dir: ProjectOption = None,
) -> None:
    """Send a correction of INCIDENT's last message to its channels; the promised next
    update stays as it was.

    Default text: the runbook's correction phase, else a built-in short correction.
    """
    from outagecomms.cli.own_words import read_words
    from outagecomms.own_words import CORRECTION, OwnWords

    given = read_words(text, text_file, lang, project(project_dir))
    why = (reason or "").strip() or "correction of the last message"
    words = None if given is None else OwnWords(given, why, origin=CORRECTION)
    with _orchestrator(
        project_dir, database_url, by=by, timeout=timeout, concurrency=concurrency
    ) as orchestrator:
        report = orchestrator.correct(incident, words=words)
    _finish(report, "correction sent", json_output)
