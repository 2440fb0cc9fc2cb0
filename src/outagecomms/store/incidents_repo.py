"""Queries over incidents: the promises and reminders that are due, the pinned runbook
versions, reopening (insert, read, change, lock and the next incident number are SQL text
in :mod:`.incident_rows`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import _aware
from outagecomms.store.incident_rows import UNBLOCKED as UNBLOCKED
from outagecomms.store.records import IncidentRecord
from outagecomms.store.tables import (
    IncidentStatus,
    incidents,
)

INCIDENT_COLUMNS = [column for column in incidents.c if column.name != "runbook_content"]
"""Every incident column but the pinned runbook, which only :func:`pinned_content` reads
(it is large, and most reads of an incident do not need it)."""


def _open_promising(exclude: Collection[int], now: datetime | None = None) -> Any:
    """WHERE: open, with a promised next update, not among ``exclude`` and, given ``now``,
    not blocked by the worker beyond ``now`` (``blocked_until``)."""
    condition = and_(
        incidents.c.status == IncidentStatus.OPEN.value,
        incidents.c.next_update_at.is_not(None),
    )
    if exclude:
        condition = and_(condition, incidents.c.id.not_in(list(exclude)))
    if now is not None:
        condition = and_(
            condition,
            or_(incidents.c.blocked_until.is_(None), incidents.c.blocked_until <= now),
        )
    return condition


def overdue_incidents(
    conn: Connection, *, now: datetime, limit: int, exclude: Collection[int] = ()
) -> list[IncidentRecord]:
    """Up to ``limit`` open incidents whose promised update is due (``next_update_at <=
    now``), the longest overdue first, except those blocked until later and ``exclude``.
    Served by the ``(status, next_update_at)`` index: the cost is the number due, not
    the number open."""
    query = (
        select(*INCIDENT_COLUMNS)
        .where(_open_promising(exclude, now), incidents.c.next_update_at <= now)
        .order_by(incidents.c.next_update_at, incidents.c.id)
        .limit(limit)
    )
    return [IncidentRecord.from_row(row) for row in conn.execute(query).mappings()]


def next_promise(conn: Connection, *, exclude: Collection[int] = ()) -> datetime | None:
    """The earliest moment an open incident (not in ``exclude``) needs the worker: its
    ``next_update_at``, or for a blocked one the later ``blocked_until``."""
    blocked = incidents.c.blocked_until
    moment = case(
        (and_(blocked.is_not(None), blocked > incidents.c.next_update_at), blocked),
        else_=incidents.c.next_update_at,
    )
    query = select(func.min(moment)).where(_open_promising(exclude))
    found = conn.execute(query).scalar_one()
    return None if found is None else _aware(found)


def _not_reminded() -> Any:
    return or_(
        incidents.c.reminded_for.is_(None),
        incidents.c.reminded_for != incidents.c.next_update_at,
    )


def reminders_due(
    conn: Connection,
    *,
    leads: Mapping[RunbookVersion, timedelta],
    now: datetime,
    limit: int,
    exclude: Collection[int] = (),
) -> list[IncidentRecord]:
    """Up to ``limit`` open incidents whose runbook version reminds staff
    ``leads[version]`` before an automatic update, whose reminder moment has come (and
    whose promise has not passed yet), not yet reminded of their current promise;
    soonest promise first."""
    if not leads:
        return []
    window = or_(
        *(
            and_(_of_version(version), incidents.c.next_update_at <= now + lead)
            for version, lead in _by_version(leads)
        )
    )
    query = (
        select(*INCIDENT_COLUMNS)
        .where(_open_promising(exclude, now), incidents.c.next_update_at > now, window)
        .where(_not_reminded())
        .order_by(incidents.c.next_update_at, incidents.c.id)
        .limit(limit)
    )
    return [IncidentRecord.from_row(row) for row in conn.execute(query).mappings()]


def next_reminder(
    conn: Connection, *, leads: Mapping[RunbookVersion, timedelta], now: datetime
) -> datetime | None:
    """The earliest reminder moment still ahead (``next_update_at - lead`` after ``now``)
    among open incidents not yet reminded of their current promise."""
    if not leads:
        return None
    ahead = or_(
        *(
            and_(_of_version(version), incidents.c.next_update_at > now + lead)
            for version, lead in _by_version(leads)
        )
    )
    query = (
        select(
            incidents.c.runbook_id,
            incidents.c.runbook_sha256,
            func.min(incidents.c.next_update_at),
        )
        .where(_open_promising(()), ahead, _not_reminded())
        .group_by(incidents.c.runbook_id, incidents.c.runbook_sha256)
    )
    moments = [
        _aware(at) - leads[(rid, sha)] for rid, sha, at in conn.execute(query) if at is not None
    ]
    return min(moments, default=None)


RunbookVersion = tuple[str, str | None]
"""A runbook id and the content hash pinned on incidents (None: declared before pinning)."""


def open_runbook_versions(conn: Connection) -> list[RunbookVersion]:
    """The runbook versions the open incidents render from."""
    query = (
        select(incidents.c.runbook_id, incidents.c.runbook_sha256)
        .where(incidents.c.status == IncidentStatus.OPEN.value)
        .distinct()
    )
    return sorted(
        ((rid, sha) for rid, sha in conn.execute(query)), key=lambda v: (v[0], v[1] or "")
    )


def _of_version(version: RunbookVersion) -> Any:
    runbook_id, sha256 = version
    pinned = (
        incidents.c.runbook_sha256.is_(None)
        if sha256 is None
        else incidents.c.runbook_sha256 == sha256
    )
    return and_(incidents.c.runbook_id == runbook_id, pinned)


def _by_version(
    leads: Mapping[RunbookVersion, timedelta],
) -> list[tuple[RunbookVersion, timedelta]]:
    return sorted(leads.items(), key=lambda item: (item[0][0], item[0][1] or ""))


def reopen_incident(conn: Connection, number: int, key: str, **values: Any) -> bool:
    """Open a resolved incident again under its dedupe key; False when it is not resolved
    (any more). The unique index on ``open_dedupe_key`` still lets only one incident hold
    the key, so a racing declare either finds this one open or fails its insert."""
    query = (
        update(incidents)
        .where(incidents.c.id == number, incidents.c.status == IncidentStatus.RESOLVED.value)
        .values(status=IncidentStatus.OPEN.value, open_dedupe_key=key, resolved_at=None, **values)
    )
    return conn.execute(query).rowcount == 1


def mark_reminded(conn: Connection, number: int, promise: datetime) -> bool:
    """Record that the internal channels were reminded of ``promise``; False when that was
    already done (by another worker) or the promise changed meanwhile."""
    result = conn.execute(
        update(incidents)
        .where(
            incidents.c.id == number,
            incidents.c.status == IncidentStatus.OPEN.value,
            incidents.c.next_update_at == promise,
            or_(incidents.c.reminded_for.is_(None), incidents.c.reminded_for != promise),
        )
        .values(reminded_for=promise)
    )
    return result.rowcount == 1
