"""Queries over maintenance windows and their steps: insert, read, lock, and the step
claim (a row per window, step, sequence and reminder lead; a second claim finds it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import _aware
from outagecomms.store.tables import maintenance_steps, maintenance_windows
from outagecomms.store.window_rows import WindowRecord
from outagecomms.store.window_rows import list_windows as list_windows  # maintenance's reads

ACTIVE = ("scheduled", "in_progress")
"""Window statuses the worker still has steps for."""


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
    row = conn.execute(query).first()  # the table's columns are WINDOW_COLUMNS, in order
    return None if row is None else WindowRecord.from_values(tuple(row))


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
