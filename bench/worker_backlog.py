"""Big worker backlogs made in SQL: copies of one declared incident, its messages and
their deliveries (declaring 20,000 incidents one by one, rendering and checking every
message, would take hours). Each copy is an incident of its own, so the claim rules
(one message at a time per incident and channel) treat the copies as a real audience."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from outagecomms.store import Store

CHUNK = 1_000


def copy_incident(
    store: Store,
    copies: int,
    *,
    incident: Callable[[int], Mapping[str, Any]] | None = None,
    message: Callable[[int], Mapping[str, Any]] | None = None,
    delivery: Callable[[int], Mapping[str, Any]] | None = None,
) -> None:
    """Add ``copies`` copies of incident 1 with its messages and their deliveries. The
    callables give, for copy ``n`` (1-based), values that override the copied row's
    (``next_update_at``, ``due_at``...)."""
    from sqlalchemy import select

    from outagecomms.store.tables import deliveries, incidents, messages

    with store.write() as conn:
        first = dict(conn.execute(select(incidents).where(incidents.c.id == 1)).mappings().one())
        own = list(conn.execute(select(messages).where(messages.c.incident_id == 1)).mappings())
        ids = [row["id"] for row in own]
        sent = list(conn.execute(select(deliveries).where(deliveries.c.message_id.in_(ids))))
        for start in range(1, copies + 1, CHUNK):
            numbers = range(start, min(start + CHUNK, copies + 1))
            rows = [{**_fresh(first), **(incident(n) if incident else {})} for n in numbers]
            new_ids = _insert(conn, incidents, rows)
            for row in own:
                copied = [
                    {**_fresh(dict(row)), "incident_id": number, **(message(n) if message else {})}
                    for n, number in zip(numbers, new_ids, strict=True)
                ]
                message_ids = _insert(conn, messages, copied)
                of_it = [d._asdict() for d in sent if d.message_id == row["id"]]
                extra = [
                    {
                        **_fresh(d),
                        "message_id": message_id,
                        "idempotency_key": f"{d['idempotency_key'][:40]}-{message_id}",
                        **(delivery(n) if delivery else {}),
                    }
                    for n, message_id in zip(numbers, message_ids, strict=True)
                    for d in of_it
                ]
                if extra:
                    conn.execute(deliveries.insert(), extra)
    analyze(store)


def analyze(store: Store) -> None:
    """Let PostgreSQL's planner see the backlog just copied in (autovacuum would, within a
    minute of a bulk load): with the empty tables' statistics it sorts every due row per
    claim instead of walking the claim index to its limit."""
    from sqlalchemy import text

    if store.engine.dialect.name == "postgresql":
        with store.write() as conn:
            conn.execute(text("ANALYZE"))


def _fresh(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "id"}


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    result = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(found) for found in result.scalars()]


def at(moment: datetime) -> Callable[[int], dict[str, Any]]:
    """Every copy due at ``moment``."""
    return lambda _n: {"due_at": moment}
