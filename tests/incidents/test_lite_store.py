"""The store on the standard library's ``sqlite3`` (``store/lite.py``) against the store on
SQLAlchemy: which one a database gets, the same rows written and read through either, the
same errors, and a declare that never imports SQLAlchemy."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from outagecomms.errors import StoreError
from outagecomms.incidents import Orchestrator
from outagecomms.incidents.overview import overview
from outagecomms.project import Project
from outagecomms.store import Store, open_store
from outagecomms.store import repository as repo
from outagecomms.store.codec import COLUMN_KINDS
from outagecomms.store.delivery_rows import deliveries_of, insert_delivery
from outagecomms.store.engine import (
    HEAD_REVISION,
    EngineStore,
    alembic_config,
    current_revision,
    open_engine_store,
)
from outagecomms.store.lite import LiteStore
from outagecomms.store.records import DeliveryRecord, DeliveryState, IncidentRecord
from outagecomms.store.tables import UTCDateTime, deliveries, incidents, metadata
from outagecomms.vocabulary import Phase
from outagecomms.worker import Worker
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, Clock, FakeSender, write_channel

VARS = {"impact": IMPACT}
BERLIN = timezone(timedelta(hours=2))
STARTED = datetime(2024, 6, 1, 14, 30, 15, 123456, tzinfo=BERLIN)
"""A moment with microseconds, given in another timezone than UTC."""
WORDS = {"impact": "paiements refusés — 支付失败 ☕"}
"""Variables outside ASCII."""


def sqlite_url(root: Path, name: str = "state.db") -> str:
    return f"sqlite:///{root / '.outagecomms' / name}"


def migrated(url: str) -> str:
    open_store(url).close()
    return url


@pytest.fixture
def url(project_root: Path) -> str:
    return migrated(sqlite_url(project_root))


@pytest.fixture
def lite(url: str) -> Iterator[Store]:
    opened = open_store(url)
    assert isinstance(opened, LiteStore)
    yield opened
    opened.close()


@pytest.fixture
def engine_store(url: str) -> Iterator[Store]:
    opened = open_engine_store(url)
    yield opened
    opened.close()


def orchestrator_on(
    store: Store, root: Path, clock: Clock, sender: FakeSender, approvals: Approvals
) -> Orchestrator:
    return Orchestrator(Project(root), store, clock=clock, sender=sender, gate=approvals,
                        actor="alice")  # fmt: skip


def test_a_fresh_database_is_migrated_and_opened_on_sqlalchemy(project_root: Path) -> None:
    with open_store(sqlite_url(project_root)) as store:
        assert isinstance(store, EngineStore)
        with store.read() as conn:
            assert current_revision(conn) == HEAD_REVISION


def test_a_database_at_the_newest_schema_is_opened_on_sqlite3(url: str) -> None:
    with open_store(url) as store:
        assert isinstance(store, LiteStore)


def test_the_schema_revision_is_read_on_the_sqlite3_store_too(url: str) -> None:
    with open_store(url) as store, store.read() as conn:
        assert isinstance(store, LiteStore)
        assert current_revision(conn) == HEAD_REVISION


def test_a_database_at_an_older_revision_is_migrated_not_opened_on_sqlite3(url: str) -> None:
    with open_engine_store(url) as store, store.write() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    with open_store(url) as store:
        assert isinstance(store, EngineStore)
        with store.read() as conn:
            assert current_revision(conn) == HEAD_REVISION


@pytest.mark.postgres
def test_postgresql_is_opened_on_sqlalchemy(postgres_url: str) -> None:
    migrated(postgres_url)
    with open_store(postgres_url) as store:
        assert isinstance(store, EngineStore)


def test_the_codec_names_every_time_json_and_boolean_column_of_its_tables() -> None:
    from sqlalchemy import JSON, Boolean

    for table, kinds in COLUMN_KINDS.items():
        expected = {}
        for column in metadata.tables[table].c:
            if isinstance(column.type, UTCDateTime):
                expected[column.name] = "time"
            elif isinstance(column.type, JSON):
                expected[column.name] = "json"
            elif isinstance(column.type, Boolean):
                expected[column.name] = "bool"
        assert kinds == expected, table


INCIDENT: dict[str, Any] = {
    "runbook_id": RUNBOOK, "severity": "major", "next_update_at": STARTED + timedelta(hours=1),
    "variables": WORDS, "declared_by": "zoë", "started_at": STARTED, "channels": ["x-posts"],
    "runbook_content": {"id": RUNBOOK, "title": "Paiements refusés ☕"},
}  # fmt: skip


def written_by_core(store: Store) -> int:
    """The incident written with SQLAlchemy Core, as the store wrote it before SQL text."""
    values = {**INCIDENT, "status": "open", "phase": "investigating", "updated_at": STARTED}
    with store.write() as conn:
        done = conn.execute(insert(incidents).values(**values).returning(incidents.c.id))
        return int(done.scalar_one())


def read_by_core(store: Store, number: int) -> IncidentRecord:
    with store.read() as conn:
        row = conn.execute(select(incidents).where(incidents.c.id == number)).mappings().one()
        return IncidentRecord.from_row(row)


def written_by_text(store: Store) -> int:
    with store.write() as conn:
        return repo.insert_incident(conn, **INCIDENT)


def read_by_text(store: Store, number: int) -> IncidentRecord:
    with store.read() as conn:
        found = repo.get_incident(conn, number)
        assert found is not None
        return found


def test_an_incident_written_on_sqlite3_reads_the_same_through_sqlalchemy(
    lite: Store, engine_store: Store
) -> None:
    number = written_by_text(lite)
    assert read_by_core(engine_store, number) == read_by_text(lite, number)
    assert read_by_core(engine_store, number).started_at == STARTED


def test_an_incident_written_through_sqlalchemy_reads_the_same_on_sqlite3(
    lite: Store, engine_store: Store
) -> None:
    number = written_by_core(engine_store)
    assert read_by_text(lite, number) == read_by_core(engine_store, number)
    assert read_by_text(lite, number).variables == WORDS


def test_both_adapters_store_the_very_same_text(lite: Store, engine_store: Store, url: str) -> None:
    ours, theirs = written_by_text(lite), written_by_core(engine_store)
    columns = "next_update_at, variables, channels, started_at, runbook_content, resolved_at"
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        query = f"SELECT {columns} FROM incidents WHERE id = ?"
        assert raw.execute(query, (ours,)).fetchall() == raw.execute(query, (theirs,)).fetchall()
        [(started,)] = raw.execute("SELECT started_at FROM incidents WHERE id = ?", (ours,))
    assert started == "2024-06-01 12:30:15.123456"


@pytest.mark.postgres
def test_on_postgresql_the_sql_text_and_sqlalchemy_core_read_each_others_rows(
    postgres_url: str,
) -> None:
    with open_store(postgres_url) as store:
        ours, theirs = written_by_text(store), written_by_core(store)
        assert read_by_core(store, ours) == read_by_text(store, ours)
        assert read_by_text(store, theirs) == read_by_core(store, theirs)
        assert read_by_text(store, theirs).started_at == STARTED


def a_delivery(conn: Any, number: int) -> int:
    message = repo.insert_message(
        conn, incident_id=number, seq=1, phase=Phase.INVESTIGATING,
        origin="human", author="zoë", variables=WORDS, next_update_at=None, created_at=STARTED,
    )  # fmt: skip
    return insert_delivery(
        conn, message_id=message, channel="x-posts", kind="x", audience="customers",
        title=None, body="Paiements refusés ☕", length=19, limit=280, unit="x",
        idempotency_key="k1", created_at=STARTED, due_at=STARTED, possibly_duplicate=True,
    )  # fmt: skip


def test_a_delivery_written_on_sqlite3_reads_the_same_through_sqlalchemy(
    lite: Store, engine_store: Store
) -> None:
    number = written_by_text(lite)
    with lite.write() as conn:
        delivery_id = a_delivery(conn, number)
    with engine_store.read() as conn:
        query = select(deliveries).where(deliveries.c.id == delivery_id)
        theirs = DeliveryRecord.from_row(conn.execute(query).mappings().one())
    with lite.read() as conn:
        [ours] = deliveries_of(conn, [theirs.message_id])
    assert ours == theirs
    assert ours.possibly_duplicate is True


def table_rows(path: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the outbox's tables, but what is random per run (keys, lease owners)."""
    random = {"idempotency_key", "lease_owner"}
    found: dict[str, list[dict[str, Any]]] = {}
    with sqlite3.connect(path) as raw:
        raw.row_factory = sqlite3.Row
        for table in ("incidents", "messages", "deliveries", "events", "incident_components"):
            rows = raw.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            found[table] = [
                {k: r[k] for k in r.keys() if k not in random}  # noqa: SIM118
                for r in rows
            ]
    for event in found["events"]:
        detail = json.loads(event["detail"])
        detail.pop("owner", None)
        event["detail"] = detail
    return found


