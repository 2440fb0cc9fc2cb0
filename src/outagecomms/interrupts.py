"""Ctrl-C while a command sends: the first one lets what is being written finish and stops
the sends (what is not sent stays queued for the worker), a second one quits at once. The
CLI's sending commands and the GitHub Action's step (a cancelled run gets SIGINT) share it."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from outagecomms.errors import ExitStatus


@contextmanager
def first_ctrl_c_stops_sending() -> Iterator[threading.Event | None]:
    """While it is open, the first SIGINT sets the event it yields (give it to the
    orchestrator as ``interrupt``) and a second one exits at once; None off the main thread,
    where no signal arrives."""
    if threading.current_thread() is not threading.main_thread():
        yield None  # signals reach the main thread only (an embedding program's thread)
        return
    interrupt = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if interrupt.is_set():
            print("outagecomms: interrupted again: quitting at once", file=sys.stderr, flush=True)
            os._exit(int(ExitStatus.INTERRUPTED))
        interrupt.set()
        print(
            "outagecomms: Ctrl-C: recording what is done and leaving the rest to the worker "
            "(Ctrl-C again quits at once)",
            file=sys.stderr,
            flush=True,
        )

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
