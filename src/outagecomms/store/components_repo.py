"""Queries over components: the ones each incident affects (``incident_components``) and
every change of a component's status (``component_changes``; the latest row is its status
now). Data access only: which status a change sets is decided in
:mod:`outagecomms.components.impact`. SQL text (:mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import row_in, time_in, time_out
from outagecomms.store.records import IncidentStatus
from outagecomms.store.sql import in_list, sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class ComponentChange:
    """One row of a component's status history."""

    component: str
    status: str
    at: datetime
    incident: int | None
    source: str
    actor: str | None
    reason: str | None


def incident_components(conn: Connection, incident_number: int) -> list[str]:
    """The component ids incident ``incident_number`` affects, sorted (empty: none)."""
    return sorted(incident_component_statuses(conn, incident_number))


def incident_component_statuses(conn: Connection, incident_number: int) -> dict[str, str]:
    """Component id -> the status incident ``incident_number`` puts it in."""
    query = "SELECT component, status FROM incident_components WHERE incident_id = :number"
    return {c: s for c, s in sql_of(conn).rows(query, {"number": incident_number})}


def insert_incident_components(conn: Connection, number: int, affected: Mapping[str, str]) -> None:
    """Record the components incident ``number`` affects, id -> status."""
    sql_of(conn).run_many(
        "INSERT INTO incident_components (incident_id, component, status) "
        "VALUES (:incident_id, :component, :status)",
        [{"incident_id": number, "component": c, "status": s} for c, s in affected.items()],
    )


def components_of_incidents(conn: Connection, numbers: Sequence[int]) -> dict[int, dict[str, str]]:
    """:func:`incident_component_statuses` for several incidents at once."""
    found: dict[int, dict[str, str]] = {n: {} for n in numbers}
    if not numbers:
        return found
    listed, params = in_list("number", numbers)
    query = (
        "SELECT incident_id, component, status FROM incident_components "
        f"WHERE incident_id IN {listed}"
    )
    for number, component, status in sql_of(conn).rows(query, params):
        found[number][component] = status
    return found


def open_impacts(conn: Connection, component: str, *, excluding: int | None = None) -> list[str]:
    """The statuses the OPEN incidents (but ``excluding``) put ``component`` in."""
    query = (
        "SELECT incident_components.status FROM incident_components "
        "JOIN incidents ON incidents.id = incident_components.incident_id "
        "WHERE incident_components.component = :component AND incidents.status = :open"
    )
    params: dict[str, Any] = {"component": component, "open": IncidentStatus.OPEN.value}
    if excluding is not None:
        query += " AND incidents.id != :excluding"
        params["excluding"] = excluding
    return [status for (status,) in sql_of(conn).rows(query, params)]


def add_component_change(
    conn: Connection,
    *,
    component: str,
    status: str,
    at: datetime,
    source: str,
    incident: int | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> None:
    sql = sql_of(conn)
    values = {"component": component, "status": status, "at": at, "incident_id": incident,
              "source": source, "actor": actor, "reason": reason}  # fmt: skip
    sql.run(
        "INSERT INTO component_changes (component, status, at, incident_id, source, actor, "
        "reason) VALUES (:component, :status, :at, :incident_id, :source, :actor, :reason)",
        row_in("component_changes", values, sql.dialect_name),
    )


_CHANGE = "SELECT c.component, c.status, c.at, c.incident_id, c.source, c.actor, c.reason"


def _change(row: tuple[Any, ...]) -> ComponentChange:
    component, status, at, incident, source, actor, reason = row
    return ComponentChange(component, status, time_out(at), incident, source, actor, reason)  # type: ignore[arg-type]


def current_changes(conn: Connection) -> dict[str, ComponentChange]:
    """Each component's latest change (its status now); a component never changed is
    absent (operational)."""
    query = (
        f"{_CHANGE} FROM component_changes AS c JOIN (SELECT max(id) AS id "
        "FROM component_changes GROUP BY component) AS latest ON latest.id = c.id"
    )
    return {change.component: change for change in map(_change, sql_of(conn).rows(query))}


def current_status(conn: Connection, component: str) -> str | None:
    query = (
        "SELECT status FROM component_changes WHERE component = :component ORDER BY id DESC LIMIT 1"
    )
    found = sql_of(conn).rows(query, {"component": component})
    return str(found[0][0]) if found else None


def changes_since(conn: Connection, since: datetime) -> list[ComponentChange]:
    """Every change from ``since`` on, and the last one before it of each component (the
    status it started the period in), oldest first."""
    sql = sql_of(conn)
    query = (
        f"{_CHANGE} FROM component_changes AS c WHERE c.at >= :since OR c.id IN "
        "(SELECT max(id) FROM component_changes WHERE at < :since GROUP BY component) "
        "ORDER BY c.at, c.id"
    )
    return [_change(row) for row in sql.rows(query, {"since": time_in(since, sql.dialect_name)})]
