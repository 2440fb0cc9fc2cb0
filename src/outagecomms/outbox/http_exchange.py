"""One kept-alive HTTP/1.1 connection of our own, for the webhooks: a request written in
one ``sendall``, its answer read to the end of its body (so the connection can carry the
next request), and nothing else.

Every socket operation waits at most the time left to the caller's deadline, so an
exchange ends by its deadline whatever the server does (slow to connect, to answer, or
answering a byte at a time), with no thread to watch it: :class:`TimeoutError` then.

What it reads of an answer is what a sender needs: the status, whether the server keeps
the connection (HTTP/1.1 unless ``Connection: close``, HTTP/1.0 only with
``keep-alive``), and the body's framing (``Content-Length``, ``chunked``, or up to the
close) to skip the body. Interim ``1xx`` answers are skipped. ``http.client`` does the
same through the e-mail header parser, four to five times the CPU per request.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from dataclasses import dataclass

MAX_HEAD = 64 * 1024
"""Bytes an answer's status line and headers may take."""
MAX_BODY = 1024 * 1024
"""Bytes of an answer's body read to keep the connection; beyond, it is closed instead."""
_CHUNK = 65536


class NoAnswer(ConnectionError):
    """The server closed (or reset) the connection before any byte of its answer: on a
    kept-alive connection, most likely closed while idle, so nothing was done with the
    request."""


class BadAnswer(ConnectionError):
    """What came back is not an HTTP answer (or is too big to read)."""


@dataclass(frozen=True)
class Answer:
    """The final answer to one request."""

    status: int
    keep_alive: bool
    """The server keeps the connection for another request."""


class HttpConnection:
    """A connection to one host (TLS with ``context``), opened at its first request and
    reopened after a close; one request at a time."""

    def __init__(self, host: str, port: int | None, *, context: ssl.SSLContext | None) -> None:
        self.host = host
        self.port = port if port is not None else (443 if context is not None else 80)
        self._context = context
        self._sock: socket.socket | None = None
        self._buffer = bytearray()

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def close(self) -> None:
        sock, self._sock = self._sock, None
        self._buffer.clear()
        if sock is not None:
            with contextlib.suppress(OSError):  # closing a broken socket
                sock.close()

    def request(self, data: bytes, deadline: float) -> Answer:
        """Send ``data`` (a whole request: head and body) and read the answer, by
        ``deadline`` (``time.monotonic()``). Closed after a failure or an answer that does
        not keep it; raises :class:`TimeoutError` at the deadline, :class:`NoAnswer` when
        the server closed before answering, another :class:`OSError` otherwise."""
        try:
            if self._sock is None:
                self._connect(deadline)
            sock = self._socket()
            self._buffer.clear()
            _wait_at_most(sock, deadline)
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise NoAnswer(str(exc)) from None
            answer = self._answer(deadline)
        except BaseException:
            self.close()
            raise
        if not answer.keep_alive:
            self.close()
        return answer

    # ----------------------------------------------------------------------- inside

    def _socket(self) -> socket.socket:
        if self._sock is None:  # pragma: no cover - request() connects first
            raise NoAnswer("not connected")
        return self._sock

    def _connect(self, deadline: float) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=_left(deadline))
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._context is not None:
                _wait_at_most(sock, deadline)
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self._sock = sock

    def _answer(self, deadline: float) -> Answer:
        while True:
            version, status, headers = self._head(deadline)
            if not 100 <= status < 200 or status == 101:
                break  # an interim answer (100 Continue, 103 Early Hints): the next one
        connection = headers.get(b"connection", b"").lower()
        if version == b"HTTP/1.1":
            keep_alive = b"close" not in connection
        else:
            keep_alive = b"keep-alive" in connection
        if status in (101, 204, 304):
            return Answer(status, keep_alive and status != 101)
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return Answer(status, self._skip_chunked(deadline) and keep_alive)
        length = headers.get(b"content-length")
        if length is None:  # the body runs to the close: nothing to keep
            return Answer(status, False)
        try:
            size = int(length)
        except ValueError:
            raise BadAnswer(f"Content-Length {length!r}") from None
        if size > MAX_BODY:
            return Answer(status, False)
        self._skip(size, deadline)
        return Answer(status, keep_alive)

    def _head(self, deadline: float) -> tuple[bytes, int, dict[bytes, bytes]]:
        """The next answer's version, status and headers (names lower-cased)."""
        first = True
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            if len(self._buffer) > MAX_HEAD:
                raise BadAnswer("answer head too long")
            self._fill(deadline, before_answer=first and not self._buffer)
            first = False
        head = bytes(self._buffer[:end])
        del self._buffer[: end + 4]
        lines = head.split(b"\r\n")
        parts = lines[0].split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            raise BadAnswer(f"status line {lines[0][:80]!r}")
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        return parts[0], int(parts[1]), headers

    def _skip_chunked(self, deadline: float) -> bool:
        """Read a chunked body to its end; False when it is too big to read (the
        connection is then not kept)."""
        total = 0
        while True:
            line = self._line(deadline)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadAnswer(f"chunk size {line[:20]!r}") from None
            if size == 0:
                while self._line(deadline):  # trailers, up to the empty line
                    pass
                return True
            total += size
            if total > MAX_BODY:
                return False
            self._skip(size, deadline)
            if self._line(deadline):
                raise BadAnswer("chunk longer than its size")

    def _line(self, deadline: float) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > MAX_HEAD:
                raise BadAnswer("line too long")
            self._fill(deadline)
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    def _skip(self, size: int, deadline: float) -> None:
        while len(self._buffer) < size:
            size -= len(self._buffer)
            self._buffer.clear()
            self._fill(deadline)
        del self._buffer[:size]

    def _fill(self, deadline: float, *, before_answer: bool = False) -> None:
        sock = self._socket()
        _wait_at_most(sock, deadline)
        try:
            data = sock.recv(_CHUNK)
        except ConnectionResetError as exc:
            if before_answer:
                raise NoAnswer(str(exc)) from None
            raise
        if not data:
            if before_answer:
                raise NoAnswer("closed before answering")
            raise BadAnswer("closed in the middle of its answer")
        self._buffer += data


def _left(deadline: float) -> float:
    """Seconds left to ``deadline``; :class:`TimeoutError` when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


def _wait_at_most(sock: socket.socket, deadline: float) -> None:
    sock.settimeout(_left(deadline))
