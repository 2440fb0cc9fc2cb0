"""The status page's reads: the incidents of its window, of one history month or by number,
and their messages with their deliveries, in a few batched queries (never one per incident).

An incident is *listed* when it is open or resolved; a resolved incident belongs to the
moment it was resolved (its start when that is missing). The queries are SQL text
(:mod:`outagecomms.store.sql`), so a `declare` with a site channel on the ``sqlite3``
store does not load SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from outagecomms.store.codec import time_in, time_out
from outagecomms.store.delivery_rows import (
    DELIVERY_COLUMNS,
    SUBSCRIBERS_AUDIENCE,
    delivery_record,
)
from outagecomms.store.incident_rows import SELECT_RECORD, incident_record
from outagecomms.store.messages_repo import MESSAGE_COLUMNS, message_record
from outagecomms.store.records import DeliveryRecord, IncidentRecord, IncidentStatus, MessageRecord
from outagecomms.store.sql import Sql, in_list, sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

CHUNK = 500
"""Incidents per query when reading many (bound parameters stay few on every database)."""

Timeline = dict[int, list[tuple[MessageRecord, list[DeliveryRecord]]]]
"""Each incident's messages, oldest first, with their deliveries (by delivery id)."""

CLOSED_AT = "coalesce(incidents.resolved_at, incidents.started_at)"
"""When a resolved incident closed: the expression migration 0011's
``ix_incidents_status_closed_at`` indexes (a query must spell it the same to use it)."""
_RESOLVED = {"resolved": IncidentStatus.RESOLVED.value}
_LISTED = {"open": IncidentStatus.OPEN.value, **_RESOLVED}


def _records(sql: Sql, where: str, params: dict[str, Any]) -> list[IncidentRecord]:
    query = f"{SELECT_RECORD} WHERE {where} ORDER BY incidents.id"
    return [incident_record(row) for row in sql.rows(query, params)]


def open_incidents(conn: Connection) -> list[IncidentRecord]:
    """The open incidents, by number."""
    return _records(sql_of(conn), "incidents.status = :open", {"open": IncidentStatus.OPEN.value})