def test_the_same_declare_writes_the_same_rows_on_sqlite3_and_on_sqlalchemy(
    project_root: Path, fake_channels: list[str], clock: Clock, sender: FakeSender,
    approvals: Approvals,
) -> None:  # fmt: skip
    paths = {}
    for name, opener in (("lite.db", open_store), ("engine.db", open_engine_store)):
        url = migrated(sqlite_url(project_root, name))
        with opener(url) as store:
            assert isinstance(store, LiteStore) == (name == "lite.db")
            orchestrator_on(store, project_root, clock, sender, approvals).declare(
                RUNBOOK, variables=VARS
            )
        paths[name] = url.removeprefix("sqlite:///")
    assert table_rows(paths["lite.db"]) == table_rows(paths["engine.db"])
    assert table_rows(paths["lite.db"])["deliveries"]


def test_a_worker_on_sqlalchemy_sends_what_a_declare_on_sqlite3_queued(
    lite: Store, url: str, project_root: Path, fake_channels: list[str], clock: Clock,
    sender: FakeSender, approvals: Approvals,
) -> None:  # fmt: skip
    sender.failing = {"x-posts"}
    report = orchestrator_on(lite, project_root, clock, sender, approvals).declare(
        RUNBOOK, variables=VARS, channels=["x-posts"]
    )
    sender.failing = set()
    with open_engine_store(url) as store:
        orchestrator = orchestrator_on(store, project_root, clock, sender, approvals)
        clock.advance(minutes=10)
        Worker(orchestrator).run_once()
        with store.read() as conn:
            assert report.message is not None
            [delivery] = repo.deliveries_of(conn, [report.message.id])
    assert delivery.state is DeliveryState.SENT


