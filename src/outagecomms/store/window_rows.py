"""The maintenance windows as the status page reads them, in SQL text
(:mod:`outagecomms.store.sql`): a `declare` with a site channel on the ``sqlite3`` store
lists them without loading SQLAlchemy. The worker's writes are :mod:`.maintenance_repo`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import row_out
from outagecomms.store.sql import in_list, sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

WINDOW_COLUMNS = (
    "id", "incident_id", "runbook_id", "status", "starts_at", "ends_at", "components",
    "sequence", "planned_at", "created_by", "created_at", "updated_at", "started_at",
    "completed_at", "cancelled_at",
)  # fmt: skip
"""The columns a :class:`WindowRecord` is made of, in its fields' order."""


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
    def from_values(cls, row: tuple[Any, ...]) -> WindowRecord:
        """A window from a row of :data:`WINDOW_COLUMNS` (as either connection reads it)."""
        values = row_out("maintenance_windows", WINDOW_COLUMNS, row)
        values["incident_number"] = values.pop("incident_id")
        values["components"] = list(values["components"] or [])
        return cls(**values)


def list_windows(
    conn: Connection, *, statuses: tuple[str, ...] | None = None
) -> list[WindowRecord]:
    """The windows (only those in ``statuses``, when given), by start then id."""
    query = f"SELECT {', '.join(WINDOW_COLUMNS)} FROM maintenance_windows"
    params: dict[str, Any] = {}
    if statuses is not None:
        among, params = in_list("status", statuses)
        query += f" WHERE status IN {among}"
    query += " ORDER BY starts_at, id"
    return [WindowRecord.from_values(row) for row in sql_of(conn).rows(query, params)]
