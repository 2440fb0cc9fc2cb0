"""Queries over worker heartbeats: record, stop, forget, and when one was last seen (SQL
text, :mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from outagecomms.store.codec import time_in, time_out
from outagecomms.store.sql import sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def heartbeat(conn: Connection, *, worker: str, hostname: str, pid: int, now: datetime) -> None:
    """Record that ``worker`` is alive at ``now``."""
    sql = sql_of(conn)
    at = time_in(now, sql.dialect_name)
    seen = sql.run(
        "UPDATE workers SET seen_at = :now, stopped_at = NULL WHERE id = :id",
        {"now": at, "id": worker},
    )
    if seen == 0:
        sql.run(
            "INSERT INTO workers (id, hostname, pid, started_at, seen_at) "
            "VALUES (:id, :hostname, :pid, :now, :now)",
            {"id": worker, "hostname": hostname, "pid": pid, "now": at},
        )


def worker_stopped(conn: Connection, *, worker: str, now: datetime) -> None:
    sql = sql_of(conn)
    sql.run(
        "UPDATE workers SET stopped_at = :now, seen_at = :now WHERE id = :id",
        {"now": time_in(now, sql.dialect_name), "id": worker},
    )


def forget_workers(conn: Connection, *, before: datetime) -> None:
    """Drop heartbeats older than ``before`` (workers long gone)."""
    sql = sql_of(conn)
    sql.run(
        "DELETE FROM workers WHERE seen_at < :before",
        {"before": time_in(before, sql.dialect_name)},
    )


def last_worker_seen(conn: Connection) -> datetime | None:
    """The latest heartbeat of a worker that has not stopped cleanly."""
    query = "SELECT max(seen_at) FROM workers WHERE stopped_at IS NULL"
    [(found,)] = sql_of(conn).rows(query)
    return time_out(found)
