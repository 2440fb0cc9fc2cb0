"""The ``outagecomms`` console script.

The command line's imports (typer, the invoked command's module and what it needs) are made
with Python's cycle collector paused, then frozen out of its reach: they are long-lived, so
every collection that their allocations would trigger, and every later one that would walk
them, is work for nothing (~25 ms of a fresh command's start). Collection runs as usual
from then on, for the command itself (a worker or ``serve`` runs for days). Before the
interpreter exits, everything is frozen again: its last collection over the whole heap
would free nothing the exit does not.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["main"]


def main() -> None:
    """Run ``outagecomms`` with the process's arguments and exit with its status."""
    gc.disable()
    try:
        from outagecomms.cli import registry, run

        registry.load_commands(sys.argv[1:])
    finally:
        gc.freeze()
        gc.enable()
    status = run()
    gc.freeze()
    sys.exit(status)
