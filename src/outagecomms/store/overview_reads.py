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
    "SELECT messages.incident_id, counted.audience, counted.channel, counted.state, "
    "counted.n FROM (SELECT message_id, audience, channel, state, count(*) AS n "
    "FROM deliveries WHERE message_id IN (SELECT messages.id FROM messages "
    "JOIN incidents ON incidents.id = messages.incident_id WHERE {where}) "
    "GROUP BY message_id, audience, channel, state) AS counted "
    "JOIN messages ON messages.id = counted.message_id"
)
"""The deliveries of the listed incidents' messages, counted per message, audience, channel
and state in one pass: the ``IN`` list of the listed messages makes SQLite walk the index
``(message_id, audience, channel, state)`` of migration 0011 in its order, so the groups
come without a sort (``EXPLAIN QUERY PLAN``: a covering index search, no temporary
b-tree); grouped per incident and state instead, SQLite sorted every delivery counted
(400,000 subscriber deliveries: ~0.2 s per query, and it was two queries)."""


def read_listed(conn: Connection, *, include_resolved: bool) -> Listed:
    sql = sql_of(conn)
    found = list_incidents(conn, include_resolved=include_resolved)
    where, params = listed_condition(include_resolved)
    counts: dict[int, dict[str, int]] = {incident.number: {} for incident in found}
    subscribers: dict[int, dict[str, dict[str, int]]] = {}
    for number, audience, channel, state, count in sql.rows(_COUNTED.format(where=where), params):
        states = counts.get(number)
        if states is None:  # (the same read transaction: never, but never shown either)
            continue
        states[state] = states.get(state, 0) + count
        if audience == SUBSCRIBERS_AUDIENCE:
            per_channel = subscribers.setdefault(number, {}).setdefault(channel, {})
            per_channel[state] = per_channel.get(state, 0) + count
    return Listed(found, counts, subscribers, last_worker_seen(conn))
