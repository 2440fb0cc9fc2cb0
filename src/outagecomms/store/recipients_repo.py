"""Queries over deliveries by recipient: subscribers' deliveries counted per channel
(never an address read), every pending delivery to one address cancelled (unsubscribe,
SMS STOP), and an address erased from past deliveries (GDPR)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import SUBSCRIBERS_AUDIENCE
from outagecomms.store.posting_repo import cancelled_values
from outagecomms.store.tables import PENDING_STATES, deliveries, messages


def subscriber_counts_of_incidents(
    conn: Connection, numbers: Iterable[int]
) -> dict[int, dict[str, dict[str, int]]]:
    """Per incident, per subscribers' channel: how many deliveries are in each state."""
    ids = list(numbers)
    if not ids:
        return {}
    query = (
        select(messages.c.incident_id, deliveries.c.channel, deliveries.c.state, func.count())
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(
            messages.c.incident_id.in_(ids),
            deliveries.c.audience == SUBSCRIBERS_AUDIENCE,
        )
        .group_by(messages.c.incident_id, deliveries.c.channel, deliveries.c.state)
    )
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for number, channel, state, count in conn.execute(query):
        counts.setdefault(number, {}).setdefault(channel, {})[state] = count
    return counts


def subscriber_counts(
    conn: Connection, message_ids: Iterable[int]
) -> dict[int, dict[str, dict[str, int]]]:
    """Per message, per subscribers' channel: how many deliveries are in each state (no
    address is read)."""
    ids = list(message_ids)
    if not ids:
        return {}
    query = (
        select(deliveries.c.message_id, deliveries.c.channel, deliveries.c.state, func.count())
        .where(
            deliveries.c.message_id.in_(ids),
            deliveries.c.audience == SUBSCRIBERS_AUDIENCE,
        )
        .group_by(deliveries.c.message_id, deliveries.c.channel, deliveries.c.state)
    )
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for message_id, channel, state, count in conn.execute(query):
        counts.setdefault(message_id, {}).setdefault(channel, {})[state] = count
    return counts


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
