"""Our own sender for apprise's plain JSON webhooks (``json://`` and ``jsons://``): the
request apprise's JSON plugin makes (the same body, headers and reasons for failure),
without importing apprise and its plugins, over kept-alive connections (one pool per
host), so a fresh ``declare`` and a busy worker pay neither apprise's start-up nor a new
TCP (or TLS) connection per delivery.

Only the URLs whose every part is understood here are sent here: a host, an optional
port, user and password, a path of plain characters, and ``+Header=value`` query entries.
Any other query parameter (``method``, ``verify``, ``:`` payload mappings, ``-`` GET
parameters, apprise's own ``cto``/``rto``...) leaves the URL to apprise, which knows them
all (:func:`parse_webhook` returns ``None``).
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import unquote, urlsplit

from outagecomms.outbox.http_exchange import HttpConnection, NoAnswer
from outagecomms.outbox.idle_pool import IdlePool

NATIVE_SCHEMES = {"json": False, "jsons": True}
"""Scheme -> whether it is HTTPS."""

USER_AGENT = "Apprise"
"""What apprise's JSON plugin sends; receivers that look at it see no change."""

JSON_VERSION = "1.0"
_PLAIN_PATH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._~-")
_REASONS = {
    400: "Bad Request - Unsupported Parameters.",
    401: "Verification Failed.",
    404: "Page not found.",
    405: "Method not allowed.",
    500: "Internal server error.",
    503: "Servers are overloaded.",
}
"""apprise's words for some HTTP statuses (``URLBase.http_response_code_lookup``)."""

MAX_IDLE = 64
"""Idle kept-alive connections kept in all (the oldest beyond are closed)."""

IDLE_FOR = 20.0
"""Seconds an idle connection is kept (servers close theirs after 5 to 60 s; one closed
meanwhile is replaced on the next send anyway)."""

_PoolKey = tuple[bool, str, int | None]


@dataclass(frozen=True)
class WebhookTarget:
    """A JSON webhook this module can send to."""

    secure: bool
    host: str
    port: int | None
    path: str
    user: str | None
    password: str | None
    headers: tuple[tuple[str, str], ...]

    @property
    def pool_key(self) -> _PoolKey:
        return (self.secure, self.host.lower(), self.port)

    def shown(self) -> str:
        """The URL as apprise's privacy URL shows it, without its query."""
        scheme = "jsons" if self.secure else "json"
        auth = ""
        if self.user is not None:
            auth = f"{self.user}:****@" if self.password else f"{self.user}@"
        port = f":{self.port}" if self.port is not None else ""
        return f"{scheme}://{auth}{self.host}{port}{self.path}"

    def url(self, privacy: bool = True) -> str:
        """Like an apprise plugin's ``url(privacy=True)`` (what may be shown of it)."""
        return self.shown()


@lru_cache(maxsize=1024)
def parse_webhook(url: str) -> WebhookTarget | None:
    """The target of a ``json://``/``jsons://`` URL this module sends itself, or ``None``
    (another scheme, or a part only apprise understands). Remembered per URL (a worker
    sends to the same few again and again)."""
    scheme, separator, _rest = url.partition("://")
    secure = NATIVE_SCHEMES.get(scheme.lower()) if separator else None
    if secure is None:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not host or parts.fragment or "%" in host or not _plain(parts.path):
        return None
    headers: list[tuple[str, str]] = []
    for entry in parts.query.split("&") if parts.query else []:
        name, equals, value = entry.partition("=")
        name = unquote(name)
        if not equals or not name.startswith("+") or len(name) < 2:
            return None
        headers.append((name[1:], unquote(value)))
    return WebhookTarget(
        secure=secure,
        host=host,
        port=port,
        path=parts.path or "/",
        user=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password else None,
        headers=tuple(headers),
    )


def _plain(path: str) -> bool:
    return all(char in _PLAIN_PATH for char in path) and "//" not in path


