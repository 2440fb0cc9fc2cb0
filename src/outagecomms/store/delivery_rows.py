"""The deliveries' queries of the hot path as SQL text (:mod:`outagecomms.store.sql`):
insert, read, and the first attempt's lease (start sending, record the outcome). The
worker's others (release, block, next due) are :mod:`.deliveries_repo`'s."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.store.codec import row_in, time_in, time_out
from outagecomms.store.records import PENDING_STATES, DeliveryRecord, DeliveryState
from outagecomms.store.sql import Sql, in_list, sql_of
from outagecomms.vocabulary import Phase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

RESOLVED_PHASE = Phase.RESOLVED.value
POSTMORTEM_PHASE = Phase.POSTMORTEM.value
WAITING_FOR_EARLIER = (
    "waits for an earlier message of this incident on this channel (being sent, or a "
    "resolution not delivered yet); the worker sends it right after"
)
BULK_BATCH = 1000
"""Rows per executemany when one message goes to many recipients (100,000 subscribers are
100 statements, not 100,000)."""
SUBSCRIBERS_AUDIENCE = "subscribers"

DELIVERY_COLUMNS = (
    "id", "message_id", "channel", "kind", "audience", "title", "body", "length", "limit",
    "unit", "state", "attempts", "due_at", "lease_owner", "lease_expires_at", "last_error",
    "sent_at", "possibly_duplicate", "idempotency_key", "created_at", "updated_at",
    "cut_from", "recipient",
)  # fmt: skip
"""The columns a :class:`DeliveryRecord` is made of, in its fields' order."""
SELECT_DELIVERY = (
    "SELECT " + ", ".join(f'deliveries."{c}"' for c in DELIVERY_COLUMNS) + (" FROM deliveries")
)
_INSERTED = DELIVERY_COLUMNS[1:]
INSERT_DELIVERY = (
    "INSERT INTO deliveries (" + ", ".join(f'"{c}"' for c in _INSERTED) + ") "
    "VALUES (" + ", ".join(f":{c}" for c in _INSERTED) + ")"
)


def delivery_record(row: tuple[Any, ...]) -> DeliveryRecord:
    """A delivery from a row of :data:`DELIVERY_COLUMNS`."""
    (delivery_id, message_id, channel, kind, audience, title, body, length, limit, unit,
     state, attempts, due_at, lease_owner, lease_expires_at, last_error, sent_at,
     possibly_duplicate, idempotency_key, created_at, updated_at, cut_from,
     recipient) = row  # fmt: skip
    return DeliveryRecord(
        delivery_id, message_id, channel, kind, audience, title, body, length, limit, unit,
        DeliveryState(state), attempts, time_out(due_at), lease_owner,
        time_out(lease_expires_at), last_error, time_out(sent_at), bool(possibly_duplicate),
        idempotency_key, time_out(created_at), time_out(updated_at),  # type: ignore[arg-type]
        cut_from, recipient,
    )  # fmt: skip


def _records(sql: Sql, query: str, params: dict[str, Any]) -> list[DeliveryRecord]:
    return [delivery_record(row) for row in sql.rows(query, params)]


def delivery_values(
    *,
    message_id: int,
    channel: str,
    kind: str,
    audience: str,
    title: str | None,
    body: str,
    length: int,
    limit: int | None,
    unit: str,
    idempotency_key: str,
    created_at: datetime,
    due_at: datetime | None,
    state: DeliveryState = DeliveryState.QUEUED,
    attempts: int = 0,
    lease_owner: str | None = None,
    lease_expires_at: datetime | None = None,
    last_error: str | None = None,
    sent_at: datetime | None = None,
    possibly_duplicate: bool = False,
    cut_from: int | None = None,
    recipient: str = "",
) -> dict[str, Any]:
    """The row of a new delivery of message ``message_id`` to the channel named
    ``channel`` (its ``kind`` and ``audience``, exactly what it gets), to ``recipient``
    ("": the channel's URL whole)."""
    return {
        "message_id": message_id, "channel": channel, "kind": kind, "audience": audience,
        "title": title, "body": body, "length": length, "limit": limit, "unit": unit,
        "state": DeliveryState(state).value, "attempts": attempts, "due_at": due_at,
        "lease_owner": lease_owner, "lease_expires_at": lease_expires_at,
        "last_error": last_error, "sent_at": sent_at, "possibly_duplicate": possibly_duplicate,
        "idempotency_key": idempotency_key, "created_at": created_at, "updated_at": created_at,
        "cut_from": cut_from, "recipient": recipient,
    }  # fmt: skip


