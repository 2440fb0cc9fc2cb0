"""Queries over deliveries: insert, read, cancel, the attempt's lease (start, finish,
release, block); what a claim reads and writes is :mod:`.claim_queries`, the claim policy
itself :mod:`outagecomms.outbox.claims`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.records import DeliveryRecord
from outagecomms.store.tables import (
    PENDING_STATES,
    DeliveryState,
    deliveries,
    messages,
)
from outagecomms.vocabulary import Phase

RESOLVED_PHASE = Phase.RESOLVED.value
POSTMORTEM_PHASE = Phase.POSTMORTEM.value
WAITING_FOR_EARLIER = (
    "waits for an earlier message of this incident on this channel (being sent, or a "
    "resolution not delivered yet); the worker sends it right after"
)


BULK_BATCH = 1000
"""Rows per executemany when one message goes to many recipients (100,000 subscribers are
100 statements, not 100,000)."""
SUBSCRIBERS_AUDIENCE = "subscribers"


def delivery_values(
    *,
    message_id: int,
    channel: str,
    kind: str,
    audience: str,
    title: str | None,
    body: str,
    length: int,
    limit: int | None,
    unit: str,
    idempotency_key: str,
    created_at: datetime,
    due_at: datetime | None,
    state: DeliveryState = DeliveryState.QUEUED,
    attempts: int = 0,
    lease_owner: str | None = None,
    lease_expires_at: datetime | None = None,
    last_error: str | None = None,
    sent_at: datetime | None = None,
    possibly_duplicate: bool = False,
    cut_from: int | None = None,
    recipient: str = "",
) -> dict[str, Any]:
    """The row of a new delivery of message ``message_id`` to the channel named
    ``channel`` (its ``kind`` and ``audience``, exactly what it gets), to ``recipient``
    ("": the channel's URL whole)."""
    return {
        "message_id": message_id, "channel": channel, "kind": kind, "audience": audience,
        "title": title, "body": body, "length": length, "limit": limit, "unit": unit,
        "state": DeliveryState(state).value, "attempts": attempts, "due_at": due_at,
        "lease_owner": lease_owner, "lease_expires_at": lease_expires_at,
        "last_error": last_error, "sent_at": sent_at, "possibly_duplicate": possibly_duplicate,
        "idempotency_key": idempotency_key, "created_at": created_at, "updated_at": created_at,
        "cut_from": cut_from, "recipient": recipient,
    }  # fmt: skip


def insert_delivery(conn: Connection, **fields: Any) -> int:
    """A new delivery (the fields of :func:`delivery_values`); returns its id."""
    values = delivery_values(**fields)
    result = conn.execute(insert(deliveries).values(**values).returning(deliveries.c.id))
    return int(result.scalar_one())


def insert_deliveries(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many deliveries with executemany, :data:`BULK_BATCH` rows a statement."""
    for start in range(0, len(rows), BULK_BATCH):
        conn.execute(insert(deliveries), list(rows[start : start + BULK_BATCH]))
    return len(rows)


def deliveries_of(
    conn: Connection, message_ids: Iterable[int], *, subscribers: bool = True
) -> list[DeliveryRecord]:
    """The deliveries of these messages; without ``subscribers``, not those to subscribers
    (there may be 100,000: :func:`subscriber_counts` counts them)."""
    ids = list(message_ids)
    if not ids:
        return []
    query = (
        select(deliveries)
        .where(deliveries.c.message_id.in_(ids))
        .order_by(deliveries.c.message_id, deliveries.c.id)
    )
    if not subscribers:
        query = query.where(deliveries.c.audience != SUBSCRIBERS_AUDIENCE)
    return [DeliveryRecord.from_row(row) for row in conn.execute(query).mappings()]


def start_sending(
    conn: Connection, message_id: int, *, owner: str, now: datetime, lease_until: datetime
) -> list[DeliveryRecord]:
    """Move this owner's queued deliveries of one message to ``sending`` (one attempt more):
    from here on a crash may leave a delivery sent but not recorded.

    Order per incident and channel: a delivery whose channel still has an earlier message
    of the incident in ``sending`` (a worker sending an update right when it was resolved)
    is not sent here; its claim is released so that a worker sends it after that one.
    """
    mine = and_(
        deliveries.c.message_id == message_id,
        deliveries.c.state == DeliveryState.QUEUED.value,
        deliveries.c.lease_owner == owner,
    )
    conn.execute(
        update(deliveries)
        .where(
            mine,
            ~_earlier_in_flight(
                deliveries.c.message_id, deliveries.c.channel, deliveries.c.recipient
            ),
        )
        .values(
            state=DeliveryState.SENDING.value,
            attempts=deliveries.c.attempts + 1,
            lease_expires_at=lease_until,
            updated_at=now,
        )
    )
    conn.execute(
        update(deliveries)
        .where(mine)
        .values(lease_owner=None, lease_expires_at=None, last_error=WAITING_FOR_EARLIER)
    )
    query = (
        select(deliveries)
        .where(
            deliveries.c.message_id == message_id,
            deliveries.c.state == DeliveryState.SENDING.value,
            deliveries.c.lease_owner == owner,
        )
        .order_by(deliveries.c.id)
    )
    return [DeliveryRecord.from_row(row) for row in conn.execute(query).mappings()]


def finish_attempt(
    conn: Connection,
    delivery_id: int,
    *,
    owner: str,
    now: datetime,
    state: DeliveryState,
    due_at: datetime | None,
    error: str | None,
    maybe_sent: bool = False,
) -> bool:
    """Record one attempt's outcome, if ``owner`` still holds the delivery's lease.

    ``maybe_sent``: the attempt was abandoned while the provider may have received it, so
    the delivery is marked possibly duplicated (a later attempt may repeat it)."""
    values = _outcome_values(now, state, due_at, error, maybe_sent)
    result = conn.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.state == DeliveryState.SENDING.value,
            deliveries.c.lease_owner == owner,
        )
        .values(**values)
    )
    return result.rowcount == 1


def _outcome_values(
    now: datetime,
    state: DeliveryState,
    due_at: datetime | None,
    error: str | None,
    maybe_sent: bool,
) -> dict[str, Any]:
    """The columns an attempt's outcome sets: its state, the next due time, the error, the
    lease released; ``sent_at`` when sent; possibly duplicated when ``maybe_sent``."""
    values: dict[str, Any] = {
        "state": state.value,
        "due_at": due_at,
        "last_error": error,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if state is DeliveryState.SENT:
        values["sent_at"] = now
    if maybe_sent:
        values["possibly_duplicate"] = True
    return values


def finish_attempts(
    conn: Connection,
    delivery_ids: Collection[int],
    *,
    owner: str,
    now: datetime,
    state: DeliveryState,
    due_at: datetime | None,
    error: str | None,
    maybe_sent: bool = False,
) -> set[int]:
    """:func:`finish_attempt` for many deliveries with the same outcome, in one
    ``UPDATE ... WHERE id IN (...)``: the ids recorded (those whose lease ``owner`` still
    held; the others are left as they are)."""
    if not delivery_ids:
        return set()
    values = _outcome_values(now, state, due_at, error, maybe_sent)
    result = conn.execute(
        update(deliveries)
        .where(
            deliveries.c.id.in_(list(delivery_ids)),
            deliveries.c.state == DeliveryState.SENDING.value,
            deliveries.c.lease_owner == owner,
        )
        .values(**values)
        .returning(deliveries.c.id)
    )
    return {int(found) for found in result.scalars()}


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


def _earlier_in_flight(message_id: Any, channel: Any, recipient: Any) -> Any:
    """EXISTS: an earlier message of the same incident is being sent on the same channel
    to the same recipient,
    or, for a postmortem, an earlier resolution there is not delivered yet (correlated to
    the ``deliveries`` row being updated)."""
    own = messages.alias()
    other = deliveries.alias()
    other_message = messages.alias()
    waiting_resolution = and_(
        own.c.phase == POSTMORTEM_PHASE,
        other_message.c.phase == RESOLVED_PHASE,
        other.c.state.in_([s.value for s in PENDING_STATES]),
    )
    return (
        select(other.c.id)
        .join(other_message, other_message.c.id == other.c.message_id)
        .join(own, own.c.incident_id == other_message.c.incident_id)
        .where(
            own.c.id == message_id,
            other.c.channel == channel,
            other.c.recipient == recipient,
            or_(other.c.state == DeliveryState.SENDING.value, waiting_resolution),
            other.c.message_id < message_id,
        )
        .correlate(deliveries)
        .exists()
    )


def deliveries_by_id(conn: Connection, delivery_ids: Collection[int]) -> list[DeliveryRecord]:
    """These deliveries, by id."""
    if not delivery_ids:
        return []
    query = (
        select(deliveries).where(deliveries.c.id.in_(list(delivery_ids))).order_by(deliveries.c.id)
    )
    return [DeliveryRecord.from_row(row) for row in conn.execute(query).mappings()]


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
