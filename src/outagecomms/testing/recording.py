"""What the local sinks share: the loopback host, free and closed ports, and a list of
arrivals other threads can wait on (a :class:`threading.Condition`, never a sleep)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

HOST = "127.0.0.1"
DEFAULT_WAIT = 10.0
"""Seconds :meth:`SmtpSink.wait_for` and :meth:`HttpSink.wait_for` wait by default."""


class SinkTimeout(AssertionError):
    """What a sink waited for did not happen in time (an assertion failure in tests)."""


def free_port(host: str = HOST) -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def closed_port(host: str = HOST) -> Iterator[int]:
    """A port that refuses connections for as long as the ``with`` block lasts.

    The port is bound but never listened on, so no other process can take it meanwhile and
    every connection attempt is refused at once (no timeout to wait for).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


_T = TypeVar("_T")


class Recorder(Generic[_T]):
    """A list of arrivals that other threads can wait on."""

    def __init__(self) -> None:
        self._items: list[_T] = []
        self._changed = threading.Condition()

    def add(self, item: _T) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[_T]:
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def wait_for(
        self, count: int, timeout: float, what: str, accept: Callable[[_T], bool] | None = None
    ) -> list[_T]:
        def matching() -> list[_T]:
            return [item for item in self._items if accept is None or accept(item)]

        with self._changed:
            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                raise SinkTimeout(f"waited {timeout:g}s for {count} {what}, got {len(matching())}")
            return matching()
