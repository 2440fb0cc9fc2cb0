"""The state store: migrations on open, the schema they build, and where the database is."""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from outagecomms.errors import StoreError
from outagecomms.incidents import database_url
from outagecomms.project import Project
from outagecomms.sinks import closed_port
from outagecomms.store import Store, open_store
from outagecomms.store.engine import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    shown_url,
)
from outagecomms.store.tables import events, metadata


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'state.db'}"


def schema_drift(store: Store, target: MetaData) -> list[object]:
    """What differs; SQLite's reflection cannot read an expression index, so there the
    index on when incidents closed is checked by tests/store/test_migration_0011.py."""
    with store.read() as conn, warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "(Skipped unsupported|autogenerate skipping).*expression-based index"
        )
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, target))


def test_a_fresh_database_is_migrated_to_head(tmp_path: Path) -> None:
    with open_store(sqlite_url(tmp_path)) as store, store.read() as conn:
        assert current_revision(conn) == head_revision()


def test_the_migrated_schema_matches_the_table_metadata(tmp_path: Path) -> None:
    with open_store(sqlite_url(tmp_path)) as store:
        assert schema_drift(store, metadata) == []


def test_the_schema_comparison_notices_a_missing_table(tmp_path: Path) -> None:
    """The check above would catch metadata the migrations do not create."""
    extra = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    with open_store(sqlite_url(tmp_path)) as store:
        assert [diff[0] for diff in schema_drift(store, extra)] == ["add_table"]  # type: ignore[index]


def test_the_head_revision_constant_names_the_newest_migration() -> None:
    """A new migration must bump ``HEAD_REVISION`` too (the fast path of ``open_store``)."""
    assert head_revision() == HEAD_REVISION


def test_an_up_to_date_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    open_store(url).close()  # creates and migrates
    script = (
        "import sys\n"
        "from outagecomms.store import open_store\n"
        f"open_store({url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_database_one_migration_behind_is_brought_to_head(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    with open_store(url) as store, store.write() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")  # 0010: its own downgrade
        for column in (
            "runbook_sha256",
            "runbook_content",
            "blocked_reason",
            "blocked_at",
            "blocked_until",
        ):
            conn.execute(text(f"ALTER TABLE incidents DROP COLUMN {column}"))
        conn.execute(text("ALTER TABLE deliveries DROP COLUMN cut_from"))
        for table in ("maintenance_steps", "maintenance_windows"):  # 0008
            conn.execute(text(f"DROP TABLE {table}"))
        for table in ("component_changes", "incident_components"):  # 0007
            conn.execute(text(f"DROP TABLE {table}"))
        for table in ("alerts", "idempotency_keys", "api_tokens"):  # 0005
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("DROP INDEX ix_deliveries_state_due_at_message_id_id"))  # 0009
        conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    with open_store(url) as store:
        assert schema_drift(store, metadata) == []


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    with open_store(sqlite_url(tmp_path)) as store, store.write() as conn:
        conn.execute(insert(events).values(at=now, kind="test", actor=None, detail={}))
    with open_store(sqlite_url(tmp_path)) as store, store.read() as conn:
        assert conn.execute(select(events.c.kind)).scalars().all() == ["test"]


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    with open_store(sqlite_url(tmp_path)) as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    with open_store(sqlite_url(tmp_path)) as store, store.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer"):
        open_store(sqlite_url(tmp_path))


def test_timestamps_come_back_as_aware_utc(tmp_path: Path) -> None:
    riga = timezone(timedelta(hours=3))
    with open_store(sqlite_url(tmp_path)) as store:
        with store.write() as conn:
            moment = datetime(2024, 6, 1, 15, 0, tzinfo=riga)
            conn.execute(insert(events).values(at=moment, kind="t", actor=None, detail={}))
        with store.read() as conn:
            stored = conn.execute(select(events.c.at)).scalar_one()
    assert (stored, stored.tzinfo) == (datetime(2024, 6, 1, 12, 0, tzinfo=UTC), UTC)


def test_naive_timestamps_are_rejected(tmp_path: Path) -> None:
    naive = insert(events).values(at=datetime(2024, 6, 1), kind="t", actor=None, detail={})
    with (
        open_store(sqlite_url(tmp_path)) as store,
        pytest.raises(StatementError, match="naive"),
        store.write() as conn,
    ):
        conn.execute(naive)


def test_an_unreachable_database_is_a_store_error_naming_it(tmp_path: Path) -> None:
    with closed_port() as port, pytest.raises(StoreError) as raised:
        open_store(f"postgresql://ops:pw-s3cret@127.0.0.1:{port}/oc")
    assert f"127.0.0.1:{port}" in str(raised.value) and "pw-s3cret" not in str(raised.value)


def test_shown_url_hides_the_password() -> None:
    assert shown_url("postgresql://ops:pw@db/oc") == "postgresql://ops:***@db/oc"


def test_the_default_database_is_under_the_project(tmp_path: Path) -> None:
    assert database_url(Project(tmp_path)) == (
        f"sqlite:///{(tmp_path / '.outagecomms' / 'state.db').resolve()}"
    )


def test_a_relative_sqlite_path_is_relative_to_the_project(tmp_path: Path) -> None:
    (tmp_path / "outagecomms.toml").write_text('database_url = "sqlite:///var/state.db"\n')
    assert database_url(Project(tmp_path)) == f"sqlite:///{(tmp_path / 'var/state.db').resolve()}"


def test_the_environment_overrides_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "outagecomms.toml").write_text('database_url = "sqlite:////a.db"\n')
    project = Project(tmp_path, environ={"OUTAGECOMMS_DATABASE_URL": "sqlite:////b.db"})
    assert database_url(project) == "sqlite:////b.db"


@pytest.mark.postgres
def test_postgres_is_migrated_to_the_same_schema(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        assert schema_drift(store, metadata) == []
