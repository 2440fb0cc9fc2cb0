"""The store on the standard library's ``sqlite3``, for a SQLite state database already at
the newest schema: a command that declares, updates or lists incidents opens it without
importing SQLAlchemy (~0.1 s of a fresh process).

Each transaction runs on a ``sqlite3`` connection of a small pool (the worker's threads
each get their own), with the pragmas and the ``BEGIN IMMEDIATE`` (writes) / ``BEGIN``
(reads) of the SQLAlchemy engine (:mod:`outagecomms.store.engine`). The hot path's queries
are SQL text (:mod:`outagecomms.store.sql`); a store function still written with
SQLAlchemy Core is handed a :class:`LiteConnection` all the same: the first SQLAlchemy
statement builds a SQLAlchemy ``Connection`` over the *same* ``sqlite3`` connection and
transaction (the bridge), so it works and only that command pays the import.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from outagecomms.errors import StoreError
from outagecomms.store.engine import HEAD_REVISION, SQLITE_PRAGMAS, Store, store_error
from outagecomms.store.sql import Params

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL, Connection

_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")


def lite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (no query string, not in memory), or
    None for any other URL."""
    for prefix in _PREFIXES:
        if url.startswith(prefix):
            path = url.removeprefix(prefix)
            if path and path != ":memory:" and not any(c in path for c in "?%#"):
                return Path(path)
    return None


def open_lite(url: str) -> LiteStore | None:
    """The lite store on ``url``'s SQLite file when it exists and its schema is at
    :data:`HEAD_REVISION`; None otherwise (the caller opens and migrates it with
    SQLAlchemy)."""
    path = lite_path(url)
    if path is None or not path.is_file():
        return None
    store = LiteStore(path, url)
    try:
        with store.read() as conn:
            found = cast(LiteConnection, conn).rows("SELECT version_num FROM alembic_version")
    except StoreError:
        found = []
    if [tuple(row) for row in found] != [(HEAD_REVISION,)]:
        store.close()
        return None
    return store


class _Pooled:
    """One ``sqlite3`` connection, and the SQLAlchemy engine over it once a bridge needed it."""

    def __init__(self, path: Path) -> None:
        raw = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw", uri=True, check_same_thread=False
        )
        raw.isolation_level = None  # the store says BEGIN and COMMIT itself
        for pragma in SQLITE_PRAGMAS:
            raw.execute(pragma)
        self.raw = raw
        self.info: dict[str, Any] = {}
        """What callers keep with the connection (SQLAlchemy's ``Connection.info``)."""
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool

            self._engine = create_engine(
                "sqlite://",
                creator=lambda: _InTransaction(self.raw),
                poolclass=StaticPool,
                pool_reset_on_return=None,
                future=True,
            )
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self.raw.close()


class _InTransaction:
    """The ``sqlite3`` connection as the bridge's engine sees it: its ``commit()`` and
    ``rollback()`` do nothing (SQLAlchemy rolls back after its first connect and when a
    connection closes), since the store's transaction ends with its own ``COMMIT`` or
    ``ROLLBACK``."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass  # the pool closes the connection itself

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class LiteConnection:
    """A transaction on a ``sqlite3`` connection: the :class:`~outagecomms.store.sql.Sql`
    of the hot path's queries, and, for a store function written with SQLAlchemy Core,
    a stand-in for a SQLAlchemy ``Connection`` (``execute`` of a SQLAlchemy statement, and
    any other attribute, go to the bridge)."""

    dialect_name = "sqlite"

    def __init__(self, pooled: _Pooled, *, write: bool) -> None:
        self._pooled = pooled
        self._write = write
        self._bridge: Connection | None = None

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._pooled.raw.execute(sql, params or {}).fetchall()

    def run(self, sql: str, params: Params | None = None) -> int:
        return self._pooled.raw.execute(sql, params or {}).rowcount

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._pooled.raw.executemany(sql, rows)

    @property
    def info(self) -> dict[str, Any]:
        return self._pooled.info

    def bridge(self) -> Connection:
        """A SQLAlchemy ``Connection`` inside this very transaction (built on first use)."""
        if self._bridge is None:
            conn = self._pooled.engine().connect()
            self._bridge = conn.execution_options(write=self._write)
        return self._bridge

    def execute(self, statement: Any, parameters: Any = None) -> Any:
        if parameters is None:
            return self.bridge().execute(statement)
        return self.bridge().execute(statement, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bridge(), name)

    def end(self) -> None:
        """Let go of the bridge once the transaction is over (its rollback is a no-op)."""
        if self._bridge is not None:
            self._bridge.close()
            self._bridge = None


class LiteStore(Store):
    """The store on ``sqlite3`` (see the module's docstring)."""

    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        self.url_text = url
        self._idle: list[_Pooled] = []
        self._lock = threading.Lock()
        self._engine: Engine | None = None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._transaction(write=True) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._transaction(write=False) as conn:
            yield conn

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        doing = "writing" if write else "reading"
        try:
            pooled = self._checkout()
        except sqlite3.Error as exc:
            raise store_error(exc, self.url_text, doing) from exc
        conn = LiteConnection(pooled, write=write)
        try:
            try:
                pooled.raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield cast("Connection", conn)
                pooled.raw.execute("COMMIT")
            except BaseException:
                if pooled.raw.in_transaction:
                    pooled.raw.execute("ROLLBACK")
                raise
            finally:
                conn.end()
        except sqlite3.IntegrityError:
            raise  # a constraint doing its job (e.g. a racing dedupe key): the caller decides
        except sqlite3.Error as exc:
            raise store_error(exc, self.url_text, doing) from exc
        except Exception as exc:
            if _is_driver_error(exc):
                raise store_error(exc, self.url_text, doing) from exc
            raise
        finally:
            self._checkin(pooled)

    def _checkout(self) -> _Pooled:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Pooled(self.path)

    def _checkin(self, pooled: _Pooled) -> None:
        with self._lock:
            self._idle.append(pooled)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for pooled in idle:
            pooled.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def url(self) -> URL:
        from sqlalchemy import make_url

        return make_url(self.url_text)

    @property
    def engine(self) -> Engine:
        """A SQLAlchemy engine on the same file, with the same pragmas, for tools that ask
        for one (the store's own transactions do not use it)."""
        if self._engine is None:
            from sqlalchemy import create_engine

            from outagecomms.store.engine import _sqlite_pragmas

            self._engine = create_engine(self.url_text, future=True)
            _sqlite_pragmas(self._engine)
        return self._engine

    @property
    def shown_url(self) -> str:
        return self.url_text  # a SQLite file's URL holds no secret


def _is_driver_error(exc: BaseException) -> bool:
    """A SQLAlchemy driver error raised through the bridge, other than a constraint's."""
    found = sys.modules.get("sqlalchemy.exc")
    if found is None:
        return False
    return isinstance(exc, found.DBAPIError) and not isinstance(exc, found.IntegrityError)


def integrity_errors() -> tuple[type[Exception], ...]:
    """What a violated constraint raises on either connection (for ``except``): SQLAlchemy's
    ``IntegrityError`` is looked up only when SQLAlchemy is loaded (else none was raised)."""
    found = sys.modules.get("sqlalchemy.exc")
    if found is None:
        return (sqlite3.IntegrityError,)
    return (sqlite3.IntegrityError, found.IntegrityError)
