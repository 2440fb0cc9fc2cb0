"""The reads behind ``status``: the listed incidents (open ones, or resolved ones too), their
deliveries counted per state, their subscribers' deliveries per channel and state, and the
last worker seen, in one read transaction. The counts join the incidents they belong to,
so a query's size does not grow with the number listed (no ``IN`` list of every id).
SQL text (:mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from outagecomms.store.delivery_rows import SUBSCRIBERS_AUDIENCE
from outagecomms.store.incident_rows import list_incidents, listed_condition
from outagecomms.store.records import IncidentRecord
from outagecomms.store.sql import sql_of
from outagecomms.store.workers_repo import last_worker_seen

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Listed:
    """What ``status`` shows, as the store holds it."""

    incidents: list[IncidentRecord]
    counts: dict[int, dict[str, int]]
    """Per incident: its deliveries in each state (every listed incident has an entry)."""
    subscribers: dict[int, dict[str, dict[str, int]]]
    """Per incident, per subscribers' channel: deliveries in each state (only those with)."""
    worker_seen: datetime | None
    """The latest heartbeat of a worker that has not stopped cleanly."""


_COUNTED = (
    "SELECT messages.incident_id, {columns}, count(*) FROM deliveries "
    "JOIN messages ON messages.id = deliveries.message_id "
    "JOIN incidents ON incidents.id = messages.incident_id "
    "WHERE {where} GROUP BY messages.incident_id, {columns}"
)
"""Deliveries of the listed incidents counted per incident and ``columns``."""


def read_listed(conn: Connection, *, include_resolved: bool) -> Listed:
    sql = sql_of(conn)
    found = list_incidents(conn, include_resolved=include_resolved)
    where, params = listed_condition(include_resolved)
    counts: dict[int, dict[str, int]] = {incident.number: {} for incident in found}
    by_state = _COUNTED.format(columns="deliveries.state", where=where)
    for number, state, count in sql.rows(by_state, params):
        if number in counts:
            counts[number][state] = count
    subscribers: dict[int, dict[str, dict[str, int]]] = {}
    by_channel = _COUNTED.format(
        columns="deliveries.channel, deliveries.state",
        where=f"{where} AND deliveries.audience = :subscribers",
    )
    for number, channel, state, count in sql.rows(
        by_channel, {**params, "subscribers": SUBSCRIBERS_AUDIENCE}
    ):
        if number in counts:
            subscribers.setdefault(number, {}).setdefault(channel, {})[state] = count
    return Listed(found, counts, subscribers, last_worker_seen(conn))
