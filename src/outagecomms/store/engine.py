"""Opening the state store: which database, SQLite pragmas, and migrations on open.

The default database is a SQLite file under the project directory
(``.outagecomms/state.db``, in WAL mode with a busy timeout so several processes can share
it); ``--database-url`` / ``OUTAGECOMMS_DATABASE_URL`` / ``database_url`` in
``outagecomms.toml`` choose another, e.g. ``postgresql+psycopg://...``. Every open brings the
schema to the newest migration, under a lock, so two processes opening a fresh database at
once do not race.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outagecomms.errors import PARAMETER, StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL, Connection

STATE_DIR = ".outagecomms"
STATE_FILE = "state.db"
DATABASE_URL_ENV = "OUTAGECOMMS_DATABASE_URL"
BUSY_TIMEOUT_MS = 15_000
_PG_MIGRATION_LOCK = 0x6F757461  # "outa": one advisory lock id for schema migrations
HEAD_REVISION = "0011"
"""The newest migration in ``migrations/versions`` (a test keeps the two in step). A
database already at it is opened without importing Alembic (about 0.2 s per command)."""


def default_database_url(root: Path) -> str:
    return f"sqlite:///{(root / STATE_DIR / STATE_FILE).resolve()}"


SENSITIVE_QUERY_KEYS = frozenset(
    {"password", "passwd", "pwd", "sslpassword", "secret", "token", "access_token", "api_key",
     "apikey", "auth_token", "sslkey"}
)  # fmt: skip
"""Query-string keys of a database URL whose value is a secret (libpq reads
``?password=``)."""
MASK = "***"


def shown_url(url: str | URL) -> str:
    """The URL with every secret hidden (the password of the userinfo, and ``password=``
    and similar query keys), safe for messages and logs."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparsable database URL>"
    query = {
        key: MASK if key.lower() in SENSITIVE_QUERY_KEYS else value
        for key, value in parsed.query.items()
    }
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", MASK)


def url_secrets(url: str | URL) -> list[str]:
    """The secret values in a database URL (to mask them in a driver's error text)."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return []
    found = [parsed.password] if parsed.password else []
    for key, value in parsed.query.items():
        if key.lower() in SENSITIVE_QUERY_KEYS:
            found += [value] if isinstance(value, str) else list(value)
    return [str(secret) for secret in found if str(secret)]


SUPPORTED_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})
"""The databases outagecomms ships a driver for and tests against."""


def _normalise(url: str) -> URL:
    """``postgresql://`` means psycopg 3 (the driver we ship), not psycopg2."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"database URL {shown_url(url)!r} is not a URL; write it like "
            f"postgresql://user:password@host/db or sqlite:///path/state.db "
            f"({PARAMETER} or {DATABASE_URL_ENV})",
            parameter="database_url",
        ) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in SUPPORTED_DRIVERS:
        scheme = parsed.drivername.split("+", 1)[0]
        raise StoreError(
            f"database URL {shown_url(parsed)}: {scheme!r} is not supported; outagecomms keeps "
            "its state in sqlite:///path/state.db (the default) or postgresql://user@host/db "
            f"({PARAMETER} or {DATABASE_URL_ENV})",
            parameter="database_url",
        )
    return parsed


