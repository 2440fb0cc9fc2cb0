"""The incident side of a batch of automatic updates: the overdue incidents locked and read
in one statement, and each one's next promise set in one ``executemany``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.incidents_repo import INCIDENT_COLUMNS, UNBLOCKED
from outagecomms.store.records import IncidentRecord
from outagecomms.store.tables import incidents


def lock_incidents(conn: Connection, numbers: Collection[int]) -> dict[int, IncidentRecord]:
    """The incidents ``numbers`` (those that exist), locked until the transaction ends
    (``FOR UPDATE`` on PostgreSQL, in the order of their numbers so two batches never
    deadlock; SQLite's ``BEGIN IMMEDIATE`` already holds the database)."""
    if not numbers:
        return {}
    query = (
        select(*INCIDENT_COLUMNS)
        .where(incidents.c.id.in_(sorted(numbers)))
        .order_by(incidents.c.id)
        .with_for_update()
    )
    found = (IncidentRecord.from_row(row) for row in conn.execute(query).mappings())
    return {incident.number: incident for incident in found}


def promise_next_updates(
    conn: Connection, promises: Mapping[int, datetime], *, now: datetime
) -> None:
    """Each incident's next promise (number -> ``next_update_at``), updated ``now`` and no
    longer held back by the worker: one statement for the batch."""
    if not promises:
        return
    query = (
        update(incidents)
        .where(incidents.c.id == bindparam("number"))
        .values(next_update_at=bindparam("promise"), updated_at=now, **UNBLOCKED)
    )
    rows = [{"number": number, "promise": at} for number, at in sorted(promises.items())]
    conn.execute(query, rows)
