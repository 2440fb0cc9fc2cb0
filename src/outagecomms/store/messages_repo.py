"""Queries over messages: the next sequence number, insert and read (SQL text,
:mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import json_out, row_in, time_out
from outagecomms.store.records import MessageRecord
from outagecomms.store.sql import in_list, sql_of
from outagecomms.vocabulary import Phase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

MESSAGE_COLUMNS = (
    "id", "incident_id", "seq", "phase", "origin", "author", "variables", "next_update_at",
    "created_at",
)  # fmt: skip
SELECT_MESSAGE = f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
INSERTED = ("incident_id", "seq", "phase", "origin", "author", "variables", "next_update_at",
            "created_at")  # fmt: skip
INSERT_MESSAGE = (
    f"INSERT INTO messages ({', '.join(INSERTED)}) "
    f"VALUES ({', '.join(':' + name for name in INSERTED)}) RETURNING id"
)


def message_record(row: tuple[Any, ...]) -> MessageRecord:
    """A message from a row of :data:`MESSAGE_COLUMNS`."""
    message_id, number, seq, phase, origin, author, variables, next_update_at, created = row
    return MessageRecord(
        message_id, number, seq, Phase(phase), origin, author,
        dict(json_out(variables) or {}), time_out(next_update_at),
        time_out(created),  # type: ignore[arg-type]
    )  # fmt: skip


def next_message_seq(conn: Connection, number: int) -> int:
    query = "SELECT coalesce(max(seq), 0) FROM messages WHERE incident_id = :number"
    [(seq,)] = sql_of(conn).rows(query, {"number": number})
    return int(seq) + 1


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
    sql = sql_of(conn)
    [(message_id,)] = sql.rows(INSERT_MESSAGE, row_in("messages", values, sql.dialect_name))
    return int(message_id)


def messages_of(conn: Connection, number: int) -> list[MessageRecord]:
    query = f"{SELECT_MESSAGE} WHERE incident_id = :number ORDER BY seq"
    return [message_record(row) for row in sql_of(conn).rows(query, {"number": number})]


def get_message(conn: Connection, message_id: int) -> MessageRecord:
    [row] = sql_of(conn).rows(f"{SELECT_MESSAGE} WHERE id = :id", {"id": message_id})
    return message_record(row)


def messages_by_id(conn: Connection, message_ids: Collection[int]) -> dict[int, MessageRecord]:
    """These messages, by id (one query)."""
    if not message_ids:
        return {}
    ids, params = in_list("id", message_ids)
    found = sql_of(conn).rows(f"{SELECT_MESSAGE} WHERE id IN {ids}", params)
    return {record.id: record for record in map(message_record, found)}


def latest_message(conn: Connection, number: int) -> MessageRecord | None:
    query = f"{SELECT_MESSAGE} WHERE incident_id = :number ORDER BY seq DESC LIMIT 1"
    found = sql_of(conn).rows(query, {"number": number})
    return message_record(found[0]) if found else None
