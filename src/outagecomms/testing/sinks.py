"""Real local servers that receive what outagecomms sends: an SMTP server and an HTTP server.

The tests deliver to them instead of mocking apprise, and ``outagecomms demo`` runs a whole
incident against them. Both listen on ``127.0.0.1`` on a free port, are context managers,
record everything they receive, and let the caller wait for the N-th arrival with a
timeout (a :class:`threading.Condition`, never a sleep)::

    with SmtpSink() as smtp, HttpSink() as http:
        email_url = smtp.url(to="customers@example.com")   # mailto://... for apprise
        hook_url = http.url("/hooks/status")               # json://127.0.0.1:PORT/hooks/status
        ...send...
        [mail] = smtp.wait_for(1)
        [request] = http.wait_for(1, path="/hooks/status")

:class:`HttpSink` can answer a path with another status, after a delay, or hold its
requests until released, switchable while it runs; it counts the requests in flight so a
test can prove that sends overlap. :func:`closed_port` gives a port that refuses
connections. The SMTP sink lives in :mod:`outagecomms.testing.smtp_sink` (it counts its
sessions, refuses chosen recipients and drops sessions on request).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from outagecomms.testing.recording import (
    DEFAULT_WAIT,
    HOST,
    Recorder,
    SinkTimeout,
    closed_port,
    free_port,
)
from outagecomms.testing.smtp_sink import ReceivedEmail, SmtpSink

__all__ = [
    "DEFAULT_WAIT",
    "HOST",
    "Behaviour",
    "HttpSink",
    "ReceivedEmail",
    "ReceivedRequest",
    "SinkTimeout",
    "SmtpSink",
    "closed_port",
    "free_port",
]


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request as the HTTP sink received it."""

    method: str
    path: str
    """The path without the query string."""
    query: str
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes
    received_at: float
    """:func:`time.monotonic` when the request arrived (before any delay or hold)."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Behaviour:
    """How the sink answers one path."""

    status: int = 200
    delay: float = 0.0
    """Seconds to wait before answering."""
    hold: threading.Event | None = field(default=None, repr=False)
    """When set, requests wait for this event (see :meth:`HttpSink.hold`)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """The listen backlog. socketserver's default of 5 drops the SYNs of a wider fan-out,
    whose senders then wait a full second to retry the connection."""
    sink: HttpSink


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """TCP_NODELAY: the answer's headers and body are two writes; with Nagle's algorithm
    the body waits for the client's delayed ACK of the headers (~40 ms on Linux) on every
    kept-alive request, which bounded a sender to ``concurrency / 45 ms`` (real servers
    set it too)."""

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def setup(self) -> None:
        super().setup()
        self.server.sink._connected()

    def _handle(self) -> None:
        sink = self.server.sink
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = ReceivedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        status = sink._serve(request)
        payload = json.dumps({"status": status}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up waiting (a timeout test)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class HttpSink:
    """A threaded HTTP server on ``127.0.0.1`` that records every request.

    By default every path answers ``200``. :meth:`behave` makes a path answer another
    status or answer late; :meth:`hold` makes its requests wait until :meth:`release`;
    both can change while the sink runs. :attr:`in_flight` and :attr:`max_in_flight`
    count requests being answered at once.
    """

    def __init__(self, *, host: str = HOST) -> None:
        self.host = host
        self.port = 0
        self._recorder: Recorder[ReceivedRequest] = Recorder()
        self._answered: Recorder[ReceivedRequest] = Recorder()
        self._behaviour: dict[str, Behaviour] = {}
        self._lock = threading.Condition()
        self._in_flight = 0
        self._max_in_flight = 0
        self._closing = threading.Event()
        self._connections = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        server = _Server((self.host, 0), _Handler)
        server.sink = self
        self._server, self.port = server, int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"http-sink-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release every held request, stop serving and close the socket."""
        self._closing.set()
        with self._lock:
            for behaviour in self._behaviour.values():
                if behaviour.hold is not None:
                    behaviour.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _connected(self) -> None:
        with self._lock:
            self._connections += 1

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (kept-alive ones carry many requests)."""
        with self._lock:
            return self._connections

    # configuration ---------------------------------------------------------

    def url(self, path: str = "/", kind: str = "json") -> str:
        """An apprise URL posting to ``path`` here: ``json://``, ``form://`` or ``xml://``."""
        if kind not in {"json", "form", "xml"}:
            raise ValueError(f"kind must be json, form or xml, not {kind!r}")
        return f"{kind}://{self.host}:{self.port}/{path.lstrip('/')}"

    def behave(self, path: str, *, status: int = 200, delay: float = 0.0) -> None:
        """Answer ``path`` with ``status`` after ``delay`` seconds (``behave(path)``: back
        to an immediate 200). A hold on the path is released."""
        with self._lock:
            old = self._behaviour.get(_norm(path))
            if old is not None and old.hold is not None:
                old.hold.set()
            self._behaviour[_norm(path)] = Behaviour(status=status, delay=delay)

    def hold(self, path: str) -> None:
        """Make requests to ``path`` wait (counted in flight) until :meth:`release`."""
        with self._lock:
            behaviour = self._behaviour.setdefault(_norm(path), Behaviour())
            if behaviour.hold is None or behaviour.hold.is_set():
                behaviour.hold = threading.Event()

    def release(self, path: str) -> None:
        """Let the held requests to ``path`` be answered, and stop holding new ones."""
        with self._lock:
            behaviour = self._behaviour.get(_norm(path))
            if behaviour is not None and behaviour.hold is not None:
                behaviour.hold.set()
                behaviour.hold = None

    # observation -----------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far (recorded on arrival), oldest first."""
        return self._recorder.snapshot()

    @property
    def answered(self) -> list[ReceivedRequest]:
        """The requests that have been answered, in the order they were answered."""
        return self._answered.snapshot()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests this sink was answering at the same moment."""
        with self._lock:
            return self._max_in_flight

    def wait_for(
        self, count: int = 1, *, path: str | None = None, timeout: float = DEFAULT_WAIT
    ) -> list[ReceivedRequest]:
        """Block until ``count`` requests (to ``path``, when given) have arrived; return them.

        Raises :class:`SinkTimeout` after ``timeout`` seconds.
        """
        wanted = None if path is None else _norm(path)
        return self._recorder.wait_for(
            count, timeout, "requests", None if wanted is None else lambda r: r.path == wanted
        )

    def wait_answered(
        self, count: int = 1, *, path: str | None = None, timeout: float = DEFAULT_WAIT
    ) -> list[ReceivedRequest]:
        """Like :meth:`wait_for`, but for requests that have been answered."""
        wanted = None if path is None else _norm(path)
        return self._answered.wait_for(
            count,
            timeout,
            "answered requests",
            None if wanted is None else lambda r: r.path == wanted,
        )

    def wait_in_flight(self, count: int, *, timeout: float = DEFAULT_WAIT) -> int:
        """Block until at least ``count`` requests are being answered at once."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._in_flight >= count, timeout):
                raise SinkTimeout(
                    f"waited {timeout:g}s for {count} requests in flight, "
                    f"at most {self._max_in_flight} were"
                )
            return self._in_flight

    def clear(self) -> None:
        """Forget the recorded requests and the in-flight high-water mark."""
        self._recorder.clear()
        self._answered.clear()
        with self._lock:
            self._max_in_flight = self._in_flight

    # serving (called on the server's threads) ------------------------------

    def _serve(self, request: ReceivedRequest) -> int:
        with self._lock:
            behaviour = self._behaviour.get(request.path, Behaviour())
            status, delay, hold = behaviour.status, behaviour.delay, behaviour.hold
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            self._lock.notify_all()
        self._recorder.add(request)
        try:
            if hold is not None:
                hold.wait()
            if delay:
                self._closing.wait(delay)
            return status
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()
            self._answered.add(request)


def _norm(path: str) -> str:
    return "/" + path.lstrip("/")
