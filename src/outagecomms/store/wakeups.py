"""Wake-ups for a sleeping worker when work is committed: PostgreSQL ``LISTEN``/``NOTIFY``,
SQLite's ``PRAGMA data_version`` polled once per interval."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING

from outagecomms.logs import get_logger
from outagecomms.store import Store
from outagecomms.store.sql import sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


WORK_CHANNEL = "outagecomms_work"
"""The PostgreSQL LISTEN/NOTIFY channel that wakes workers when new work is committed."""


def work_waiting(conn: Connection) -> None:
    """Say that work is waiting: wake the workers when this transaction commits
    (PostgreSQL ``NOTIFY``; a no-op on SQLite, whose workers notice commits through
    ``PRAGMA data_version``). The outbox calls it after each write that makes work."""
    sql = sql_of(conn)
    if sql.dialect_name == "postgresql":
        sql.run(f"NOTIFY {WORK_CHANNEL}")


DEFAULT_POLL_INTERVAL = 1.0
"""Seconds between two SQLite ``PRAGMA data_version`` checks while the worker sleeps."""


class Wakeup:
    """Sleeps until a timeout, or less when poked (by :meth:`Worker.stop` or new work)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def poke(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """True when woken before ``timeout`` seconds passed."""
        woken = self._event.wait(max(timeout, 0.0))
        self._event.clear()
        return woken

    def close(self) -> None:
        """Release what the wake-up holds (a connection, a thread)."""


class SqliteWakeup(Wakeup):
    """Wakes when another connection commits to the SQLite file: ``PRAGMA data_version``
    (read from SQLite's shared memory, not the tables) checked every ``poll`` seconds."""

    def __init__(self, path: str, poll: float = DEFAULT_POLL_INTERVAL) -> None:
        super().__init__()
        self.poll = poll
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if super().wait(min(self.poll, remaining)):
                return True
            version = self._version()
            if version != self._seen:
                self._seen = version
                return True

    def close(self) -> None:
        self._conn.close()


class PostgresWakeup(Wakeup):
    """Wakes on ``NOTIFY outagecomms_work``, which every commit of new work sends; a
    thread of its own holds a ``LISTEN`` connection (reconnecting after a failure)."""

    def __init__(self, conninfo: str) -> None:
        super().__init__()
        self.conninfo = conninfo
        self._closed = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="outagecomms-listen", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        import psycopg

        while not self._closed.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {WORK_CHANNEL}")
                    if self.listening.is_set():
                        self.poke()  # reconnected: a notification may have been missed
                    self.listening.set()
                    while not self._closed.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.poke()
            except psycopg.Error as exc:
                log.warning("worker.listen_failed", error=str(exc).splitlines()[0])
                self._closed.wait(5.0)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)


def wakeup_for(store: Store, *, poll: float = DEFAULT_POLL_INTERVAL) -> Wakeup:
    """The wake-up that suits the store's database."""
    url = store.url
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresWakeup(conninfo)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteWakeup(str(url.database), poll)
    return Wakeup()