class ListedRow(NamedTuple):
    """A resolved incident as far as a list of it depends on its record: its listed
    fields, and the place of its last message (any change to it adds a message). A named
    tuple: a rebuild makes one per incident of the window (~550 at 10,000 stored), and a
    tuple is made several times faster than a frozen dataclass."""

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
    ``(status, closed at)``, each one's last message from the messages' unique index (no
    other column of theirs is read)."""
    sql = sql_of(conn)
    query = (
        "SELECT incidents.id, incidents.runbook_id, incidents.status, incidents.phase, "
        "incidents.started_at, incidents.resolved_at, (SELECT max(messages.seq) FROM messages "
        "WHERE messages.incident_id = incidents.id) FROM incidents "
        f"WHERE incidents.status = :resolved AND {CLOSED_AT} >= :since ORDER BY incidents.id"
    )
    params = {**_RESOLVED, "since": time_in(since, sql.dialect_name)}
    return [
        ListedRow(number, runbook_id, status, phase, _moment(started_at),
                  None if resolved_at is None else _moment(resolved_at), last_seq)
        for number, runbook_id, status, phase, started_at, resolved_at, last_seq
        in sql.rows(query, params)
    ]  # fmt: skip


def resolved_between(conn: Connection, start: datetime, end: datetime) -> list[IncidentRecord]:
    """The incidents resolved in ``[start, end)``, by number."""
    sql = sql_of(conn)
    where = f"incidents.status = :resolved AND {CLOSED_AT} >= :start AND {CLOSED_AT} < :end"
    params = {
        **_RESOLVED,
        "start": time_in(start, sql.dialect_name),
        "end": time_in(end, sql.dialect_name),
    }
    return _records(sql, where, params)


def listed_incidents(
    conn: Connection, numbers: Collection[int] | None = None
) -> list[IncidentRecord]:
    """The open and resolved incidents among ``numbers`` (None: all of them), by number."""
    sql = sql_of(conn)
    listed = "incidents.status IN (:open, :resolved)"
    if numbers is None:
        return _records(sql, listed, dict(_LISTED))
    found: list[IncidentRecord] = []
    for chunk in _chunks(sorted(numbers)):
        among, params = in_list("number", chunk)
        found += _records(sql, f"{listed} AND incidents.id IN {among}", {**_LISTED, **params})
    return found


def timelines(conn: Connection, numbers: Collection[int]) -> Timeline:
    """The messages of each of ``numbers`` with their deliveries: two queries per
    :data:`CHUNK` incidents."""
    found: Timeline = {number: [] for number in numbers}
    for chunk in _chunks(sorted(numbers)):
        _read_timeline(sql_of(conn), "messages.incident_id", chunk, found)
    return found


def timelines_of_messages(conn: Connection, message_ids: Collection[int]) -> Timeline:
    """Only the messages ``message_ids`` with their deliveries, by incident (oldest
    first): two queries per :data:`CHUNK` messages."""
    found: Timeline = {}
    for chunk in _chunks(sorted(message_ids)):
        _read_timeline(sql_of(conn), "messages.id", chunk, found)
    for pairs in found.values():  # one incident's messages may come in two chunks
        pairs.sort(key=lambda pair: pair[0].seq)
    return found


_MESSAGE_FIELDS = ", ".join(f"messages.{column}" for column in MESSAGE_COLUMNS)
_DELIVERY_FIELDS = ", ".join(f'deliveries."{column}"' for column in DELIVERY_COLUMNS)


def _read_timeline(sql: Sql, key: str, chunk: list[int], found: Timeline) -> None:
    among, params = in_list("key", chunk)
    chosen = [
        message_record(row)
        for row in sql.rows(
            f"SELECT {_MESSAGE_FIELDS} FROM messages WHERE {key} IN {among} "
            "ORDER BY messages.incident_id, messages.seq",
            params,
        )
    ]
    sent = (
        f"SELECT {_DELIVERY_FIELDS} FROM deliveries "
        "JOIN messages ON messages.id = deliveries.message_id "
        f"WHERE {key} IN {among} AND deliveries.audience != :subscribers "  # counted, never listed
        "ORDER BY deliveries.message_id, deliveries.id"
    )
    by_message: dict[int, list[DeliveryRecord]] = {}
    for row in sql.rows(sent, {**params, "subscribers": SUBSCRIBERS_AUDIENCE}):
        delivery = delivery_record(row)
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
    sql = sql_of(conn)
    found: list[Shown] = []
    for chunk in _chunks(sorted(numbers)):
        among, params = in_list("number", chunk)
        query = (
            "SELECT messages.incident_id, messages.id, messages.seq, messages.created_at "
            f"FROM messages WHERE messages.incident_id IN {among} AND EXISTS (SELECT "
            "deliveries.id FROM deliveries WHERE deliveries.message_id = messages.id AND "
            "deliveries.audience = :audience) ORDER BY messages.incident_id, messages.seq"
        )
        rows = sql.rows(query, {**params, "audience": audience})
        found += [
            Shown(number, message_id, seq, _moment(at)) for number, message_id, seq, at in rows
        ]
    return found


def incidents_of_deliveries(conn: Connection, delivery_ids: Collection[int]) -> dict[int, int]:
    """The incident whose message each of ``delivery_ids`` carries (unknown ids left out)."""
    sql = sql_of(conn)
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(delivery_ids)):
        among, params = in_list("delivery", chunk)
        query = (
            "SELECT deliveries.id, messages.incident_id FROM deliveries "
            "JOIN messages ON messages.id = deliveries.message_id "
            f"WHERE deliveries.id IN {among}"
        )
        found.update((int(delivery), int(number)) for delivery, number in sql.rows(query, params))
    return found


def _moment(value: datetime | str) -> datetime:
    """A NOT NULL time column's value, aware (SQLite's text, naive UTC, parsed here
    directly: this runs for every incident of the window)."""
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    found = time_out(value)
    assert found is not None
    return found


def _chunks(numbers: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(numbers), CHUNK):
        yield list(numbers[start : start + CHUNK])
