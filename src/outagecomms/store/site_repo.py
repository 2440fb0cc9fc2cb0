"""The status page's reads: the incidents of its window, of one history month or by number,
and their messages with their deliveries, in a few batched queries (never one per incident).

An incident is *listed* when it is open or resolved; a resolved incident belongs to the
moment it was resolved (its start when that is missing).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import SUBSCRIBERS_AUDIENCE
from outagecomms.store.incidents_repo import INCIDENT_COLUMNS
from outagecomms.store.records import DeliveryRecord, IncidentRecord, MessageRecord
from outagecomms.store.tables import (
    IncidentStatus,
    deliveries,
    incident_closed_at,
    incidents,
    messages,
)

CHUNK = 500
"""Incidents per query when reading many (bound parameters stay few on every database)."""

Timeline = dict[int, list[tuple[MessageRecord, list[DeliveryRecord]]]]
"""Each incident's messages, oldest first, with their deliveries (by delivery id)."""


def _resolved() -> Any:
    return incidents.c.status == IncidentStatus.RESOLVED.value


def _records(conn: Connection, condition: Any) -> list[IncidentRecord]:
    query = select(*INCIDENT_COLUMNS).where(condition).order_by(incidents.c.id)
    return [IncidentRecord.from_row(row) for row in conn.execute(query).mappings()]


def open_incidents(conn: Connection) -> list[IncidentRecord]:
    """The open incidents, by number."""
    return _records(conn, incidents.c.status == IncidentStatus.OPEN.value)


@dataclass(frozen=True)
class ListedRow:
    """A resolved incident as far as a list of it depends on its record: its listed
    fields, and the place of its last message (any change to it adds a message)."""

    number: int
    runbook_id: str
    status: str
    phase: str
    started_at: datetime
    resolved_at: datetime | None
    last_seq: int | None

    @property
    def closed_at(self) -> datetime:
        return self.resolved_at or self.started_at


def window_listed(conn: Connection, since: datetime) -> list[ListedRow]:
    """The incidents resolved from ``since`` on, by number: a range of the index on
    ``(status, incident_closed_at)``, each one's last message from the messages' unique
    index (no other column of theirs is read)."""
    last = select(func.max(messages.c.seq)).where(messages.c.incident_id == incidents.c.id)
    query = (
        select(
            incidents.c.id, incidents.c.runbook_id, incidents.c.status, incidents.c.phase,
            incidents.c.started_at, incidents.c.resolved_at, last.scalar_subquery(),
        )
        .where(_resolved(), incident_closed_at >= since)
        .order_by(incidents.c.id)
    )  # fmt: skip
    return [ListedRow(*row) for row in conn.execute(query)]


def resolved_between(conn: Connection, start: datetime, end: datetime) -> list[IncidentRecord]:
    """The incidents resolved in ``[start, end)``, by number."""
    return _records(conn, and_(_resolved(), incident_closed_at >= start, incident_closed_at < end))


def listed_incidents(
    conn: Connection, numbers: Collection[int] | None = None
) -> list[IncidentRecord]:
    """The open and resolved incidents among ``numbers`` (None: all of them), by number."""
    listed = incidents.c.status.in_([IncidentStatus.OPEN.value, IncidentStatus.RESOLVED.value])
    if numbers is None:
        return _records(conn, listed)
    found: list[IncidentRecord] = []
    for chunk in _chunks(sorted(numbers)):
        found += _records(conn, and_(listed, incidents.c.id.in_(chunk)))
    return found


def timelines(conn: Connection, numbers: Collection[int]) -> Timeline:
    """The messages of each of ``numbers`` with their deliveries: two queries per
    :data:`CHUNK` incidents."""
    found: Timeline = {number: [] for number in numbers}
    for chunk in _chunks(sorted(numbers)):
        _read_timeline(conn, messages.c.incident_id.in_(chunk), found)
    return found


def timelines_of_messages(conn: Connection, message_ids: Collection[int]) -> Timeline:
    """Only the messages ``message_ids`` with their deliveries, by incident (oldest
    first): two queries per :data:`CHUNK` messages."""
    found: Timeline = {}
    for chunk in _chunks(sorted(message_ids)):
        _read_timeline(conn, messages.c.id.in_(chunk), found)
    for pairs in found.values():  # one incident's messages may come in two chunks
        pairs.sort(key=lambda pair: pair[0].seq)
    return found


def _read_timeline(conn: Connection, condition: Any, found: Timeline) -> None:
    query = select(messages).where(condition).order_by(messages.c.incident_id, messages.c.seq)
    chosen = [MessageRecord.from_row(row) for row in conn.execute(query).mappings()]
    sent = (
        select(deliveries)
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(condition)
        .where(deliveries.c.audience != SUBSCRIBERS_AUDIENCE)  # counted, never listed
        .order_by(deliveries.c.message_id, deliveries.c.id)
    )
    by_message: dict[int, list[DeliveryRecord]] = {}
    for row in conn.execute(sent).mappings():
        delivery = DeliveryRecord.from_row(row)
        by_message.setdefault(delivery.message_id, []).append(delivery)
    for message in chosen:
        pair = (message, by_message.get(message.id, []))
        found.setdefault(message.incident_number, []).append(pair)


@dataclass(frozen=True)
class Shown:
    """One message that has a delivery to ``audience`` (what the page shows of it is
    read later, if at all): its incident, id, place and time."""

    incident_number: int
    message_id: int
    seq: int
    created_at: datetime


def shown_messages(conn: Connection, numbers: Collection[int], audience: str) -> list[Shown]:
    """The messages of ``numbers`` that have a delivery to ``audience``, by incident and
    place, without their texts: one query per :data:`CHUNK` incidents."""
    carried = (
        select(deliveries.c.id)
        .where(deliveries.c.message_id == messages.c.id, deliveries.c.audience == audience)
        .exists()
    )
    found: list[Shown] = []
    for chunk in _chunks(sorted(numbers)):
        query = (
            select(messages.c.incident_id, messages.c.id, messages.c.seq, messages.c.created_at)
            .where(messages.c.incident_id.in_(chunk), carried)
            .order_by(messages.c.incident_id, messages.c.seq)
        )
        found += [Shown(row[0], row[1], row[2], row[3]) for row in conn.execute(query)]
    return found


def incidents_of_deliveries(conn: Connection, delivery_ids: Collection[int]) -> dict[int, int]:
    """The incident whose message each of ``delivery_ids`` carries (unknown ids left out)."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(delivery_ids)):
        query = (
            select(deliveries.c.id, messages.c.incident_id)
            .join(messages, messages.c.id == deliveries.c.message_id)
            .where(deliveries.c.id.in_(chunk))
        )
        found.update((int(row.id), int(row.incident_id)) for row in conn.execute(query))
    return found


def _chunks(numbers: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(numbers), CHUNK):
        yield list(numbers[start : start + CHUNK])
