"""Queries over the incident timeline's events: add and read (SQL text,
:mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import json_out, row_in, time_out
from outagecomms.store.records import EventRecord
from outagecomms.store.sql import sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_INSERT = (
    "INSERT INTO events (incident_id, at, kind, actor, detail) "
    "VALUES (:incident_id, :at, :kind, :actor, :detail)"
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
    add_events(
        conn,
        [{"incident_id": incident, "at": at, "kind": kind, "actor": actor,
          "detail": dict(detail or {})}],
    )  # fmt: skip


def add_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many events in one statement (``executemany``): each row has ``incident_id``,
    ``at``, ``kind``, ``actor`` and ``detail``; inserted in the given order."""
    if not rows:
        return
    sql = sql_of(conn)
    encoded = [row_in("events", row, sql.dialect_name) for row in rows]
    if len(encoded) == 1:
        sql.run(_INSERT, encoded[0])
    else:
        sql.run_many(_INSERT, encoded)


def events_of(conn: Connection, number: int) -> list[EventRecord]:
    query = (
        "SELECT id, incident_id, at, kind, actor, detail FROM events "
        "WHERE incident_id = :number ORDER BY id"
    )
    found = sql_of(conn).rows(query, {"number": number})
    return [
        EventRecord(event_id, incident, time_out(at), kind, actor,  # type: ignore[arg-type]
                    dict(json_out(detail) or {}))
        for event_id, incident, at, kind, actor, detail in found
    ]  # fmt: skip
