"""Queries over deliveries by recipient: subscribers' deliveries counted per channel
(never an address read), every pending delivery to one address cancelled (unsubscribe,
SMS STOP), and an address erased from past deliveries (GDPR)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, literal, update
from sqlalchemy.engine import Connection

from outagecomms.store.delivery_rows import subscriber_counts, subscriber_counts_of_incidents
from outagecomms.store.posting_repo import cancelled_values
from outagecomms.store.tables import PENDING_STATES, deliveries

__all__ = [
    "cancel_pending_to", "forget_recipient", "subscriber_counts",
    "subscriber_counts_of_incidents",
]  # fmt: skip


def cancel_pending_to(conn: Connection, recipient: str, *, now: datetime, reason: str) -> int:
    """Cancel every never-sent delivery to ``recipient`` (an unsubscribe, an SMS STOP), at
    once, queued ones and retries alike; a delivery being sent right now is not stopped.
    Returns how many were cancelled."""
    done = conn.execute(
        update(deliveries)
        .where(
            deliveries.c.recipient == recipient,
            deliveries.c.state.in_([s.value for s in PENDING_STATES]),
        )
        .values(**cancelled_values(reason, now))
    )
    return int(done.rowcount)


def forget_recipient(conn: Connection, recipient: str) -> int:
    """Erase ``recipient`` from every delivery (a subscriber removed, GDPR): the rows stay
    for the incident's counts, their address becomes ``removed:<delivery id>``."""
    done = conn.execute(
        update(deliveries)
        .where(deliveries.c.recipient == recipient)
        .values(recipient=literal("removed:") + cast(deliveries.c.id, String))
    )
    return int(done.rowcount)
