"""The promise record (README "The promise record"): every "next update by" an incident's
messages made, when it fell due, and when each channel actually got the next message.

Derived from the store's messages and deliveries, nothing kept beside them: a message's
``next_update_at`` is its promise; the next message on a channel, human or automatic,
keeps it when its delivery was sent (``sent_at``). Pure: no store, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from outagecomms.store.records import DeliveryRecord, DeliveryState, MessageRecord, iso_utc

GRACE = timedelta(minutes=1)
"""A promise is kept on time when the next message went out at most this long after it
fell due (a worker's step)."""

Timeline = Sequence[tuple[MessageRecord, Sequence[DeliveryRecord]]]
"""An incident's messages, oldest first, each with its deliveries."""


@dataclass(frozen=True)
class ChannelKept:
    """When one channel got the message that followed a promise (None: not yet)."""

    channel: str
    sent_at: datetime | None
    late_by: timedelta | None
    """How late, when late (at ``now`` if nothing was sent yet); None: on time."""


@dataclass(frozen=True)
class Promise:
    seq: int
    """The message that made the promise."""
    due_at: datetime
    channels: tuple[ChannelKept, ...]
    kept_by: int | None
    """The message that followed it (None: none yet)."""

    @property
    def fell_due(self) -> bool:
        return self.kept_by is not None or any(c.late_by is not None for c in self.channels)

    @property
    def late_by(self) -> timedelta | None:
        """The worst lateness over its channels (None: on time everywhere, or not due)."""
        late = [c.late_by for c in self.channels if c.late_by is not None]
        return max(late) if late else None

    @property
    def on_time(self) -> bool:
        return self.fell_due and self.late_by is None

    def as_json(self) -> dict[str, Any]:
        late = self.late_by
        return {
            "seq": self.seq,
            "due_at": iso_utc(self.due_at),
            "kept_by_seq": self.kept_by,
            "fell_due": self.fell_due,
            "on_time": self.on_time,
            "late_by_seconds": None if late is None else int(late.total_seconds()),
            "channels": [
                {
                    "channel": c.channel,
                    "sent_at": iso_utc(c.sent_at),
                    "late_by_seconds": None
                    if c.late_by is None
                    else int(c.late_by.total_seconds()),
                }
                for c in self.channels
            ],
        }


@dataclass(frozen=True)
class PromiseRecord:
    promises: tuple[Promise, ...]

    @property
    def due(self) -> int:
        return sum(1 for p in self.promises if p.fell_due)

    @property
    def on_time(self) -> int:
        return sum(1 for p in self.promises if p.on_time)

    @property
    def share(self) -> float | None:
        return None if not self.due else self.on_time / self.due

    def summary(self) -> dict[str, Any]:
        return {"on_time": self.on_time, "due": self.due, "share": self.share}


def _sent(delivery: DeliveryRecord) -> datetime | None:
    return delivery.sent_at if delivery.state is DeliveryState.SENT else None


def promise_record(timeline: Timeline, now: datetime) -> PromiseRecord:
    """Every promise of one incident and how each channel saw it kept."""
    promises: list[Promise] = []
    for index, (message, deliveries) in enumerate(timeline):
        due = message.next_update_at
        if due is None:
            continue
        later = timeline[index + 1 :]
        kept: list[ChannelKept] = []
        for delivery in deliveries:
            sent_at = None
            for _next, next_deliveries in later:
                found = [d for d in next_deliveries if d.channel == delivery.channel]
                if found:
                    sent_at = _sent(found[0])
                    break
            moment = sent_at if sent_at is not None else now
            late = moment - due if moment - due > GRACE else None
            kept.append(ChannelKept(delivery.channel, sent_at, late))
        promises.append(
            Promise(
                seq=message.seq,
                due_at=due,
                channels=tuple(kept),
                kept_by=later[0][0].seq if later else None,
            )
        )
    return PromiseRecord(tuple(promises))
