"""Recording a batch of attempts in one statement on PostgreSQL: every delivery's outcome
(``UPDATE ... FROM unnest(...)``, only where this owner still holds the lease), the event of
each one recorded (``INSERT ... SELECT`` joined to the updated rows, in the batch's order)
and the wake-up of the other workers (``pg_notify``), one round trip, whatever the batch's
size (one statement text, prepared once by psycopg; the batch is one JSON parameter,
which costs the worker far less than a parameter per value or an array per column).

Elsewhere (SQLite, where the database is in the worker's process) the same is written by
:func:`~outagecomms.store.deliveries_repo.finish_attempts` per distinct outcome and
:func:`~outagecomms.store.events_repo.add_events`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.records import DeliveryState
from outagecomms.store.sql import sql_of
from outagecomms.store.wakeups import WORK_CHANNEL

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SENT = DeliveryState.SENT.value
SENDING = DeliveryState.SENDING.value


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One attempt to record: the delivery's new state and its event."""

    delivery_id: int
    owner: str
    now: datetime
    state: str
    due_at: datetime | None
    error: str | None
    maybe_sent: bool
    incident_id: int
    event_kind: str
    event_detail: Mapping[str, Any]


def takes_batches(conn: Connection) -> bool:
    """Whether :func:`record_outcomes` serves this database."""
    return sql_of(conn).dialect_name == "postgresql"


def record_outcomes(conn: Connection, outcomes: Sequence[AttemptRecord]) -> set[int]:
    """Record every outcome whose lease its owner still holds (state ``sending``, same
    owner), each with its event, and wake the workers at commit: the ids recorded."""
    if not outcomes:
        return set()
    moments: dict[datetime, str] = {}

    def moment(at: datetime | None) -> str | None:
        if at is None:
            return None
        if at not in moments:
            moments[at] = at.isoformat()
        return moments[at]

    document = json.dumps(
        [
            {
                "id": o.delivery_id, "owner": o.owner, "now": moment(o.now), "state": o.state,
                "due_at": moment(o.due_at), "error": o.error, "maybe_sent": o.maybe_sent,
                "incident_id": o.incident_id, "kind": o.event_kind, "detail": o.event_detail,
                "position": position,
            }
            for position, o in enumerate(outcomes)
        ]
    )  # fmt: skip
    rows = conn.exec_driver_sql(_RECORD, {"outcomes": document})
    return {int(found) for (found,) in rows if found is not None}


_RECORD = f"""
WITH outcome AS (
    SELECT * FROM json_to_recordset(%(outcomes)s::json) AS o(
        id integer, owner text, now timestamptz, state text, due_at timestamptz, error text,
        maybe_sent boolean, incident_id integer, kind text, detail json, position integer
    )
), recorded AS (
    UPDATE deliveries AS d
    SET state = o.state,
        due_at = o.due_at,
        last_error = o.error,
        lease_owner = NULL,
        lease_expires_at = NULL,
        updated_at = o.now,
        sent_at = CASE WHEN o.state = '{SENT}' THEN o.now ELSE d.sent_at END,
        possibly_duplicate = d.possibly_duplicate OR o.maybe_sent
    FROM outcome AS o
    WHERE d.id = o.id AND d.state = '{SENDING}' AND d.lease_owner = o.owner
    RETURNING d.id
), logged AS (
    INSERT INTO events (incident_id, at, kind, actor, detail)
    SELECT o.incident_id, o.now, o.kind, NULL, o.detail
    FROM outcome AS o JOIN recorded AS r ON r.id = o.id
    ORDER BY o.position
)
SELECT id FROM recorded
UNION ALL
SELECT NULL FROM (SELECT pg_notify('{WORK_CHANNEL}', '')) AS woken
"""
