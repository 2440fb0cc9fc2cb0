"""The ``outagecomms`` command: a thin typer layer over the Python API.

Each module in this package registers one group of commands; errors from the API are
mapped to exit statuses here, once.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import typer
import typer.main

try:  # typer >= 0.20 vendors click; its exceptions are not click's
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer on plain click
    from click import exceptions as click_errors  # type: ignore[no-redef]

from outagecomms.cli import lean_typer, registry
from outagecomms.cli.app import app, embedded
from outagecomms.cli.options import flag_for
from outagecomms.errors import ExitStatus, OutagecommsError, exit_status_of

__all__ = ["app", "main", "run"]


def _load_commands() -> None:
    """Import every command module: each registers its commands on ``app``."""
    registry.load_commands()


def _error(message: str) -> None:
    print(f"outagecomms: error: {message}", file=sys.stderr)


def run(
    argv: Sequence[str] | None = None, *, orchestrator_options: Mapping[str, Any] | None = None
) -> int:
    """Run the CLI with ``argv`` and return the exit status (never raises, never exits).

    ``orchestrator_options``: extra options for every
    :class:`~outagecomms.incidents.Orchestrator` the commands build, for a program (or a
    test) that runs the CLI in-process: ``gate`` (the approval check), ``clock``,
    ``sender``, ``senders``."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("OUTAGECOMMS_DEBUG", "") not in ("", "0")
    lean_typer.install()
    registry.load_commands(args)
    try:
        command = typer.main.get_command(registry.invoked_only(app, args))
        with embedded(orchestrator_options):
            result = command.main(args=args, prog_name="outagecomms", standalone_mode=False)
    except OutagecommsError as exc:
        if debug:
            traceback.print_exc()
        _error(exc.naming(flag_for(exc.parameter)))
        return int(exit_status_of(exc))
    except click_errors.NoArgsIsHelpError as exc:
        print(exc.format_message(), file=sys.stdout)
        return int(ExitStatus.USAGE)
    except click_errors.UsageError as exc:
        name = exc.ctx.command_path if exc.ctx is not None else "outagecomms"
        message = " ".join(exc.format_message().replace("Value error, ", "").split())
        _error(f"{message} (see `{name} --help`)")
        return int(ExitStatus.USAGE)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click_errors.ClickException as exc:
        _error(exc.format_message())
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted")
        return int(ExitStatus.INTERRUPTED)  # exit_status_of(KeyboardInterrupt()) too
    except PermissionError as exc:  # a file or folder this user may not write or read
        if debug:
            traceback.print_exc()
        where = f" {exc.filename}" if exc.filename else ""
        _error(
            f"permission denied:{where} ({exc.strerror or exc}); make it writable by this "
            "user, run as the user that owns the project, or point --database-url / "
            "OUTAGECOMMS_DATABASE_URL elsewhere"
        )
        return int(exit_status_of(exc))
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _error(f"internal error: {type(exc).__name__}: {exc}; rerun with --debug and report it")
        return int(exit_status_of(exc))
    return int(result) if isinstance(result, int) else int(ExitStatus.OK)


def main() -> None:
    """Console-script entry point: the one in :mod:`outagecomms.entry` (imports made with the
    cycle collector paused, everything frozen before the interpreter exits)."""
    from outagecomms.entry import main as entry_main

    entry_main()
