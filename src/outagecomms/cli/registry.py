"""Which module registers which command, so that one invocation imports only its own.

``outagecomms declare ...`` imports ``cli/incidents.py`` and nothing of ``serve``,
``maintenance`` or ``demo``; ``outagecomms --help`` (no command, or one this table does not
know) imports every module, in the order that gives the help its order.
``tests/test_startup.py`` keeps the table in step with the commands the modules register.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

MODULES: tuple[str, ...] = (
    "components",
    "correct",
    "demo",
    "files",
    "incidents",
    "init",
    "lint",
    "maintenance",
    "measure",
    "report",
    "service",
    "site",
    "subscribers",
    "worker",
)
"""Every command module, in the order ``--help`` lists their commands."""

COMMAND_MODULES: dict[str, str] = {
    "declare": "incidents",
    "update": "incidents",
    "resolve": "incidents",
    "postmortem": "incidents",
    "status": "incidents",
    "show": "incidents",
    "components": "components",
    "correct": "correct",
    "demo": "demo",
    "schema": "files",
    "runbooks": "files",
    "channels": "files",
    "preview": "files",
    "init": "init",
    "lint": "lint",
    "approve": "lint",
    "maintenance": "maintenance",
    "measure": "measure",
    "report": "report",
    "serve": "service",
    "token": "service",
    "routes": "service",
    "site": "site",
    "subscribers": "subscribers",
    "worker": "worker",
}
"""The module that registers each top-level command (or group)."""

GLOBAL_OPTIONS_WITH_VALUE = frozenset({"--log-format", "--log-level"})
"""Options of ``outagecomms`` itself that take a value (the word after them is not a command)."""


def invoked_command(args: Sequence[str]) -> str | None:
    """The command ``args`` invoke (the first word that is neither an option nor an option's
    value), or ``None`` when there is none."""
    words = iter(args)
    for word in words:
        if word == "--":
            return next(words, None)
        if word in GLOBAL_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def load_commands(args: Sequence[str] | None = None) -> None:
    """Import the module of the command ``args`` invoke, or every module when ``args`` is
    ``None``, names no command or one that is not in :data:`COMMAND_MODULES`."""
    command = invoked_command(args) if args is not None else None
    module = COMMAND_MODULES.get(command or "")
    for name in (module,) if module else MODULES:
        importlib.import_module(f"outagecomms.cli.{name}")


def invoked_only(app: typer.Typer, args: Sequence[str]) -> typer.Typer:
    """``app`` with only the command ``args`` invoke when it is one of its plain commands
    (a copy: ``app`` itself keeps them all), else ``app``. typer builds every registered
    command's parameters before it runs one (~3 ms each: ``declare`` shares its module with
    five others); an unknown command still gets the full list to choose from."""
    from typer.main import get_command_name

    name = invoked_command(args)
    if name is None or name not in COMMAND_MODULES:
        return app
    chosen = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == name
    ]
    if not chosen:
        return app  # a group, or a command registered otherwise
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean
