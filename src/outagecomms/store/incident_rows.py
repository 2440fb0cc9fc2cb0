"""The incidents' queries of the hot path (declare, update, resolve, ``status``) as SQL
text (:mod:`outagecomms.store.sql`): insert, read one or the listed ones, change, lock,
the pinned runbook content and the next incident number. The worker's scans (due promises,
reminders) are :mod:`.incidents_repo`'s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import flat_json_out, json_out, row_in, time_out
from outagecomms.store.records import LISTED_STATUSES, IncidentRecord, IncidentStatus
from outagecomms.store.sql import Sql, in_list, sql_of
from outagecomms.vocabulary import Phase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

RECORD_COLUMNS = (
    "id", "runbook_id", "status", "severity", "phase", "cadence_seconds", "next_update_at",
    "variables", "channels", "dedupe_key", "declared_by", "break_glass_reason", "started_at",
    "resolved_at", "updated_at", "runbook_sha256", "blocked_reason", "blocked_at",
    "blocked_until",
)  # fmt: skip
"""The columns an :class:`IncidentRecord` is made of, in its fields' order."""
SELECT_RECORD = f"SELECT {', '.join(RECORD_COLUMNS)} FROM incidents"
UNBLOCKED: dict[str, Any] = {"blocked_reason": None, "blocked_at": None, "blocked_until": None}
"""The incident columns of an incident the worker does not hold back."""


_STATUSES = {status.value: status for status in IncidentStatus}
_PHASES = {phase.value: phase for phase in Phase}


def incident_record(row: tuple[Any, ...]) -> IncidentRecord:
    """An incident from a row of :data:`RECORD_COLUMNS` (as either connection reads it);
    10,000 of them for ``status``, so the enums are looked up in a dict and the JSON of
    the same text parsed once."""
    (number, runbook_id, status, severity, phase, cadence_seconds, next_update_at, variables,
     channels, dedupe_key, declared_by, break_glass_reason, started_at, resolved_at,
     updated_at, runbook_sha256, blocked_reason, blocked_at, blocked_until) = row  # fmt: skip
    chosen = flat_json_out(channels)
    return IncidentRecord(
        number, runbook_id, _STATUSES[status], severity, _PHASES[phase], cadence_seconds,
        time_out(next_update_at), dict(flat_json_out(variables) or {}),
        None if chosen is None else list(chosen), dedupe_key, declared_by, break_glass_reason,
        time_out(started_at), time_out(resolved_at), time_out(updated_at),  # type: ignore[arg-type]
        runbook_sha256, blocked_reason, time_out(blocked_at), time_out(blocked_until),
    )  # fmt: skip


def _records(sql: Sql, query: str, params: Mapping[str, Any] | None = None) -> list[IncidentRecord]:
    return [incident_record(row) for row in sql.rows(query, params)]


def _one(sql: Sql, query: str, params: Mapping[str, Any]) -> IncidentRecord | None:
    found = _records(sql, query, params)
    return found[0] if found else None


def insert_incident(
    conn: Connection,
    *,
    runbook_id: str,
    severity: str,
    next_update_at: datetime | None,
    variables: Mapping[str, str],
    declared_by: str,
    started_at: datetime,
    status: IncidentStatus = IncidentStatus.OPEN,
    phase: Phase = Phase.INVESTIGATING,
    cadence_seconds: int | None = None,
    channels: list[str] | None = None,
    dedupe_key: str | None = None,
    break_glass_reason: str | None = None,
    runbook_sha256: str | None = None,
    runbook_content: dict[str, Any] | None = None,
    updated_at: datetime | None = None,
) -> int:
    """A new incident (open, its dedupe key held while it is); returns its number.

    ``updated_at`` defaults to ``started_at``; a scheduled window starts later than now."""
    values = {
        "runbook_id": runbook_id, "status": IncidentStatus(status).value,
        "severity": severity, "phase": Phase(phase).value, "cadence_seconds": cadence_seconds,
        "next_update_at": next_update_at, "variables": dict(variables), "channels": channels,
        "dedupe_key": dedupe_key,
        "open_dedupe_key": dedupe_key if IncidentStatus(status) is IncidentStatus.OPEN else None,
        "declared_by": declared_by, "break_glass_reason": break_glass_reason,
        "started_at": started_at, "resolved_at": None,
        "updated_at": started_at if updated_at is None else updated_at,
        "runbook_sha256": runbook_sha256, "runbook_content": runbook_content,
    }  # fmt: skip
    sql = sql_of(conn)
    query = (
        f"INSERT INTO incidents ({', '.join(values)}) "
        f"VALUES ({', '.join(':' + name for name in values)}) RETURNING id"
    )
    [(number,)] = sql.rows(query, row_in("incidents", values, sql.dialect_name))
    return int(number)


def get_incident(conn: Connection, number: int) -> IncidentRecord | None:
    return _one(sql_of(conn), f"{SELECT_RECORD} WHERE id = :id", {"id": number})


def open_incident_by_dedupe_key(conn: Connection, key: str) -> IncidentRecord | None:
    query = f"{SELECT_RECORD} WHERE open_dedupe_key = :key"
    return _one(sql_of(conn), query, {"key": key})


def latest_incident_by_dedupe_key(conn: Connection, key: str) -> IncidentRecord | None:
    query = f"{SELECT_RECORD} WHERE dedupe_key = :key ORDER BY id DESC LIMIT 1"
    return _one(sql_of(conn), query, {"key": key})


def listed_condition(include_resolved: bool) -> tuple[str, dict[str, Any]]:
    """WHERE (on ``incidents``): what ``status`` lists, open incidents or resolved ones too."""
    if not include_resolved:
        return "incidents.status = :open", {"open": IncidentStatus.OPEN.value}
    listed, params = in_list("listed", [s.value for s in LISTED_STATUSES])
    return f"incidents.status IN {listed}", params


def list_incidents(conn: Connection, *, include_resolved: bool = False) -> list[IncidentRecord]:
    where, params = listed_condition(include_resolved)
    return _records(sql_of(conn), f"{SELECT_RECORD} WHERE {where} ORDER BY id", params)


def lock_incident(conn: Connection, number: int) -> IncidentRecord | None:
    """The incident, locked until the transaction ends (``FOR UPDATE`` on PostgreSQL;
    SQLite's ``BEGIN IMMEDIATE`` already holds the database)."""
    sql = sql_of(conn)
    lock = "" if sql.dialect_name == "sqlite" else " FOR UPDATE"
    return _one(sql, f"{SELECT_RECORD} WHERE id = :id{lock}", {"id": number})


def update_incident(conn: Connection, number: int, **values: Any) -> None:
    if not values:
        return
    sql = sql_of(conn)
    params = row_in("incidents", values, sql.dialect_name)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    sql.run(f"UPDATE incidents SET {assignments} WHERE id = :id_", {**params, "id_": number})


def version_content(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """The runbook content pinned (on any incident) under content hash ``sha256``."""
    query = (
        "SELECT runbook_content FROM incidents WHERE runbook_sha256 = :sha "
        "AND runbook_content IS NOT NULL LIMIT 1"
    )
    found = sql_of(conn).rows(query, {"sha": sha256})
    content = json_out(found[0][0]) if found else None
    return None if content is None else dict(content)


def expected_incident_number(conn: Connection) -> int:
    """The number the next incident will most likely get (a concurrent declare may take
    it first): used to compose its first message before the write transaction."""
    sql = sql_of(conn)
    if sql.dialect_name == "postgresql":
        found = sql.rows(
            "SELECT last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND sequencename = 'incidents_id_seq'"
        )
        if found and found[0][0] is not None:
            return int(found[0][0]) + 1
    [(highest,)] = sql.rows("SELECT max(id) FROM incidents")
    return int(highest or 0) + 1
