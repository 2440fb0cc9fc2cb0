"""Queries over messages: the next sequence number, insert and read."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from outagecomms.store.records import MessageRecord
from outagecomms.store.tables import (
    messages,
)
from outagecomms.vocabulary import Phase


def next_message_seq(conn: Connection, number: int) -> int:
    query = select(func.coalesce(func.max(messages.c.seq), 0)).where(
        messages.c.incident_id == number
    )
    return int(conn.execute(query).scalar_one()) + 1


def insert_message(
    conn: Connection,
    *,
    incident_id: int,
    seq: int,
    phase: Phase,
    origin: str,
    author: str,
    variables: Mapping[str, str],
    next_update_at: datetime | None,
    created_at: datetime,
) -> int:
    """Message ``seq`` of incident ``incident_id`` (``origin``: "human", "cadence", ...);
    returns its id."""
    values = {
        "incident_id": incident_id, "seq": seq, "phase": Phase(phase).value, "origin": origin,
        "author": author, "variables": dict(variables), "next_update_at": next_update_at,
        "created_at": created_at,
    }  # fmt: skip
    result = conn.execute(insert(messages).values(**values).returning(messages.c.id))
    return int(result.scalar_one())


def messages_of(conn: Connection, number: int) -> list[MessageRecord]:
    query = select(messages).where(messages.c.incident_id == number).order_by(messages.c.seq)
    return [MessageRecord.from_row(row) for row in conn.execute(query).mappings()]


def get_message(conn: Connection, message_id: int) -> MessageRecord:
    row = conn.execute(select(messages).where(messages.c.id == message_id)).mappings().one()
    return MessageRecord.from_row(row)


def messages_by_id(conn: Connection, message_ids: Collection[int]) -> dict[int, MessageRecord]:
    """These messages, by id (one query)."""
    if not message_ids:
        return {}
    query = select(messages).where(messages.c.id.in_(list(message_ids)))
    return {row["id"]: MessageRecord.from_row(row) for row in conn.execute(query).mappings()}


def latest_message(conn: Connection, number: int) -> MessageRecord | None:
    query = (
        select(messages)
        .where(messages.c.incident_id == number)
        .order_by(messages.c.seq.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else MessageRecord.from_row(row)