def insert_delivery(conn: Connection, **fields: Any) -> int:
    """A new delivery (the fields of :func:`delivery_values`); returns its id."""
    sql = sql_of(conn)
    values = row_in("deliveries", delivery_values(**fields), sql.dialect_name)
    [(delivery_id,)] = sql.rows(f"{INSERT_DELIVERY} RETURNING id", values)
    return int(delivery_id)


def insert_deliveries(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many deliveries with executemany, :data:`BULK_BATCH` rows a statement."""
    sql = sql_of(conn)
    encoded = [row_in("deliveries", row, sql.dialect_name) for row in rows]
    for start in range(0, len(encoded), BULK_BATCH):
        sql.run_many(INSERT_DELIVERY, encoded[start : start + BULK_BATCH])
    return len(rows)


def deliveries_of(
    conn: Connection, message_ids: Iterable[int], *, subscribers: bool = True
) -> list[DeliveryRecord]:
    """The deliveries of these messages; without ``subscribers``, not those to subscribers
    (there may be 100,000: :func:`subscriber_counts` counts them)."""
    ids = list(message_ids)
    if not ids:
        return []
    listed, params = in_list("message", ids)
    where = f"message_id IN {listed}"
    if not subscribers:
        where += " AND audience != :subscribers"
        params["subscribers"] = SUBSCRIBERS_AUDIENCE
    query = f"{SELECT_DELIVERY} WHERE {where} ORDER BY message_id, id"
    return _records(sql_of(conn), query, params)


def deliveries_by_id(conn: Connection, delivery_ids: Collection[int]) -> list[DeliveryRecord]:
    """These deliveries, by id."""
    if not delivery_ids:
        return []
    listed, params = in_list("id", delivery_ids)
    return _records(sql_of(conn), f"{SELECT_DELIVERY} WHERE id IN {listed} ORDER BY id", params)


_PENDING = [s.value for s in PENDING_STATES]
_PENDING_LIST, _PENDING_PARAMS = in_list("pending", _PENDING)
_EARLIER_IN_FLIGHT = f"""EXISTS (SELECT other.id FROM deliveries AS other
 JOIN messages AS other_message ON other_message.id = other.message_id
 JOIN messages AS own ON own.incident_id = other_message.incident_id
 WHERE own.id = deliveries.message_id AND other.channel = deliveries.channel
 AND other.recipient = deliveries.recipient
 AND (other.state = :sending OR (own.phase = :postmortem AND other_message.phase = :resolved
      AND other.state IN {_PENDING_LIST}))
 AND other.message_id < deliveries.message_id)"""
"""An earlier message of the same incident is being sent on the same channel to the same
recipient or, for a postmortem, an earlier resolution there is not delivered yet
(correlated to the ``deliveries`` row being updated)."""
_MINE = "message_id = :message_id AND state = :queued AND lease_owner = :owner"


def start_sending(
    conn: Connection, message_id: int, *, owner: str, now: datetime, lease_until: datetime
) -> list[DeliveryRecord]:
    """Move this owner's queued deliveries of one message to ``sending`` (one attempt more):
    from here on a crash may leave a delivery sent but not recorded.

    Order per incident and channel: a delivery whose channel still has an earlier message
    of the incident in ``sending`` (a worker sending an update right when it was resolved)
    is not sent here; its claim is released so that a worker sends it after that one.
    """
    sql = sql_of(conn)
    mine = {"message_id": message_id, "queued": DeliveryState.QUEUED.value, "owner": owner}
    sql.run(
        "UPDATE deliveries SET state = :sending, attempts = attempts + 1, "
        f"lease_expires_at = :lease_until, updated_at = :now WHERE {_MINE} "
        f"AND NOT {_EARLIER_IN_FLIGHT}",
        {**mine, **_PENDING_PARAMS, "sending": DeliveryState.SENDING.value,
         "postmortem": POSTMORTEM_PHASE, "resolved": RESOLVED_PHASE,
         "lease_until": time_in(lease_until, sql.dialect_name),
         "now": time_in(now, sql.dialect_name)},
    )  # fmt: skip
    sql.run(
        "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL, "
        f"last_error = :waiting WHERE {_MINE}",
        {**mine, "waiting": WAITING_FOR_EARLIER},
    )
    query = (
        f"{SELECT_DELIVERY} WHERE message_id = :message_id AND state = :sending "
        "AND lease_owner = :owner ORDER BY id"
    )
    sending = {"message_id": message_id, "sending": DeliveryState.SENDING.value, "owner": owner}
    return _records(sql, query, sending)


def outcome_values(
    now: datetime,
    state: DeliveryState,
    due_at: datetime | None,
    error: str | None,
    maybe_sent: bool,
) -> dict[str, Any]:
    """The columns an attempt's outcome sets: its state, the next due time, the error, the
    lease released; ``sent_at`` when sent; possibly duplicated when ``maybe_sent``."""
    values: dict[str, Any] = {
        "state": state.value,
        "due_at": due_at,
        "last_error": error,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if state is DeliveryState.SENT:
        values["sent_at"] = now
    if maybe_sent:
        values["possibly_duplicate"] = True
    return values


def _record_outcome(
    sql: Sql, delivery_ids: Collection[int], owner: str, values: dict[str, Any]
) -> set[int]:
    params = row_in("deliveries", values, sql.dialect_name)
    listed, ids = in_list("id", delivery_ids)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    query = (
        f"UPDATE deliveries SET {assignments} WHERE id IN {listed} AND state = :sending_ "
        "AND lease_owner = :owner_ RETURNING id"
    )
    params.update(ids, sending_=DeliveryState.SENDING.value, owner_=owner)
    return {int(found) for (found,) in sql.rows(query, params)}


def finish_attempts(
    conn: Connection,
    delivery_ids: Collection[int],
    *,
    owner: str,
    now: datetime,
    state: DeliveryState,
    due_at: datetime | None,
    error: str | None,
    maybe_sent: bool = False,
) -> set[int]:
    """Record the outcome of an attempt on each of ``delivery_ids`` (the same for all), in
    one ``UPDATE ... WHERE id IN (...)``, where ``owner`` still holds the lease: the ids
    recorded (the others are left as they are).

    ``maybe_sent``: the attempt was abandoned while the provider may have received it, so
    the delivery is marked possibly duplicated (a later attempt may repeat it)."""
    if not delivery_ids:
        return set()
    values = outcome_values(now, state, due_at, error, maybe_sent)
    return _record_outcome(sql_of(conn), delivery_ids, owner, values)


def _counted_per_channel(
    sql: Sql, key: str, join: str, ids: Iterable[int]
) -> dict[int, dict[str, dict[str, int]]]:
    listed, params = in_list("id", ids)
    query = (
        f"SELECT {key}, deliveries.channel, deliveries.state, count(*) FROM deliveries{join} "
        f"WHERE {key} IN {listed} AND deliveries.audience = :subscribers "
        f"GROUP BY {key}, deliveries.channel, deliveries.state"
    )
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for number, channel, state, count in sql.rows(
        query, {**params, "subscribers": SUBSCRIBERS_AUDIENCE}
    ):
        counts.setdefault(number, {}).setdefault(channel, {})[state] = count
    return counts


def subscriber_counts_of_incidents(
    conn: Connection, numbers: Iterable[int]
) -> dict[int, dict[str, dict[str, int]]]:
    """Per incident, per subscribers' channel: how many deliveries are in each state."""
    ids = list(numbers)
    if not ids:
        return {}
    join = " JOIN messages ON messages.id = deliveries.message_id"
    return _counted_per_channel(sql_of(conn), "messages.incident_id", join, ids)


def subscriber_counts(
    conn: Connection, message_ids: Iterable[int]
) -> dict[int, dict[str, dict[str, int]]]:
    """Per message, per subscribers' channel: how many deliveries are in each state (no
    address is read)."""
    ids = list(message_ids)
    if not ids:
        return {}
    return _counted_per_channel(sql_of(conn), "deliveries.message_id", "", ids)
