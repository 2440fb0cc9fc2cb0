"""Small query functions over the store, each taking an open :class:`Connection` so the
caller decides the transaction (one transaction per outbox write, see product-spec §6)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.records import DeliveryRecord, EventRecord, IncidentRecord, MessageRecord
from outagecomms.store.tables import (
    PENDING_STATES,
    DeliveryState,
    IncidentStatus,
    deliveries,
    events,
    incidents,
    messages,
)

# incidents


def insert_incident(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(incidents).values(**values).returning(incidents.c.id))
    return int(result.scalar_one())


def get_incident(conn: Connection, number: int) -> IncidentRecord | None:
    row = conn.execute(select(incidents).where(incidents.c.id == number)).mappings().first()
    return None if row is None else IncidentRecord.from_row(row)


def open_incident_by_dedupe_key(conn: Connection, key: str) -> IncidentRecord | None:
    query = select(incidents).where(incidents.c.open_dedupe_key == key)
    row = conn.execute(query).mappings().first()
    return None if row is None else IncidentRecord.from_row(row)


def latest_incident_by_dedupe_key(conn: Connection, key: str) -> IncidentRecord | None:
    query = select(incidents).where(incidents.c.dedupe_key == key).order_by(incidents.c.id.desc())
    row = conn.execute(query.limit(1)).mappings().first()
    return None if row is None else IncidentRecord.from_row(row)


def list_incidents(conn: Connection, *, include_resolved: bool = False) -> list[IncidentRecord]:
    query = select(incidents).order_by(incidents.c.id)
    if not include_resolved:
        query = query.where(incidents.c.status == IncidentStatus.OPEN.value)
    return [IncidentRecord.from_row(row) for row in conn.execute(query).mappings()]


def update_incident(conn: Connection, number: int, **values: Any) -> None:
    conn.execute(update(incidents).where(incidents.c.id == number).values(**values))


# messages


def next_message_seq(conn: Connection, number: int) -> int:
    query = select(func.coalesce(func.max(messages.c.seq), 0)).where(
        messages.c.incident_id == number
    )
    return int(conn.execute(query).scalar_one()) + 1


def insert_message(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(messages).values(**values).returning(messages.c.id))
    return int(result.scalar_one())


def messages_of(conn: Connection, number: int) -> list[MessageRecord]:
    query = select(messages).where(messages.c.incident_id == number).order_by(messages.c.seq)
    return [MessageRecord.from_row(row) for row in conn.execute(query).mappings()]


def get_message(conn: Connection, message_id: int) -> MessageRecord:
    row = conn.execute(select(messages).where(messages.c.id == message_id)).mappings().one()
    return MessageRecord.from_row(row)


def latest_message(conn: Connection, number: int) -> MessageRecord | None:
    query = (
        select(messages)
        .where(messages.c.incident_id == number)
        .order_by(messages.c.seq.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else MessageRecord.from_row(row)


# deliveries


def insert_delivery(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(deliveries).values(**values).returning(deliveries.c.id))
    return int(result.scalar_one())


def deliveries_of(conn: Connection, message_ids: Iterable[int]) -> list[DeliveryRecord]:
    ids = list(message_ids)
    if not ids:
        return []
    query = (
        select(deliveries)
        .where(deliveries.c.message_id.in_(ids))
        .order_by(deliveries.c.message_id, deliveries.c.id)
    )
    return [DeliveryRecord.from_row(row) for row in conn.execute(query).mappings()]


def cancel_pending(
    conn: Connection,
    number: int,
    *,
    before_message: int,
    channels: Collection[str] | None,
    now: datetime,
    reason: str,
) -> list[DeliveryRecord]:
    """Cancel the incident's never-sent deliveries of messages older than ``before_message``
    (on ``channels``, or on every channel when None): a newer message supersedes them."""
    older = select(messages.c.id).where(
        messages.c.incident_id == number, messages.c.id < before_message
    )
    where = [
        deliveries.c.message_id.in_(older.scalar_subquery()),
        deliveries.c.state.in_([s.value for s in PENDING_STATES]),
    ]
    if channels is not None:
        where.append(deliveries.c.channel.in_(list(channels)))
    rows = conn.execute(select(deliveries).where(*where)).mappings().all()
    if rows:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id.in_([row["id"] for row in rows]))
            .values(
                state=DeliveryState.CANCELLED.value,
                due_at=None,
                lease_owner=None,
                lease_expires_at=None,
                last_error=reason,
                updated_at=now,
            )
        )
    return [DeliveryRecord.from_row(row) for row in rows]


def start_sending(
    conn: Connection, message_id: int, *, owner: str, now: datetime, lease_until: datetime
) -> list[DeliveryRecord]:
    """Move this owner's queued deliveries of one message to ``sending`` (one attempt more):
    from here on a crash may leave a delivery sent but not recorded."""
    conn.execute(
        update(deliveries)
        .where(
            deliveries.c.message_id == message_id,
            deliveries.c.state == DeliveryState.QUEUED.value,
            deliveries.c.lease_owner == owner,
        )
        .values(
            state=DeliveryState.SENDING.value,
            attempts=deliveries.c.attempts + 1,
            lease_expires_at=lease_until,
            updated_at=now,
        )
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
) -> bool:
    """Record one attempt's outcome, if ``owner`` still holds the delivery's lease."""
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


# events


def add_event(
    conn: Connection,
    *,
    incident: int | None,
    at: datetime,
    kind: str,
    actor: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(events).values(
            incident_id=incident, at=at, kind=kind, actor=actor, detail=dict(detail or {})
        )
    )


def events_of(conn: Connection, number: int) -> list[EventRecord]:
    query = select(events).where(events.c.incident_id == number).order_by(events.c.id)
    return [EventRecord.from_row(row) for row in conn.execute(query).mappings()]
