"""Stand-ins for the three things an :class:`~outagecomms.incidents.Orchestrator` takes
from outside: the clock, the sender, and the approval gate.

A recording sender whose named channels fail, a clock that moves only when the test says
so, and a gate that approves every runbook but the ones it is told to refuse::

    clock, sender = FakeClock(), FakeSender(failing={"status-page"})
    orchestrator = Orchestrator(project, store, clock=clock, sender=sender)

``sender=`` stands in for apprise; a ``site`` channel is still rebuilt from the store. To
see every channel kind, the site included, pass the fake as the registry of senders by
kind too: ``Orchestrator(..., sender=sender, senders=sender.senders)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading

    from outagecomms.delivery import Outcome, Outgoing
    from outagecomms.outbox.sending import Batch, KindSender
    from outagecomms.project import LoadedRunbook, Project
    from outagecomms.vocabulary import ChannelKind

START = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
"""Where a :class:`FakeClock` starts unless told otherwise."""


class FakeClock:
    """Time that moves only when the test says so; call it for the current moment."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move on by ``timedelta(**delta)`` (``minutes=15``) and return the new moment."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeSender:
    """Records what it was asked to send; channels named in ``failing`` fail (as an
    HTTP 500 would); ``during`` runs while a batch is "in flight"."""

    failing: set[str] = field(default_factory=set)
    batches: list[list[Outgoing]] = field(default_factory=list)
    during: Callable[[Sequence[Outgoing]], None] | None = None

    def __call__(
        self,
        items: Sequence[Outgoing],
        *,
        concurrency: int = 16,
        timeout: float = 10.0,
        environ: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
        on_done: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """The apprise sender's signature (:class:`~outagecomms.outbox.sending.Sender`):
        ``on_done`` hears each outcome, as a progress display does."""
        from outagecomms.delivery import Outcome

        self.batches.append(list(items))
        if self.during is not None:
            self.during(items)
        outcomes = [
            Outcome(i.key, False, "HTTP 500 from receiver", 0.01)
            if i.channel.name in self.failing
            else Outcome(i.key, True, None, 0.01)
            for i in items
        ]
        if on_done is not None:
            for outcome in outcomes:
                on_done(outcome)
        return outcomes

    @property
    def senders(self) -> dict[ChannelKind, KindSender]:
        """A registry of senders by channel kind (``Orchestrator(senders=...)``) that sends
        every kind through this fake, ``site`` included."""
        from outagecomms.vocabulary import ChannelKind

        return {kind: self.send_kind for kind in ChannelKind}

    def send_kind(self, items: list[Outgoing], batch: Batch) -> list[Outcome]:
        """Send the items of one channel kind (a :class:`~outagecomms.outbox.sending.
        KindSender`): recorded as one batch, like :meth:`__call__`."""
        return self(items)

    @property
    def sent(self) -> list[Outgoing]:
        """Every item of every batch, in order."""
        return [item for batch in self.batches for item in batch]


@dataclass
class ApprovalGate:
    """The approval check ``declare`` asks before sending: every runbook passes unless its
    id is in ``refused`` (then only with a break-glass reason); every call is recorded as
    ``(runbook id, reason)``."""

    refused: set[str] = field(default_factory=set)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(
        self, project: Project, loaded: LoadedRunbook, *, unapproved_reason: str | None
    ) -> None:
        from outagecomms.errors import RefusedError

        self.calls.append((loaded.id, unapproved_reason))
        if loaded.id in self.refused and not unapproved_reason:
            raise RefusedError(f"runbook {loaded.id!r} was never approved")