def test_status_reads_the_same_on_sqlite3_and_on_sqlalchemy(
    monkeypatch: pytest.MonkeyPatch, lite: Store, url: str, project_root: Path,
    fake_channels: list[str], clock: Clock, sender: FakeSender, approvals: Approvals,
) -> None:  # fmt: skip
    sender.failing = {"customers-email"}
    orchestrator = orchestrator_on(lite, project_root, clock, sender, approvals)
    for _ in range(3):
        orchestrator.declare(RUNBOOK, variables=VARS)
    project = Project(project_root)
    on_sqlite3 = overview(project, url, clock=lambda: clock.now, gate=approvals)
    monkeypatch.setattr("outagecomms.store.lite.open_lite", lambda _url: None)
    on_sqlalchemy = overview(project, url, clock=lambda: clock.now, gate=approvals)
    assert on_sqlite3 == on_sqlalchemy
    assert len(on_sqlite3.rows) == 3


def test_a_locked_database_gives_the_same_clear_error_on_both(
    monkeypatch: pytest.MonkeyPatch, lite: Store, engine_store: Store, url: str
) -> None:
    short = ("PRAGMA busy_timeout = 1", "PRAGMA foreign_keys = ON")
    monkeypatch.setattr("outagecomms.store.engine.SQLITE_PRAGMAS", short)
    monkeypatch.setattr("outagecomms.store.lite.SQLITE_PRAGMAS", short)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    errors = []
    try:
        for store in (lite, engine_store):
            with pytest.raises(StoreError) as caught, store.write():
                pass
            errors.append(str(caught.value))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert errors[0] == errors[1]
    assert "database is locked" in errors[0]
    assert "another outagecomms process holds the database" in errors[0]