def store_error(exc: BaseException, url: str | URL, doing: str) -> StoreError:
    """One line naming the database (password hidden) and what to do."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    hint = (
        "another outagecomms process holds the database; retry in a moment"
        if "locked" in detail.lower()
        else f"check the database is running and reachable, or fix {PARAMETER} / {DATABASE_URL_ENV}"
    )
    for secret in url_secrets(url):
        detail = detail.replace(secret, MASK)
    return StoreError(
        f"state database {shown_url(url)}: {doing} failed ({detail}); {hint}",
        parameter="database_url",
    )


SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)
"""What every connection to a SQLite state database runs first (both adapters)."""


def _sqlite_pragmas(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN (IMMEDIATE for writers), not pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store(ABC):
    """An open, migrated state database: :class:`EngineStore` (SQLAlchemy, any database)
    or :class:`outagecomms.store.lite.LiteStore` (the standard library's ``sqlite3``, a
    SQLite file already at the newest schema)."""

    @abstractmethod
    def write(self) -> AbstractContextManager[Connection]:
        """A read-write transaction: on SQLite it takes the write lock up front (so a
        read-then-write never fails half-way); commits on success, rolls back on error."""

    @abstractmethod
    def read(self) -> AbstractContextManager[Connection]:
        """A read transaction."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def url(self) -> URL:
        """The database's URL (SQLAlchemy's)."""

    @property
    @abstractmethod
    def engine(self) -> Engine:
        """A SQLAlchemy engine on the database."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def shown_url(self) -> str:
        return shown_url(self.url)


class EngineStore(Store):
    """The store on a SQLAlchemy engine."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> URL:
        return self._url

    @contextmanager
    def write(self) -> Iterator[Connection]:
        from sqlalchemy.exc import DBAPIError, IntegrityError

        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(write=True)
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise  # a constraint doing its job (e.g. a racing dedupe key): the caller decides
        except DBAPIError as exc:
            raise store_error(exc, self.url, "writing") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            raise store_error(exc, self.url, "reading") from exc

    def close(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("outagecomms.store") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The schema revision Alembic records, on either connection the store hands out (on
    the ``sqlite3`` store, through its SQLAlchemy bridge on the same transaction)."""
    from alembic.runtime.migration import MigrationContext

    from outagecomms.store.lite import LiteConnection

    if isinstance(conn, LiteConnection):
        conn = conn.bridge()
    return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(store: EngineStore) -> str | None:
    """The revision recorded in the database, read with plain SQL; None when there is
    none yet (or the database cannot be read: migrating then says why)."""
    from sqlalchemy import text

    try:
        with store.read() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except StoreError:
        return None
    return None if found is None else str(found)


def migrate(conn: Connection) -> None:
    """Bring the schema to the newest revision; ``conn`` is inside a write transaction."""
    from alembic import command
    from alembic.script import ScriptDirectory

    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
    current = current_revision(conn)
    script = ScriptDirectory.from_config(alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"the state database is at schema revision {current!r}, newer than this "
            "outagecomms knows; upgrade outagecomms (pip install -U outagecomms)"
        )
    if current == script.get_current_head():
        return
    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def open_store(url: str) -> Store:
    """Open (creating and migrating as needed) the database at ``url``: a SQLite file
    already at :data:`HEAD_REVISION` on the standard library's ``sqlite3``
    (:mod:`outagecomms.store.lite`, without importing SQLAlchemy), anything else on a
    SQLAlchemy engine, migrated with Alembic."""
    from outagecomms.store.lite import open_lite

    lite = open_lite(url)
    return lite if lite is not None else open_engine_store(url)


def open_engine_store(url: str) -> EngineStore:
    """Open the database at ``url`` on a SQLAlchemy engine, creating and migrating it as
    needed."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    parsed = _normalise(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the state folder {folder} ({exc.strerror or exc}); make the "
                "project folder writable by this user, or keep the state elsewhere with "
                f"{PARAMETER} sqlite:///PATH/state.db or {DATABASE_URL_ENV}",
                parameter="database_url",
            ) from None
    try:
        options: dict[str, Any] = {"future": True}
        if not is_sqlite:
            options["pool_pre_ping"] = True
        engine = create_engine(parsed, **options)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise StoreError(
            f"database URL {shown_url(parsed)}: unsupported ({exc}); use sqlite:///... or "
            f"postgresql://... ({PARAMETER} or {DATABASE_URL_ENV})",
            parameter="database_url",
        ) from None
    if is_sqlite:
        _sqlite_pragmas(engine)
    store = EngineStore(engine, parsed)
    try:
        if _stored_revision(store) != HEAD_REVISION:
            with store.write() as conn:
                migrate(conn)
    except StoreError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_error(exc, parsed, "opening") from exc
    return store
