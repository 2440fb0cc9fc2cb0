"""Queries over deliveries: the worker's release and block of a lease, the counts per
state and the next moment due (insert, read, start and finish an attempt are SQL text in
:mod:`.delivery_rows`); what a claim reads and writes is
:mod:`.claim_queries`, the claim policy itself :mod:`outagecomms.outbox.claims`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.delivery_rows import SUBSCRIBERS_AUDIENCE as SUBSCRIBERS_AUDIENCE
from outagecomms.store.tables import (
    PENDING_STATES,
    DeliveryState,
    deliveries,
    messages,
)


def release_claims(
    conn: Connection, delivery_ids: Iterable[int], *, owner: str, now: datetime
) -> int:
    """Hand deliveries this owner claimed but never sent back to the queue, due now, as
    if the claim had not happened: an attempt that did not start does not count, and
    nothing is marked possibly duplicated. Returns how many were released."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    mine = and_(deliveries.c.id.in_(ids), deliveries.c.lease_owner == owner)
    released = conn.execute(
        update(deliveries)
        .where(mine, deliveries.c.state == DeliveryState.SENDING.value)
        .values(
            state=DeliveryState.QUEUED.value,
            attempts=deliveries.c.attempts - 1,
            due_at=now,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
    ).rowcount
    released += conn.execute(
        update(deliveries)
        .where(mine, deliveries.c.state == DeliveryState.QUEUED.value)
        .values(due_at=now, lease_owner=None, lease_expires_at=None, updated_at=now)
    ).rowcount
    return int(released)


def release_blocked(
    conn: Connection, delivery_id: int, *, owner: str, now: datetime, until: datetime, reason: str
) -> bool:
    """Give back ``owner``'s claim on a delivery that could not be sent, without counting
    the attempt (it never left): ``blocked`` until ``until``, with ``reason``. False when
    ``owner`` no longer holds it."""
    result = conn.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.state == DeliveryState.SENDING.value,
            deliveries.c.lease_owner == owner,
        )
        .values(
            state=DeliveryState.BLOCKED.value,
            attempts=func.max(deliveries.c.attempts - 1, 0)
            if conn.dialect.name == "sqlite"
            else func.greatest(deliveries.c.attempts - 1, 0),
            due_at=until,
            last_error=reason,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
    )
    return result.rowcount == 1


def delivery_counts(conn: Connection, numbers: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per incident: how many deliveries are in each state."""
    ids = list(numbers)
    if not ids:
        return {}
    query = (
        select(messages.c.incident_id, deliveries.c.state, func.count())
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(messages.c.incident_id.in_(ids))
        .group_by(messages.c.incident_id, deliveries.c.state)
    )
    counts: dict[int, dict[str, int]] = {number: {} for number in ids}
    for number, state, count in conn.execute(query):
        counts[number][state] = count
    return counts


def next_due(conn: Connection, *, owner: str) -> datetime | None:
    """The earliest moment a delivery may need this worker: a pending delivery's due time
    (or, under another owner's lease, the lease's end), or a lease running out."""
    pending = [s.value for s in PENDING_STATES]
    unleased = conn.execute(
        select(func.min(deliveries.c.due_at)).where(
            deliveries.c.state.in_(pending),
            or_(deliveries.c.lease_owner.is_(None), deliveries.c.lease_owner == owner),
        )
    ).scalar_one()
    leased = conn.execute(
        select(func.min(deliveries.c.lease_expires_at)).where(
            deliveries.c.state.in_([*pending, DeliveryState.SENDING.value]),
            deliveries.c.lease_owner.is_not(None),
            deliveries.c.lease_owner != owner,
        )
    ).scalar_one()
    found = [moment for moment in (unleased, leased) if moment is not None]
    return _aware(min(found)) if found else None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