def test_naive_times_are_refused_on_sqlite3_too(lite: Store) -> None:
    with pytest.raises(ValueError, match="naive datetime"), lite.write() as conn:
        repo.insert_incident(conn, **{**INCIDENT, "started_at": datetime(2024, 6, 1)})


IMPORTERS = """
import builtins, sys
seen = set()
real = builtins.__import__
def spy(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__") or ""
    if name.split(".")[0] == "sqlalchemy" and importer.startswith("outagecomms"):
        seen.add(importer)
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = spy
from outagecomms.cli import main
sys.argv = ["outagecomms", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
if "sqlalchemy" in sys.modules:
    seen.add("<sys.modules>")
print(sorted(seen), file=sys.stderr)
"""


def importers_of_sqlalchemy(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTERS, *argv], capture_output=True, text=True, timeout=120
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))


def test_a_webhook_declare_in_a_fresh_interpreter_does_not_import_sqlalchemy(
    project_root: Path, http: Any
) -> None:
    write_channel(project_root, "status-hook", kind="webhook", url=http.url("/status"))
    root = str(project_root)
    argv = ("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", root, "--timeout", "5",
            "--unapproved", "--reason", "a test")  # fmt: skip
    importers_of_sqlalchemy(*argv)  # the first creates and migrates the database
    assert importers_of_sqlalchemy(*argv) == set()
    assert len(http.wait_for(2, path="/status")) == 2


def test_a_declare_with_a_site_channel_in_a_fresh_interpreter_does_not_import_sqlalchemy(
    project_root: Path, http: Any
) -> None:
    write_channel(project_root, "status-hook", kind="webhook", url=http.url("/status"))
    write_channel(project_root, "status-page", kind="site", url="public")
    root = str(project_root)
    argv = ("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", root, "--timeout", "5",
            "--unapproved", "--reason", "a test")  # fmt: skip
    importers_of_sqlalchemy(*argv)  # the first creates and migrates the database
    assert importers_of_sqlalchemy(*argv) == set()
    assert (project_root / "public" / "index.html").is_file()


def test_status_in_a_fresh_interpreter_does_not_import_sqlalchemy(
    url: str, project_root: Path
) -> None:
    assert importers_of_sqlalchemy("status", "--project", str(project_root)) == set()


def test_a_second_open_incident_with_the_same_dedupe_key_is_refused_on_sqlite3(
    lite: Store,
) -> None:
    from outagecomms.store.lite import integrity_errors

    with lite.write() as conn:
        repo.insert_incident(conn, **INCIDENT, dedupe_key="db-down")
    with pytest.raises(integrity_errors()), lite.write() as conn:
        repo.insert_incident(conn, **INCIDENT, dedupe_key="db-down")
    with lite.read() as conn:
        assert len(repo.list_incidents(conn)) == 1


def test_a_sqlalchemy_statement_on_the_sqlite3_store_runs_in_its_transaction(
    lite: Store,
) -> None:
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), lite.write() as conn:
        number = repo.insert_incident(conn, **INCIDENT)
        seen = conn.execute(select(incidents.c.id)).scalars().all()  # through the bridge
        conn.execute(insert(incidents).values(**{**INCIDENT, "status": "open",
                     "phase": "investigating", "updated_at": STARTED}))  # fmt: skip
        assert seen == [number]
        raise Abandon
    with lite.read() as conn:
        assert conn.execute(select(incidents.c.id)).scalars().all() == []
        assert repo.list_incidents(conn) == []
