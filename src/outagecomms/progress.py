"""Progress while a slow channel holds a command: "4/5 sent, waiting for customers-email
(8 s)...", so an on-call never stares at a silent terminal wondering whether it hangs.

:class:`FanoutProgress` is told when a batch starts and as each send ends (from the
fan-out's threads); while sends are pending it writes a line every ``interval`` seconds,
the first after ``first`` seconds, so a quick fan-out prints nothing at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the CLI builds one before anything heavy is imported
    from outagecomms.delivery import Outcome, Outgoing


class FanoutProgress:
    def __init__(
        self,
        out: TextIO,
        *,
        first: float = 1.0,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.first = first
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, str] = {}
        self._total = 0
        self._failed = 0
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, items: Sequence[Outgoing]) -> None:
        with self._lock:
            self._pending = {item.key: item.channel.name for item in items}
            self._total, self._failed, self._started = len(items), 0, self.clock()
        self._stop.clear()
        self._thread = threading.Thread(target=self._report, name="outagecomms-progress",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def done(self, outcome: Outcome) -> None:
        with self._lock:
            self._pending.pop(outcome.key, None)
            self._failed += not outcome.ok

    def finish(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def line(self) -> str | None:
        """The progress line now, or None when nothing is pending."""
        with self._lock:
            if not self._pending:
                return None
            waiting = ", ".join(sorted(self._pending.values()))
            sent = self._total - len(self._pending) - self._failed
            failed = f", {self._failed} failed" if self._failed else ""
            seconds = int(self.clock() - self._started)
        return (
            f"outagecomms: {sent}/{self._total} sent{failed}, waiting for {waiting} "
            f"({seconds} s)..."
        )

    def _report(self) -> None:
        wait = self.first
        while not self._stop.wait(wait):
            shown = self.line()
            if shown is None:
                return
            print(shown, file=self.out, flush=True)
            wait = self.interval
