"""Our own HTTP/1.1 exchange for the webhooks: it reads what a server may answer (chunked,
interim, to the close), keeps a connection only when the server does, replaces one the
server closed while idle, and ends every exchange by its deadline whatever the server
does, with no thread to watch it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from outagecomms.delivery import send
from outagecomms.outbox.http_exchange import HttpConnection, NoAnswer

from .conftest import MakeOutgoing

REQUEST = b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
Serve = Callable[[socket.socket], None]


class RawServer:
    """A TCP server on 127.0.0.1 that runs ``serve`` on each connection it accepts."""

    def __init__(self, serve: Serve) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.connections = 0
        self._serve = serve
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            self._serve(conn)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Serve], RawServer]]:
    servers: list[RawServer] = []

    def start(serve: Serve) -> RawServer:
        servers.append(RawServer(serve))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def read_request(conn: socket.socket) -> bool:
    """Read one whole request (head and its ``Content-Length`` body); False at the close."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += conn.recv(65536)
    return True


def answering(*answers: bytes) -> Serve:
    """Answer each request on a connection with the next of ``answers``, then close."""

    def serve(conn: socket.socket) -> None:
        for answer in answers:
            if not read_request(conn):
                return
            conn.sendall(answer)

    return serve


def test_an_answer_dripping_a_byte_at_a_time_ends_at_the_deadline(
    raw_server: Callable[[Serve], RawServer],
) -> None:
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        read_request(conn)
        while not stop.is_set():
            conn.sendall(b"H")
            stop.wait(0.05)

    server = raw_server(drip)
    conn = HttpConnection("127.0.0.1", server.port, context=None)
    started = time.monotonic()

    with pytest.raises(TimeoutError):
        conn.request(REQUEST, started + 0.5)

    stop.set()
    assert time.monotonic() - started < 2.0
    assert not conn.is_open


def test_a_chunked_answer_is_read_to_its_end_and_the_connection_kept(
    raw_server: Callable[[Serve], RawServer],
) -> None:
    chunked = (
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    server = raw_server(answering(chunked, chunked))
    conn = HttpConnection("127.0.0.1", server.port, context=None)

    first = conn.request(REQUEST, time.monotonic() + 5)
    second = conn.request(REQUEST, time.monotonic() + 5)

    assert (first.status, first.keep_alive) == (201, True)
    assert second.status == 201
    assert server.connections == 1


def test_an_interim_answer_is_skipped_for_the_final_one(
    raw_server: Callable[[Serve], RawServer],
) -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    server = raw_server(answering(answer))
    conn = HttpConnection("127.0.0.1", server.port, context=None)

    assert conn.request(REQUEST, time.monotonic() + 5).status == 204


def test_an_answer_running_to_the_close_is_read_and_the_connection_not_kept(
    raw_server: Callable[[Serve], RawServer],
) -> None:
    server = raw_server(answering(b"HTTP/1.0 200 OK\r\n\r\nbody up to the close"))
    conn = HttpConnection("127.0.0.1", server.port, context=None)

    answer = conn.request(REQUEST, time.monotonic() + 5)

    assert (answer.status, answer.keep_alive) == (200, False)
    assert not conn.is_open


def test_a_close_before_any_answer_is_no_answer(
    raw_server: Callable[[Serve], RawServer],
) -> None:
    server = raw_server(answering())
    conn = HttpConnection("127.0.0.1", server.port, context=None)

    with pytest.raises(NoAnswer):
        conn.request(REQUEST, time.monotonic() + 5)


def test_a_connection_the_server_closed_while_idle_is_replaced_once(
    raw_server: Callable[[Serve], RawServer], outgoing: MakeOutgoing
) -> None:
    # keeps the connection by its headers, but closes it after one answer
    server = raw_server(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    url = f"json://127.0.0.1:{server.port}/hook"

    first = send(outgoing("hook", url))
    second = send(outgoing("hook", url))

    assert first.ok and second.ok, (first.error, second.error)
    assert server.connections == 2


def test_a_header_that_would_break_the_request_fails_that_send(
    raw_server: Callable[[Serve], RawServer], outgoing: MakeOutgoing
) -> None:
    server = raw_server(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))

    outcome = send(outgoing("hook", f"json://127.0.0.1:{server.port}/h?+X-A=b%0D%0AEvil:%201"))

    assert not outcome.ok
    assert server.connections == 0
