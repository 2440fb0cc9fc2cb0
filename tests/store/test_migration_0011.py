"""Migration 0011: the index on when resolved incidents ended (the status page's window and
history months) and the one the per-message delivery counts are read from alone; both
added to a database at 0010 without touching its rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Connection

from outagecomms.store import Store, open_store, site_repo
from outagecomms.store.engine import alembic_config
from outagecomms.store.tables import deliveries, incidents, messages

CLOSED = "ix_incidents_status_closed_at"
COUNTS = "ix_deliveries_message_id_audience_channel_state"
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def add_resolved_incident(conn: Connection, resolved_at: datetime | None) -> int:
    """One resolved incident with one message and one delivery to customers."""
    number: int = conn.execute(
        insert(incidents).values(
            runbook_id="payments-failing", status="resolved", severity="major",
            phase="resolved", variables={}, declared_by="alice", started_at=T0,
            resolved_at=resolved_at, updated_at=T0,
        ).returning(incidents.c.id)
    ).scalar_one()  # fmt: skip
    message: int = conn.execute(
        insert(messages).values(
            incident_id=number, seq=1, phase="resolved", origin="human", author="alice",
            variables={}, created_at=T0,
        ).returning(messages.c.id)
    ).scalar_one()  # fmt: skip
    conn.execute(
        insert(deliveries).values(
            message_id=message, channel="email", kind="email", audience="customers",
            body="Resolved.", length=9, unit="chars", state="sent", attempts=1,
            possibly_duplicate=False, idempotency_key=f"key-{message}", created_at=T0,
            updated_at=T0,
        )
    )  # fmt: skip
    return number


def index_names(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return {str(name) for name in conn.execute(text(query)).scalars()}


def downgraded_to_0010(store: Store) -> None:
    with store.write() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")


def test_a_database_at_0010_gets_both_indexes_and_keeps_its_rows(database_url: str) -> None:
    with open_store(database_url) as store:
        with store.write() as conn:
            add_resolved_incident(conn, T0 + timedelta(hours=1))
            add_resolved_incident(conn, None)
        downgraded_to_0010(store)
        with store.read() as conn:
            assert {CLOSED, COUNTS}.isdisjoint(index_names(conn))
    with open_store(database_url) as store, store.read() as conn:
        assert {CLOSED, COUNTS} <= index_names(conn)
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar_one() == 2


def test_the_window_still_finds_incidents_without_a_resolution_time(database_url: str) -> None:
    """The index's expression is the window's: an incident resolved without a time belongs
    to its start."""
    with open_store(database_url) as store:
        with store.write() as conn:
            resolved = add_resolved_incident(conn, T0 + timedelta(days=3))
            untimed = add_resolved_incident(conn, None)
        with store.read() as conn:
            window = site_repo.window_listed(conn, T0 + timedelta(days=1))
            month = site_repo.resolved_between(conn, T0, T0 + timedelta(days=1))
    assert ([r.number for r in window], [r.number for r in month]) == ([resolved], [untimed])


@contextmanager
def executed(store: Store) -> Iterator[list[tuple[str, object]]]:
    """Every statement the store's engine runs meanwhile, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def sqlite_plan(store: Store, sql: str, params: object = ()) -> str:
    """SQLite's plan of one statement, its steps joined."""
    with store.read() as conn:
        steps = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)  # type: ignore[arg-type]
        return " | ".join(str(step[-1]) for step in steps)


def test_the_window_and_month_queries_search_the_closed_at_index(tmp_path: Path) -> None:
    """Never a scan of every resolved incident: a range of the index."""
    with open_store(f"sqlite:///{tmp_path / 'state.db'}") as store:
        with executed(store) as statements, store.read() as conn:
            site_repo.window_listed(conn, T0)
            site_repo.resolved_between(conn, T0, T0 + timedelta(days=30))
        plans = [sqlite_plan(store, sql, p) for sql, p in statements if sql.startswith("SELECT")]
    assert [p.split(" | ")[0] for p in plans] == [
        f"SEARCH incidents USING INDEX {CLOSED} (status=? AND <expr>>?)",
        f"SEARCH incidents USING INDEX {CLOSED} (status=? AND <expr>>? AND <expr><?)",
    ]


@pytest.mark.parametrize(
    "counting",
    [
        "SELECT message_id, state, count(*) FROM deliveries WHERE message_id = 7 "
        "GROUP BY message_id, state",
        "SELECT message_id, channel, state, count(*) FROM deliveries "
        "WHERE message_id IN (7, 8) AND audience = 'subscribers' "
        "GROUP BY message_id, channel, state",
    ],
    ids=["per state", "subscribers per channel and state"],
)
def test_a_message_s_deliveries_are_counted_from_the_index_alone(
    tmp_path: Path, counting: str
) -> None:
    """What ``status`` and ``show`` count never reads the deliveries' rows (their texts)."""
    with open_store(f"sqlite:///{tmp_path / 'state.db'}") as store:
        plan = sqlite_plan(store, counting)
    assert f"USING COVERING INDEX {COUNTS}" in plan
