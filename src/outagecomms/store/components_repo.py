"""Queries over components: the ones each incident affects (``incident_components``) and
every change of a component's status (``component_changes``; the latest row is its status
now). Data access only: which status a change sets is decided in
:mod:`outagecomms.components.impact`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from outagecomms.store import tables
from outagecomms.store.records import IncidentStatus

_affects = tables.incident_components
_changes = tables.component_changes
_incidents = tables.incidents


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


def insert_incident_components(conn: Connection, number: int, affected: Mapping[str, str]) -> None:
    """Record the components incident ``number`` affects, id -> status."""
    if affected:
        conn.execute(
            insert(tables.incident_components),
            [{"incident_id": number, "component": c, "status": s} for c, s in affected.items()],
        )


def incident_components(conn: Connection, incident_number: int) -> list[str]:
    """The component ids incident ``incident_number`` affects, sorted (empty: none)."""
    return sorted(incident_component_statuses(conn, incident_number))


def incident_component_statuses(conn: Connection, incident_number: int) -> dict[str, str]:
    """Component id -> the status incident ``incident_number`` puts it in."""
    query = select(_affects.c.component, _affects.c.status).where(
        _affects.c.incident_id == incident_number
    )
    return {row.component: row.status for row in conn.execute(query)}


def components_of_incidents(conn: Connection, numbers: Sequence[int]) -> dict[int, dict[str, str]]:
    """:func:`incident_component_statuses` for several incidents at once."""
    found: dict[int, dict[str, str]] = {n: {} for n in numbers}
    if not numbers:
        return found
    query = select(_affects).where(_affects.c.incident_id.in_(numbers))
    for row in conn.execute(query):
        found[row.incident_id][row.component] = row.status
    return found


def open_impacts(conn: Connection, component: str, *, excluding: int | None = None) -> list[str]:
    """The statuses the OPEN incidents (but ``excluding``) put ``component`` in."""
    query = (
        select(_affects.c.status)
        .join(_incidents, _incidents.c.id == _affects.c.incident_id)
        .where(_affects.c.component == component)
        .where(_incidents.c.status == IncidentStatus.OPEN.value)
    )
    if excluding is not None:
        query = query.where(_incidents.c.id != excluding)
    return [row.status for row in conn.execute(query)]


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
    conn.execute(
        insert(_changes).values(
            component=component,
            status=status,
            at=at,
            incident_id=incident,
            source=source,
            actor=actor,
            reason=reason,
        )
    )


def _change(row: RowMapping) -> ComponentChange:
    return ComponentChange(
        component=row["component"],
        status=row["status"],
        at=row["at"],
        incident=row["incident_id"],
        source=row["source"],
        actor=row["actor"],
        reason=row["reason"],
    )


def current_changes(conn: Connection) -> dict[str, ComponentChange]:
    """Each component's latest change (its status now); a component never changed is
    absent (operational)."""
    latest = select(func.max(_changes.c.id).label("id")).group_by(_changes.c.component).subquery()
    query = select(_changes).join(latest, latest.c.id == _changes.c.id)
    return {row["component"]: _change(row) for row in conn.execute(query).mappings()}


def current_status(conn: Connection, component: str) -> str | None:
    query = (
        select(_changes.c.status)
        .where(_changes.c.component == component)
        .order_by(_changes.c.id.desc())
        .limit(1)
    )
    return conn.execute(query).scalar_one_or_none()


def changes_since(conn: Connection, since: datetime) -> list[ComponentChange]:
    """Every change from ``since`` on, and the last one before it of each component (the
    status it started the period in), oldest first."""
    before = (
        select(func.max(_changes.c.id).label("id"))
        .where(_changes.c.at < since)
        .group_by(_changes.c.component)
    )
    query = (
        select(_changes)
        .where((_changes.c.at >= since) | _changes.c.id.in_(before))
        .order_by(_changes.c.at, _changes.c.id)
    )
    return [_change(row) for row in conn.execute(query).mappings()]
