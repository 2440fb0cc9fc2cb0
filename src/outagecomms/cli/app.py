"""The typer application, its global options and the helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from outagecomms.project import Project

# Command modules import what a command needs inside the command itself, so that
# `outagecomms --help` (and every other invocation) loads only what it uses.


class LogFormat(StrEnum):
    AUTO = "auto"
    CONSOLE = "console"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


app = typer.Typer(
    name="outagecomms",
    help=(
        "Outage communications from pre-approved runbooks: the right human words to every "
        "channel, on time, until it is over."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        envvar="OUTAGECOMMS_JSON",
        help="Print exactly one JSON document on stdout (logs go to stderr).",
    ),
]
ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        envvar="OUTAGECOMMS_PROJECT",
        help="The project directory (default: the current directory or a parent).",
        show_default=False,
    ),
]


@app.callback()
def _global(
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="OUTAGECOMMS_DEBUG", help="Show tracebacks on errors."),
    ] = False,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            envvar="OUTAGECOMMS_LOG_FORMAT",
            help="Logs on stderr: auto (JSON when stderr is not a terminal), console or json.",
        ),
    ] = LogFormat.AUTO,
    log_level: Annotated[
        LogLevel,
        typer.Option("--log-level", envvar="OUTAGECOMMS_LOG_LEVEL", help="Least level logged."),
    ] = LogLevel.WARNING,
) -> None:
    from outagecomms import logs

    logs.configure(log_format=log_format.value, level="debug" if debug else log_level.value)


_ORCHESTRATOR_OPTIONS: ContextVar[Mapping[str, Any] | None] = ContextVar(
    "orchestrator_options", default=None
)


@contextmanager
def embedded(options: Mapping[str, Any] | None) -> Iterator[None]:
    """While a program runs the CLI in-process (``run(argv, orchestrator_options=...)``),
    every orchestrator the commands build gets ``options`` (its ``gate``, ``clock``,
    ``sender``, ``senders``); nothing on the command line can set them."""
    token = _ORCHESTRATOR_OPTIONS.set(dict(options or {}))
    try:
        yield
    finally:
        _ORCHESTRATOR_OPTIONS.reset(token)


def orchestrator_options() -> dict[str, Any]:
    """The options the embedding program gave (:func:`embedded`); none from the shell."""
    return dict(_ORCHESTRATOR_OPTIONS.get() or {})


def console() -> Console:
    """A console on the current stdout (so tests capturing stdout see everything)."""
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False)


def project(path: Path | None) -> Project:
    from outagecomms.project import Project

    return Project.discover(path)


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


def plain(text: str, style: str = "") -> Text:
    """Data (from runbooks, values, the store) as plain text on the terminal: never read
    as Rich markup, control characters shown as escapes, bidirectional text isolated."""
    from rich.text import Text

    from outagecomms.display import for_terminal

    return Text(for_terminal(text), style=style)
