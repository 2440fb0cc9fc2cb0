"""The worker's sending pipeline: a long-lived pool of sender threads that claimed
deliveries are handed to as soon as they are claimed, and that hands back each send as
it ends, so that a slot freed by a fast send is refilled by the next claim while a slow
one is still waiting for its provider.

Only the worker's own thread touches the store: the pool's threads send and nothing
else. A send that raises is reported as a failure of that send (``error``), never lost.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from outagecomms.delivery import Outcome
from outagecomms.store.records import DeliveryRecord

SendFunction = Callable[[Sequence[DeliveryRecord]], tuple[dict[int, Outcome], dict[int, str]]]
"""Sends some claimed deliveries: the outcome of each one sent, and the ones held back
without an attempt (id -> why)."""


@dataclass
class Sent:
    """One send handed back by the pool: its deliveries, what became of them, and the
    claim they came from (a number, to tell when all of one message's are recorded)."""

    records: list[DeliveryRecord]
    claim: int
    incident_of: dict[int, int]
    """Delivery id -> incident number."""
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    blocked: dict[int, str] = field(default_factory=dict)
    error: BaseException | None = None
    """The send raised (a bug): nothing is known to have left."""
    ahead: bool = False
    """Claimed ahead: queued behind a full pool of sends when submitted."""
    unsent: bool = False
    """Claimed ahead and not begun when the worker was asked to stop: nothing left, the
    claims are to be released (no attempt counted)."""


class SendPool:
    """Up to ``size`` sends at a time on long-lived threads (kept from step to step), fed
    from one queue: a send handed over is a callable and its context, no future (the
    :class:`Flight` hears of its end itself)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._work: queue.SimpleQueue[tuple[contextvars.Context, Callable[[], None]] | None]
        self._work = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._serial = threading.Lock()

    def flight(self, stop: threading.Event) -> Flight:
        """A new set of sends whose ends one caller waits for; once ``stop`` is set, the
        sends claimed ahead that have not begun are not begun."""
        return Flight(self, stop)

    def _submit(self, run: Callable[[], None]) -> None:
        if len(self._threads) < self.size:  # a thread per send until there are ``size``
            thread = threading.Thread(
                target=self._serve,
                name=f"outagecomms-send_{len(self._threads)}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        self._work.put((contextvars.copy_context(), run))

    def _serve(self) -> None:
        while (work := self._work.get()) is not None:
            context, run = work
            context.run(run)

    def close(self) -> None:
        """Let the threads end once their sends are done (does not wait)."""
        for _thread in self._threads:
            self._work.put(None)
        self._threads = []


class Flight:
    """The sends one pipeline run has in flight. :meth:`wait` waits for the next send to
    end and returns the claims whose sends have all ended: a claim is recorded as one
    batch (what its slowest send waits for is its own record, never the next claim)."""

    def __init__(self, pool: SendPool, stop: threading.Event) -> None:
        self._pool = pool
        self._stop = stop
        self._done: queue.SimpleQueue[Sent] = queue.SimpleQueue()
        self._ended: dict[int, list[Sent]] = {}
        self._left: dict[int, int] = {}
        self.sends = 0
        """Sends submitted and not yet ended."""
        self.deliveries = 0
        """Their deliveries."""

    def submit(self, send: SendFunction, sent: Sent, *, serial: bool = False) -> None:
        """Send ``sent.records`` with ``send`` on a pool thread. ``serial``: never at the
        same time as another serial send (a status page rebuilt from the store)."""
        sent.ahead = self.deliveries >= self._pool.size
        self.sends += 1
        self.deliveries += len(sent.records)
        self._left[sent.claim] = self._left.get(sent.claim, 0) + 1
        self._pool._submit(lambda: self._run(send, sent, serial))

    def _run(self, send: SendFunction, sent: Sent, serial: bool) -> None:
        try:
            if sent.ahead and self._stop.is_set():
                sent.unsent = True
            elif serial:
                with self._pool._serial:
                    sent.outcomes, sent.blocked = send(sent.records)
            else:
                sent.outcomes, sent.blocked = send(sent.records)
        except BaseException as exc:  # reported to the worker's thread, never lost
            sent.error = exc
        finally:
            self._done.put(sent)

    def wait(self) -> list[list[Sent]]:
        """Wait for the next send to end; the claims (each as its sends) whose sends have
        all ended by now, oldest claim first."""
        ended = [self._done.get()]
        while True:
            try:
                ended.append(self._done.get_nowait())
            except queue.Empty:
                break
        self.sends -= len(ended)
        self.deliveries -= sum(len(sent.records) for sent in ended)
        for sent in ended:
            self._ended.setdefault(sent.claim, []).append(sent)
            self._left[sent.claim] -= 1
        ready = sorted(claim for claim, left in self._left.items() if left == 0)
        for claim in ready:
            del self._left[claim]
        return [sorted(self._ended.pop(claim), key=lambda s: s.records[0].id) for claim in ready]
