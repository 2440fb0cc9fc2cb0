"""The outbox's writes for a batch of new messages, one per incident (the worker's
automatic updates of every overdue incident at once, or a single declare's message): the
next sequence numbers, the messages, and cancelling the never-sent deliveries they make
stale. A few statements whatever the batch's size (``executemany``, ``IN`` lists)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.records import DeliveryRecord
from outagecomms.store.tables import PENDING_STATES, DeliveryState, deliveries, messages
from outagecomms.vocabulary import Phase

_PENDING = [s.value for s in PENDING_STATES]
_RESOLVED = Phase.RESOLVED.value


def next_message_seqs(conn: Connection, numbers: Collection[int]) -> dict[int, int]:
    """Incident number -> the sequence number of its next message (1 for the first)."""
    query = (
        select(messages.c.incident_id, func.max(messages.c.seq))
        .where(messages.c.incident_id.in_(list(numbers)))
        .group_by(messages.c.incident_id)
    )
    latest = {int(number): int(seq) for number, seq in conn.execute(query)}
    return {number: latest.get(number, 0) + 1 for number in numbers}


def insert_messages(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert messages (each row: the ``messages`` columns but ``id``) in one statement;
    their ids, in the order of ``rows``."""
    if not rows:
        return []
    query = insert(messages).returning(messages.c.id, sort_by_parameter_order=True)
    return [int(found) for found in conn.execute(query, [dict(row) for row in rows]).scalars()]


@dataclass(frozen=True)
class Superseding:
    """What one new message makes stale: the never-sent deliveries of its incident's older
    messages on ``channels`` (None: on every channel); with ``keep_resolutions`` not those
    of a ``resolved`` message. ``reason``: what the cancelled deliveries say."""

    incident: int
    message_id: int
    channels: Collection[str] | None
    keep_resolutions: bool
    reason: str


def cancel_superseded(
    conn: Connection, batch: Sequence[Superseding], *, now: datetime
) -> dict[int, list[DeliveryRecord]]:
    """Cancel what each new message of ``batch`` (one per incident) supersedes; incident
    number -> the deliveries cancelled, oldest first. The state is checked again in the
    ``UPDATE``: on PostgreSQL a worker may have claimed one (moved it to ``sending``) since
    the read, and a delivery being sent is not cancelled."""
    newer = {s.incident: s for s in batch}
    if len(newer) != len(batch):
        raise ValueError("one new message per incident in a batch")
    older = select(messages.c.id, messages.c.incident_id, messages.c.phase).where(
        messages.c.incident_id.in_(list(newer))
    )
    stale_by: dict[int, Superseding] = {}
    for message_id, number, phase in conn.execute(older):
        superseding = newer[int(number)]
        kept = superseding.keep_resolutions and phase == _RESOLVED
        if message_id < superseding.message_id and not kept:
            stale_by[int(message_id)] = superseding
    if not stale_by:
        return {}
    query = (
        select(deliveries)
        .where(deliveries.c.message_id.in_(list(stale_by)), deliveries.c.state.in_(_PENDING))
        .order_by(deliveries.c.id)
    )
    if all(s.channels is not None for s in batch):  # else: some supersede every channel
        named = {channel for s in batch for channel in s.channels or ()}
        query = query.where(deliveries.c.channel.in_(sorted(named)))
    rows = [
        row
        for row in conn.execute(query).mappings()
        if _on_channels(row["channel"], stale_by[row["message_id"]].channels)
    ]
    by_reason: dict[str, list[int]] = {}
    for row in rows:
        by_reason.setdefault(stale_by[row["message_id"]].reason, []).append(row["id"])
    done: set[int] = set()
    for reason, ids in by_reason.items():
        done.update(_cancel(conn, ids, reason, now))
    cancelled: dict[int, list[DeliveryRecord]] = {}
    for row in rows:
        if row["id"] in done:
            number = stale_by[row["message_id"]].incident
            cancelled.setdefault(number, []).append(DeliveryRecord.from_row(row))
    return cancelled


def _on_channels(channel: str, channels: Collection[str] | None) -> bool:
    return channels is None or channel in channels


def _cancel(conn: Connection, ids: list[int], reason: str, now: datetime) -> list[int]:
    """Cancel the deliveries ``ids`` still pending; the ids it cancelled."""
    query = (
        update(deliveries)
        .where(deliveries.c.id.in_(ids), deliveries.c.state.in_(_PENDING))
        .returning(deliveries.c.id)
        .values(**cancelled_values(reason, now))
    )
    return [int(found) for found in conn.execute(query).scalars()]


def cancelled_values(reason: str, now: datetime) -> dict[str, Any]:
    """The columns of a delivery cancelled ``now`` before it was sent, for ``reason``."""
    return {
        "state": DeliveryState.CANCELLED.value, "due_at": None, "lease_owner": None,
        "lease_expires_at": None, "last_error": reason, "updated_at": now,
    }  # fmt: skip
