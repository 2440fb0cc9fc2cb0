"""Queries over maintenance windows and their steps: insert, read, lock, and the step
claim (a row per window, step, sequence and reminder lead; a second claim finds it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import _aware
from outagecomms.store.tables import maintenance_steps, maintenance_windows

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

ACTIVE = ("scheduled", "in_progress")
"""Window statuses the worker still has steps for."""


@dataclass(frozen=True)
class WindowRecord:
    id: int
    incident_number: int
    runbook_id: str
    status: str
    starts_at: datetime
    ends_at: datetime
    components: list[str]
    sequence: int
    planned_at: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None

    @property
    def ref(self) -> str:
        return f"MW-{self.id}"

    @classmethod
    def from_row(cls, row: RowMapping) -> WindowRecord:
        values: dict[str, Any] = dict(row)
        values["incident_number"] = values.pop("incident_id")
        values["components"] = list(values["components"] or [])
        return cls(**values)


@dataclass(frozen=True)
class StepRecord:
    window_id: int
    step: str
    sequence: int
    lead_seconds: int
    due_at: datetime
    done_at: datetime
    outcome: str
    message_id: int | None


def insert_window(conn: Connection, **values: Any) -> int:
    result = conn.execute(
        insert(maintenance_windows).values(**values).returning(maintenance_windows.c.id)
    )
    return int(result.scalar_one())


def get_window(conn: Connection, window_id: int, *, lock: bool = False) -> WindowRecord | None:
    query = select(maintenance_windows).where(maintenance_windows.c.id == window_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return None if row is None else WindowRecord.from_row(row)


def list_windows(
    conn: Connection, *, statuses: tuple[str, ...] | None = None
) -> list[WindowRecord]:
    query = select(maintenance_windows).order_by(
        maintenance_windows.c.starts_at, maintenance_windows.c.id
    )
    if statuses is not None:
        query = query.where(maintenance_windows.c.status.in_(statuses))
    return [WindowRecord.from_row(row) for row in conn.execute(query).mappings()]


def update_window(conn: Connection, window_id: int, **values: Any) -> None:
    conn.execute(
        update(maintenance_windows).where(maintenance_windows.c.id == window_id).values(**values)
    )


def steps_of(conn: Connection, window_id: int) -> list[StepRecord]:
    query = (
        select(maintenance_steps)
        .where(maintenance_steps.c.window_id == window_id)
        .order_by(maintenance_steps.c.id)
    )
    return [
        StepRecord(
            window_id=row["window_id"],
            step=row["step"],
            sequence=row["sequence"],
            lead_seconds=row["lead_seconds"],
            due_at=row["due_at"],
            done_at=row["done_at"],
            outcome=row["outcome"],
            message_id=row["message_id"],
        )
        for row in conn.execute(query).mappings()
    ]


def record_step(conn: Connection, **values: Any) -> None:
    """The claim of one step; call it with the window locked (:func:`get_window`
    ``lock=True``) after :func:`steps_of` showed it not taken. The unique constraint is
    the backstop: a second claim raises ``IntegrityError``, never a second notice."""
    conn.execute(insert(maintenance_steps).values(**values))


def next_window_moment(conn: Connection) -> datetime | None:
    """The earliest start or end of a window still scheduled or in progress: a bound on
    when the worker next has a step to take (reminders come before the start)."""
    starts = conn.execute(
        select(func.min(maintenance_windows.c.starts_at)).where(
            maintenance_windows.c.status == "scheduled"
        )
    ).scalar_one()
    ends = conn.execute(
        select(func.min(maintenance_windows.c.ends_at)).where(
            maintenance_windows.c.status == "in_progress"
        )
    ).scalar_one()
    found = [_aware(moment) for moment in (starts, ends) if moment is not None]
    return min(found) if found else None