def payload(title: str | None, body: str) -> bytes:
    """The JSON body apprise sends: its title stripped, its body's end stripped."""
    document = {
        "version": JSON_VERSION,
        "title": (title or "").strip(),
        "message": body.rstrip(),
        "attachments": [],
        "type": "info",
    }
    return json.dumps(document).encode("utf-8")


def post(
    target: WebhookTarget,
    *,
    title: str | None,
    body: str,
    extra_headers: tuple[tuple[str, str], ...],
    deadline: float,
) -> tuple[bool, str | None]:
    """POST the message to ``target`` by ``deadline`` (``time.monotonic()``): (ok,
    apprise's reason when not ok); :class:`TimeoutError` when the deadline passes first
    (the request may have arrived). ``extra_headers`` replace the URL's of the same name.
    A reused connection that the server closed meanwhile is replaced once (nothing was
    answered on it, and the idempotency header lets a receiver drop a repeat)."""
    data = payload(title, body)
    fields = [("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Content-Type", "application/json")]
    fields += [*target.headers, *extra_headers]
    if target.user is not None:
        fields.append(("Authorization", _basic_auth(target.user, target.password or "")))
    headers = {name.lower(): (name, value) for name, value in fields}  # the last one of a name
    request = _request_head(target, dict(headers.values()), len(data)) + data
    try:
        status = _exchange(target, request, deadline)
    except TimeoutError:
        raise
    except OSError:
        return False, f"A Connection error occurred sending JSON notification to {target.host}."
    if status < 200 or status >= 300:
        reason = _REASONS.get(status, "")
        return False, (
            f"Failed to send JSON POST notification: {reason}{', ' if reason else ''}"
            f"error={status}."
        )
    return True, None


def _request_head(target: WebhookTarget, headers: dict[str, str], length: int) -> bytes:
    """The request line and headers (``Host`` first, as ``http.client`` writes them);
    a header that would break the request (a line break, a bad name) is refused."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port is not None and target.port != (443 if target.secure else 80):
        host = f"{host}:{target.port}"
    lines = [f"POST {target.path} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or "\r" in value or "\n" in value:
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""A header name (RFC 9110 token)."""


def _exchange(target: WebhookTarget, request: bytes, deadline: float) -> int:
    """One request on a pooled connection; the answer's HTTP status."""
    for attempt in (1, 2):
        with POOL.connection(target) as (conn, reused):
            try:
                return conn.request(request, deadline).status
            except NoAnswer:
                if reused and attempt == 1:
                    continue  # closed while idle: once more on a new connection
                raise
    raise NoAnswer("no answer")  # pragma: no cover - the loop returns


def _basic_auth(user: str, password: str) -> str:
    import base64

    token = base64.b64encode(f"{user}:{password}".encode("latin-1", "replace")).decode("ascii")
    return f"Basic {token}"


class ConnectionPool:
    """Idle kept-alive connections by host; a connection serves one request at a time.
    At most :data:`MAX_IDLE` are kept, none longer than :data:`IDLE_FOR` seconds unused."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._idle: IdlePool[_PoolKey, HttpConnection] = IdlePool(
            most=MAX_IDLE, idle_for=IDLE_FOR, close=HttpConnection.close, clock=clock
        )

    @contextmanager
    def connection(self, target: WebhookTarget) -> Iterator[tuple[HttpConnection, bool]]:
        """A connection to ``target`` (an idle one when there is one, and whether it
        was), kept for reuse after a use that left it open."""
        conn = self._idle.take(target.pool_key)
        reused = conn is not None
        if conn is None:
            conn = HttpConnection(
                target.host, target.port, context=_tls_context() if target.secure else None
            )
        try:
            yield conn, reused
        except BaseException:
            conn.close()
            raise
        if conn.is_open:
            self._idle.give_back(target.pool_key, conn)

    @property
    def idle(self) -> int:
        """How many idle connections are kept."""
        return len(self._idle)

    def close(self) -> None:
        """Close every idle connection."""
        self._idle.close()


@cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


POOL = ConnectionPool()
"""The process's connections (the CLI's one declare, or a worker's many deliveries)."""

__all__ = ["POOL", "WebhookTarget", "parse_webhook", "payload", "post"]
