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
from outagecomms.store.incident_rows import listed_condition
from outagecomms.store.listed_incidents import ListedIncident, list_listed
from outagecomms.store.sql import sql_of
from outagecomms.store.workers_repo import last_worker_seen

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Listed:
    """What ``status`` shows, as the store holds it."""

    incidents: list[ListedIncident]
    counts: dict[int, dict[str, int]]
    """Per incident: its deliveries in each state (every listed incident has an entry)."""
    subscribers: dict[int, dict[str, dict[str, int]]]
    """Per incident, per subscribers' channel: deliveries in each state (only those with)."""
    worker_seen: datetime | None
    """The latest heartbeat of a worker that has not stopped cleanly."""


_LISTED_MESSAGES = (
    "SELECT messages.id FROM messages JOIN incidents ON incidents.id = messages.incident_id "
    "WHERE {where}"
)
_OTHERS_COUNTED = (
    "SELECT messages.incident_id, counted.state, counted.n FROM ("
    "SELECT message_id, audience, channel, state, count(*) AS n FROM deliveries "
    f"WHERE message_id IN ({_LISTED_MESSAGES}) AND audience < :subscribers "
    "GROUP BY message_id, audience, channel, state UNION ALL "
    "SELECT message_id, audience, channel, state, count(*) AS n FROM deliveries "
    f"WHERE message_id IN ({_LISTED_MESSAGES}) AND audience > :subscribers "
    "GROUP BY message_id, audience, channel, state"
    ") AS counted JOIN messages ON messages.id = counted.message_id"
)
"""The deliveries of the listed incidents' messages to their channels (every audience but
the subscribers), counted per message, audience, channel and state: the ``IN`` list of the
listed messages and the audience's two ranges make SQLite walk the index ``(message_id,
audience, channel, state)`` of migration 0011 in its order, so the groups come without a
sort (``EXPLAIN QUERY PLAN``: covering index searches, no temporary b-tree)."""

_SUBSCRIBERS_COUNTED = (
    "WITH RECURSIVE listed(id) AS (" + _LISTED_MESSAGES + "), "
    "channels(message_id, channel) AS ("
    "SELECT id, (SELECT min(channel) FROM deliveries WHERE message_id = listed.id "
    "AND audience = :subscribers) FROM listed "
    "UNION ALL SELECT message_id, (SELECT min(d.channel) FROM deliveries AS d "
    "WHERE d.message_id = channels.message_id AND d.audience = :subscribers "
    "AND d.channel > channels.channel) FROM channels WHERE channel IS NOT NULL), "
    "states(message_id, channel, state) AS ("
    "SELECT message_id, channel, (SELECT min(d.state) FROM deliveries AS d "
    "WHERE d.message_id = channels.message_id AND d.audience = :subscribers "
    "AND d.channel = channels.channel) FROM channels WHERE channel IS NOT NULL "
    "UNION ALL SELECT message_id, channel, (SELECT min(d.state) FROM deliveries AS d "
    "WHERE d.message_id = states.message_id AND d.audience = :subscribers "
    "AND d.channel = states.channel AND d.state > states.state) FROM states "
    "WHERE state IS NOT NULL) "
    "SELECT messages.incident_id, states.channel, states.state, "
    "(SELECT count(*) FROM deliveries AS d WHERE d.message_id = states.message_id "
    "AND d.audience = :subscribers AND d.channel = states.channel AND d.state = states.state) "
    "FROM states JOIN messages ON messages.id = states.message_id WHERE states.state IS NOT NULL"
)
"""The subscribers' deliveries of the listed incidents' messages, counted per message,
channel and state without stepping through them one group key at a time: each message's
channels, and each channel's states, are found by the index's next entry (``min`` over a
range of ``(message_id, audience, channel, state)``: a seek each), then each group is
counted over its exact range of the index (``count(*)`` of one key: 400,000 subscriber
deliveries in ~25 ms, a third of what grouping them costs). A message to 100,000
subscribers holds one or a few such groups, so the cost is the counting, not the keys."""


def read_listed(conn: Connection, *, include_resolved: bool) -> Listed:
    sql = sql_of(conn)
    where, params = listed_condition(include_resolved)
    found = list_listed(conn, where, params)
    params = {**params, "subscribers": SUBSCRIBERS_AUDIENCE}
    counts: dict[int, dict[str, int]] = {incident.number: {} for incident in found}
    for number, state, count in sql.rows(_OTHERS_COUNTED.format(where=where), params):
        states = counts.get(number)
        if states is not None:  # (the same read transaction: always)
            states[state] = states.get(state, 0) + count
    subscribers: dict[int, dict[str, dict[str, int]]] = {}
    for number, channel, state, count in sql.rows(_SUBSCRIBERS_COUNTED.format(where=where), params):
        states = counts.get(number)
        if states is not None:
            states[state] = states.get(state, 0) + count
            per_channel = subscribers.setdefault(number, {}).setdefault(channel, {})
            per_channel[state] = per_channel.get(state, 0) + count
    return Listed(found, counts, subscribers, last_worker_seen(conn))
