"""The options the incident commands share (declare, update, resolve, postmortem, correct,
worker, serve, site...): each defined once, so a flag reads and documents the same everywhere.

Only typer here: ``--help`` must not import pydantic or SQLAlchemy.
"""

from __future__ import annotations

from typing import Annotated

import typer

FLAGS = {
    "by": "--by",
    "cadence": "--cadence",
    "cooldown": "--cooldown",
    "database_url": "--database-url",
    "dedupe_key": "--dedupe-key",
    "phase": "--phase",
    "runbook_version": "--runbook-version",
    "unapproved_reason": "--reason",
    "variables": "--var",
}
"""The flag of each Python API parameter an error may name (``OutagecommsError.parameter``)."""


def flag_for(parameter: str | None) -> str | None:
    """The command line's name for an API parameter (``dedupe_key`` -> ``--dedupe-key``)."""
    if parameter is None:
        return None
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="OUTAGECOMMS_DATABASE_URL",
        help="State database (default: .outagecomms/state.db in the project; "
        "postgresql://... for several workers).",
        show_default=False,
    ),
]
VarOption = Annotated[
    list[str] | None,
    typer.Option("--var", help="name=value (name.LANG=value for one language); repeatable."),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="OUTAGECOMMS_ACTOR",
        help="Who is posting (default: the OS user); shown to staff on internal channels.",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        envvar="OUTAGECOMMS_SEND_TIMEOUT",
        min=0.1,
        help="Seconds each channel's first attempt may take (default 10).",
        show_default=False,
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        envvar="OUTAGECOMMS_CONCURRENCY",
        min=1,
        help="Channels sent to at the same time (default 16).",
        show_default=False,
    ),
]
UnapprovedOption = Annotated[
    bool,
    typer.Option(
        "--unapproved",
        help="Break glass: send a runbook that is not approved (needs --reason).",
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason",
        help="Why, recorded: with --unapproved, why the unapproved runbook must go out now; "
        "with update --text, why no runbook message fits.",
    ),
]
DedupeOption = Annotated[
    str | None,
    typer.Option(
        "--dedupe-key",
        envvar="OUTAGECOMMS_DEDUPE_KEY",
        help="A stable name for the problem (e.g. a CI check): one open incident per key.",
        show_default=False,
    ),
]
IncidentArgument = Annotated[str, typer.Argument(help="The incident id, e.g. INC-7.")]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Render, fit and check everything (approval, channel secrets, URLs) and print "
        "what each channel would get; write and send nothing. Same exit codes.",
    ),
]
