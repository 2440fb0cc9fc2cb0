"""Queries over worker heartbeats: record, stop, forget, and when one was last seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from outagecomms.store.deliveries_repo import _aware
from outagecomms.store.tables import (
    workers,
)


def heartbeat(conn: Connection, *, worker: str, hostname: str, pid: int, now: datetime) -> None:
    """Record that ``worker`` is alive at ``now``."""
    seen = conn.execute(
        update(workers).where(workers.c.id == worker).values(seen_at=now, stopped_at=None)
    )
    if seen.rowcount == 0:
        conn.execute(
            insert(workers).values(
                id=worker, hostname=hostname, pid=pid, started_at=now, seen_at=now
            )
        )


def worker_stopped(conn: Connection, *, worker: str, now: datetime) -> None:
    conn.execute(update(workers).where(workers.c.id == worker).values(stopped_at=now, seen_at=now))


def forget_workers(conn: Connection, *, before: datetime) -> None:
    """Drop heartbeats older than ``before`` (workers long gone)."""
    conn.execute(delete(workers).where(workers.c.seen_at < before))


def last_worker_seen(conn: Connection) -> datetime | None:
    """The latest heartbeat of a worker that has not stopped cleanly."""
    query = select(func.max(workers.c.seen_at)).where(workers.c.stopped_at.is_(None))
    found = conn.execute(query).scalar_one()
    return None if found is None else _aware(found)
