"""The outbox's writes for a batch of new messages, one per incident (the worker's
automatic updates of every overdue incident at once, or a single declare's message): the
next sequence numbers, the messages, and cancelling the never-sent deliveries they make
stale. A few statements whatever the batch's size (``IN`` lists); SQL text
(:mod:`outagecomms.store.sql`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import row_in
from outagecomms.store.delivery_rows import SELECT_DELIVERY, delivery_record
from outagecomms.store.messages_repo import INSERTED
from outagecomms.store.records import PENDING_STATES, DeliveryRecord, DeliveryState
from outagecomms.store.sql import in_list, sql_of
from outagecomms.vocabulary import Phase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_PENDING = [s.value for s in PENDING_STATES]
_RESOLVED = Phase.RESOLVED.value


def next_message_seqs(conn: Connection, numbers: Collection[int]) -> dict[int, int]:
    """Incident number -> the sequence number of its next message (1 for the first)."""
    listed, params = in_list("number", numbers)
    query = (
        f"SELECT incident_id, max(seq) FROM messages WHERE incident_id IN {listed} "
        "GROUP BY incident_id"
    )
    latest = {int(number): int(seq) for number, seq in sql_of(conn).rows(query, params)}
    return {number: latest.get(number, 0) + 1 for number in numbers}


def insert_messages(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert messages (each row: the ``messages`` columns but ``id``) in one statement;
    their ids, in the order of ``rows`` (matched by incident and sequence number, which
    are unique, whatever order ``RETURNING`` gives them in)."""
    if not rows:
        return []
    sql = sql_of(conn)
    params: dict[str, Any] = {}
    tuples = []
    for index, row in enumerate(rows):
        encoded = row_in("messages", row, sql.dialect_name)
        params.update({f"{name}_{index}": encoded[name] for name in INSERTED})
        tuples.append("(" + ", ".join(f":{name}_{index}" for name in INSERTED) + ")")
    query = (
        f"INSERT INTO messages ({', '.join(INSERTED)}) VALUES {', '.join(tuples)} "
        "RETURNING id, incident_id, seq"
    )
    ids = {(int(number), int(seq)): int(found) for found, number, seq in sql.rows(query, params)}
    return [ids[(int(row["incident_id"]), int(row["seq"]))] for row in rows]


@dataclass(frozen=True)
class Superseding:
    """What one new message makes stale: the never-sent deliveries of its incident's older
    messages on ``channels`` (None: on every channel); with ``keep_resolutions`` not those
    of a ``resolved`` message. ``reason``: what the cancelled deliveries say."""

    incident: int
    message_id: int
    channels: Collection[str] | None
    keep_resolutions: bool
    reason: str


def cancel_superseded(
    conn: Connection, batch: Sequence[Superseding], *, now: datetime
) -> dict[int, list[DeliveryRecord]]:
    """Cancel what each new message of ``batch`` (one per incident) supersedes; incident
    number -> the deliveries cancelled, oldest first. The state is checked again in the
    ``UPDATE``: on PostgreSQL a worker may have claimed one (moved it to ``sending``) since
    the read, and a delivery being sent is not cancelled."""
    newer = {s.incident: s for s in batch}
    if len(newer) != len(batch):
        raise ValueError("one new message per incident in a batch")
    if not newer:
        return {}
    sql = sql_of(conn)
    listed, params = in_list("number", newer)
    older = f"SELECT id, incident_id, phase FROM messages WHERE incident_id IN {listed}"
    stale_by: dict[int, Superseding] = {}
    for message_id, number, phase in sql.rows(older, params):
        superseding = newer[int(number)]
        kept = superseding.keep_resolutions and phase == _RESOLVED
        if message_id < superseding.message_id and not kept:
            stale_by[int(message_id)] = superseding
    if not stale_by:
        return {}
    stale, params = in_list("message", stale_by)
    pending, pending_params = in_list("pending", _PENDING)
    params.update(pending_params)
    where = f"message_id IN {stale} AND state IN {pending}"
    if all(s.channels is not None for s in batch):  # else: some supersede every channel
        named, named_params = in_list(
            "channel", sorted({c for s in batch for c in s.channels or ()})
        )
        where += f" AND channel IN {named}"
        params.update(named_params)
    found = [
        delivery_record(row)
        for row in sql.rows(f"{SELECT_DELIVERY} WHERE {where} ORDER BY id", params)
    ]
    records = [d for d in found if _on_channels(d.channel, stale_by[d.message_id].channels)]
    by_reason: dict[str, list[int]] = {}
    for record in records:
        by_reason.setdefault(stale_by[record.message_id].reason, []).append(record.id)
    done: set[int] = set()
    for reason, ids in by_reason.items():
        done.update(_cancel(conn, ids, reason, now))
    cancelled: dict[int, list[DeliveryRecord]] = {}
    for record in records:
        if record.id in done:
            number = stale_by[record.message_id].incident
            cancelled.setdefault(number, []).append(record)
    return cancelled


def _on_channels(channel: str, channels: Collection[str] | None) -> bool:
    return channels is None or channel in channels


def _cancel(conn: Connection, ids: list[int], reason: str, now: datetime) -> list[int]:
    """Cancel the deliveries ``ids`` still pending; the ids it cancelled."""
    sql = sql_of(conn)
    values = cancelled_values(reason, now)
    params = row_in("deliveries", values, sql.dialect_name)
    listed, id_params = in_list("id", ids)
    pending, pending_params = in_list("pending", _PENDING)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    query = (
        f"UPDATE deliveries SET {assignments} WHERE id IN {listed} AND state IN {pending} "
        "RETURNING id"
    )
    return [int(found) for (found,) in sql.rows(query, {**params, **id_params, **pending_params})]


def cancelled_values(reason: str, now: datetime) -> dict[str, Any]:
    """The columns of a delivery cancelled ``now`` before it was sent, for ``reason``."""
    return {
        "state": DeliveryState.CANCELLED.value, "due_at": None, "lease_owner": None,
        "lease_expires_at": None, "last_error": reason, "updated_at": now,
    }  # fmt: skip
