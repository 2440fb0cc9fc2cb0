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
connections.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import quote, urlsplit

__all__ = [
    "Behaviour",
    "HttpSink",
    "ReceivedEmail",
    "ReceivedRequest",
    "SinkTimeout",
    "SmtpSink",
    "closed_port",
    "free_port",
]

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


class _Recorder(Generic[_T]):
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


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedEmail:
    """One email as the SMTP sink received it, parsed with :mod:`email`."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    sender: str
    """The ``From`` header, decoded."""
    to: str
    """The ``To`` header, decoded."""
    subject: str
    """The ``Subject`` header, decoded (RFC 2047 words such as UTF-8 Persian included)."""
    body: str
    """The ``text/plain`` part, decoded from its transfer encoding and charset, with ``\\n``
    line ends and without the final line end MIME adds."""
    html: str | None
    """The ``text/html`` part when the message has one."""
    message: EmailMessage
    raw: bytes


def _parse_email(envelope_from: str, envelope_to: list[str], raw: bytes) -> ReceivedEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    body = plain.get_content() if isinstance(plain, EmailMessage) else ""
    return ReceivedEmail(
        envelope_from=envelope_from,
        envelope_to=tuple(envelope_to),
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        body=_normalise_newlines(body),
        html=html.get_content() if isinstance(html, EmailMessage) else None,
        message=message,
        raw=raw,
    )


def _normalise_newlines(text: str) -> str:
    """Give back the text that was sent: SMTP carries CRLF line ends, and a MIME text part
    always ends with a line end that the sender's text did not have."""
    text = text.replace("\r\n", "\n")
    return text.removesuffix("\n")


class _SmtpHandler:
    """The aiosmtpd handler: accept every message and record it (with ``require_tls``,
    refuse every sender as a server that wants STARTTLS first does)."""

    def __init__(self, recorder: _Recorder[ReceivedEmail], *, require_tls: bool = False) -> None:
        self._recorder = recorder
        self._require_tls = require_tls

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._require_tls:
            return "530 5.7.0 Must issue a STARTTLS command first"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):  # pragma: no cover - aiosmtpd gives bytes when decode_data=False
            raw = raw.encode("utf-8")
        self._recorder.add(_parse_email(str(envelope.mail_from), list(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


def _refuse_login(*_args: Any) -> Any:
    """An aiosmtpd authenticator that refuses every login (535)."""
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=False, handled=False)


class SmtpSink:
    """An SMTP server on ``127.0.0.1`` (aiosmtpd), without TLS or authentication.

    Use it as a context manager; :meth:`url` gives the apprise ``mailto://`` URL that
    delivers to it and :meth:`wait_for` blocks until messages arrive.

    To stand in for a misconfigured or strict server: ``login="refuse"`` offers AUTH and
    refuses every login; ``require_tls=True`` refuses every sender until STARTTLS (which it
    does not offer). Without ``login`` the server offers no AUTH at all.
    """

    def __init__(
        self,
        *,
        host: str = HOST,
        port: int | None = None,
        login: str | None = None,
        require_tls: bool = False,
    ) -> None:
        if login not in (None, "refuse"):
            raise ValueError("login is None (no AUTH offered) or 'refuse'")
        self.host = host
        self.login = login
        self.require_tls = require_tls
        self._wanted_port = port
        self.port = 0
        self._recorder: _Recorder[ReceivedEmail] = _Recorder()
        self._controller: Any = None

    # lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        from aiosmtpd.controller import Controller

        attempts = 1 if self._wanted_port else 5
        last_error: Exception | None = None
        for _ in range(attempts):
            port = self._wanted_port or free_port(self.host)
            options: dict[str, Any] = {}
            if self.login == "refuse":
                options.update(authenticator=_refuse_login, auth_require_tls=False)
            controller = Controller(
                _SmtpHandler(self._recorder, require_tls=self.require_tls),
                hostname=self.host,
                port=port,
                enable_SMTPUTF8=True,
                decode_data=False,
                **options,
            )
            try:
                controller.start()
            except Exception as error:  # the port was taken between picking and binding
                last_error = error
                continue
            self._controller, self.port = controller, port
            return self
        raise RuntimeError(f"the SMTP sink could not start on {self.host}: {last_error}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # use -------------------------------------------------------------------

    def url(
        self,
        to: str = "oncall@example.com",
        *,
        sender: str = "outagecomms@example.com",
        login: tuple[str, str] | None = None,
        mode: str = "insecure",
    ) -> str:
        """An apprise URL that delivers to this server: plain SMTP, no TLS, no login
        (``login``: with this user and password; ``mode``: apprise's secure mode)."""
        userinfo = "" if login is None else f"{quote(login[0])}:{quote(login[1])}@"
        return (
            f"mailto://{userinfo}{self.host}:{self.port}"
            f"?mode={mode}&from={quote(sender, safe='@')}&to={quote(to, safe='@,')}"
        )

    @property
    def messages(self) -> list[ReceivedEmail]:
        """Every email received so far, oldest first."""
        return self._recorder.snapshot()

    def wait_for(self, count: int = 1, *, timeout: float = DEFAULT_WAIT) -> list[ReceivedEmail]:
        """Block until at least ``count`` emails have arrived; return them all.

        Raises :class:`SinkTimeout` when they have not arrived within ``timeout`` seconds.
        """
        return self._recorder.wait_for(count, timeout, "emails")

    def clear(self) -> None:
        self._recorder.clear()


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
        self._recorder: _Recorder[ReceivedRequest] = _Recorder()
        self._answered: _Recorder[ReceivedRequest] = _Recorder()
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
