"""Idle connections kept for reuse, by key (a host and how to reach it): the webhooks'
kept-alive HTTP connections and the email sender's open SMTP sessions. The newest idle
one of a key is taken first; at most ``most`` are kept in all (the oldest beyond are
closed) and none longer than ``idle_for`` seconds unused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C")


class IdlePool(Generic[K, C]):
    """Idle connections by key; ``close`` ends one (outside the lock)."""

    def __init__(
        self,
        *,
        most: int,
        idle_for: float,
        close: Callable[[C], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._most = most
        self._idle_for = idle_for
        self._close = close
        self._clock = clock
        self._idle: list[tuple[K, C, float]] = []

    def take(self, key: K) -> C | None:
        """The newest idle connection of ``key`` (closing the expired ones), or None."""
        now = self._clock()
        found: C | None = None
        with self._lock:
            expired = [entry for entry in self._idle if now - entry[2] > self._idle_for]
            self._idle = [entry for entry in self._idle if now - entry[2] <= self._idle_for]
            for index in range(len(self._idle) - 1, -1, -1):
                if self._idle[index][0] == key:
                    found = self._idle.pop(index)[1]
                    break
        for _key, conn, _at in expired:
            self._close(conn)
        return found

    def give_back(self, key: K, conn: C) -> None:
        """Keep ``conn`` idle (closing the oldest beyond ``most``)."""
        with self._lock:
            self._idle.append((key, conn, self._clock()))
            surplus, self._idle = self._idle[: -self._most], self._idle[-self._most :]
        for _key, old, _at in surplus:
            self._close(old)

    def __len__(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for _key, conn, _at in idle:
            self._close(conn)
