"""The reads behind ``status``: the listed incidents (open ones, or resolved ones too), their
deliveries counted per state, their subscribers' deliveries per channel and state, and the
last worker seen, in one read transaction. The counts join the incidents they belong to,
so a query's size does not grow with the number listed (no ``IN`` list of every id, which
SQLAlchemy would compile one bound parameter at a time: 10,000 of them at 10,000 open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import SUBSCRIBERS_AUDIENCE
from outagecomms.store.incidents_repo import list_incidents
from outagecomms.store.records import LISTED_STATUSES, IncidentRecord, IncidentStatus
from outagecomms.store.tables import deliveries, incidents, messages
from outagecomms.store.workers_repo import last_worker_seen


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


def read_listed(conn: Connection, *, include_resolved: bool) -> Listed:
    found = list_incidents(conn, include_resolved=include_resolved)
    listed = _listed(include_resolved)
    counts: dict[int, dict[str, int]] = {incident.number: {} for incident in found}
    by_state = _counted(listed, deliveries.c.state)
    for number, state, count in conn.execute(by_state):
        if number in counts:
            counts[number][state] = count
    subscribers: dict[int, dict[str, dict[str, int]]] = {}
    by_channel = _counted(listed, deliveries.c.channel, deliveries.c.state).where(
        deliveries.c.audience == SUBSCRIBERS_AUDIENCE
    )
    for number, channel, state, count in conn.execute(by_channel):
        if number in counts:
            subscribers.setdefault(number, {}).setdefault(channel, {})[state] = count
    return Listed(found, counts, subscribers, last_worker_seen(conn))


def _listed(include_resolved: bool) -> Any:
    """WHERE: the incidents ``status`` lists (as :func:`list_incidents` chooses them)."""
    if not include_resolved:
        return incidents.c.status == IncidentStatus.OPEN.value
    return incidents.c.status.in_([s.value for s in LISTED_STATUSES])


def _counted(listed: Any, *columns: Any) -> Any:
    """Deliveries of the listed incidents counted per incident and ``columns``."""
    return (
        select(messages.c.incident_id, *columns, func.count())
        .join(messages, messages.c.id == deliveries.c.message_id)
        .join(incidents, incidents.c.id == messages.c.incident_id)
        .where(listed)
        .group_by(messages.c.incident_id, *columns)
    )
