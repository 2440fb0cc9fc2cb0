"""Queries over the incident timeline's events: add and read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from outagecomms.store.records import EventRecord
from outagecomms.store.tables import (
    events,
)


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


def add_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many events in one statement (``executemany``): each row has ``incident_id``,
    ``at``, ``kind``, ``actor`` and ``detail``; inserted in the given order."""
    if rows:
        conn.execute(insert(events), [dict(row) for row in rows])


def events_of(conn: Connection, number: int) -> list[EventRecord]:
    query = select(events).where(events.c.incident_id == number).order_by(events.c.id)
    return [EventRecord.from_row(row) for row in conn.execute(query).mappings()]
