"""The local SMTP server that receives what outagecomms emails (aiosmtpd on ``127.0.0.1``)::

    with SmtpSink() as smtp:
        url = smtp.url(to="customers@example.com")   # mailto://... for apprise
        ...send...
        [mail] = smtp.wait_for(1)

It records every message (parsed with :mod:`email` when first looked at, so that taking
a thousand messages a second costs little), counts the SMTP sessions it served
(:attr:`SmtpSink.sessions`: a sender that keeps its sessions open shows it here), can
refuse chosen recipients (``reject=``, a permanent 550) and can drop every open session
(:meth:`SmtpSink.drop_sessions`, as a server that times its clients out does).
``keep=False`` counts messages without keeping them (a benchmark's 100,000).
:func:`main` runs one in a process of its own.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

from outagecomms.testing.recording import DEFAULT_WAIT, HOST, Recorder, free_port

__all__ = ["ReceivedEmail", "SmtpSink"]

REJECTED = "550 5.1.1 No such mailbox here"
"""What the sink answers ``RCPT TO`` for a recipient in its ``reject`` set."""


@dataclass(frozen=True)
class ReceivedEmail:
    """One email as the SMTP sink received it, parsed with :mod:`email` when first read."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    raw: bytes
    session: int = 0
    """Which of the sink's sessions carried it (1 for the first)."""

    @cached_property
    def message(self) -> EmailMessage:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

    @property
    def sender(self) -> str:
        """The ``From`` header, decoded."""
        return str(self.message.get("From", ""))

    @property
    def to(self) -> str:
        """The ``To`` header, decoded."""
        return str(self.message.get("To", ""))

    @property
    def subject(self) -> str:
        """The ``Subject`` header, decoded (RFC 2047 words such as UTF-8 Persian included)."""
        return str(self.message.get("Subject", ""))

    @cached_property
    def body(self) -> str:
        """The ``text/plain`` part, decoded from its transfer encoding and charset, with
        ``\\n`` line ends and without the final line end MIME adds."""
        plain = self.message.get_body(preferencelist=("plain",))
        return _normalise_newlines(plain.get_content() if isinstance(plain, EmailMessage) else "")

    @cached_property
    def html(self) -> str | None:
        """The ``text/html`` part when the message has one."""
        html = self.message.get_body(preferencelist=("html",))
        return html.get_content() if isinstance(html, EmailMessage) else None


def _normalise_newlines(text: str) -> str:
    """Give back the text that was sent: SMTP carries CRLF line ends, and a MIME text part
    always ends with a line end that the sender's text did not have."""
    text = text.replace("\r\n", "\n")
    return text.removesuffix("\n")


class _SmtpHandler:
    """The aiosmtpd handler: accept every message and record it (with ``require_tls``,
    refuse every sender as a server that wants STARTTLS first does; a recipient in
    ``reject``: a permanent 550)."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._sink.require_tls:
            return "530 5.7.0 Must issue a STARTTLS command first"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self._sink.reject:
            return REJECTED
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):  # pragma: no cover - aiosmtpd gives bytes when decode_data=False
            raw = raw.encode("utf-8")
        number = getattr(server, "sink_session", 0)
        self._sink._received(str(envelope.mail_from), list(envelope.rcpt_tos), raw, number)
        return "250 Message accepted for delivery"


def _refuse_login(*_args: Any) -> Any:
    """An aiosmtpd authenticator that refuses every login (535)."""
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=False, handled=False)


def _controller(sink: SmtpSink, port: int, options: dict[str, Any]) -> Any:
    """An aiosmtpd controller whose sessions the sink counts and can drop."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class CountedSMTP(SMTP):
        sink_session = 0

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.sink_session = sink._opened(transport)

        def connection_lost(self, error: Exception | None) -> None:
            sink._closed(self.transport)
            super().connection_lost(error)

    class CountingController(Controller):
        def factory(self) -> SMTP:
            return CountedSMTP(self.handler, **self.SMTP_kwargs)

    return CountingController(
        _SmtpHandler(sink),
        hostname=sink.host,
        port=port,
        enable_SMTPUTF8=True,
        decode_data=False,
        **options,
    )


class SmtpSink:
    """An SMTP server on ``127.0.0.1`` (aiosmtpd), without TLS or authentication.

    Use it as a context manager; :meth:`url` gives the apprise ``mailto://`` URL that
    delivers to it and :meth:`wait_for` blocks until messages arrive.

    To stand in for a misconfigured or strict server: ``login="refuse"`` offers AUTH and
    refuses every login; ``require_tls=True`` refuses every sender until STARTTLS (which it
    does not offer); ``reject`` refuses those recipients (550). Without ``login`` the
    server offers no AUTH at all. ``keep=False``: count messages, keep none.
    """

    def __init__(
        self,
        *,
        host: str = HOST,
        port: int | None = None,
        login: str | None = None,
        require_tls: bool = False,
        reject: Iterable[str] = (),
        keep: bool = True,
    ) -> None:
        if login not in (None, "refuse"):
            raise ValueError("login is None (no AUTH offered) or 'refuse'")
        self.host = host
        self.login = login
        self.require_tls = require_tls
        self.reject = frozenset(address.lower() for address in reject)
        self.keep = keep
        self._wanted_port = port
        self.port = 0
        self._recorder: Recorder[ReceivedEmail] = Recorder()
        self._controller: Any = None
        self._lock = threading.Lock()
        self._sessions = 0
        self._count = 0
        self._open: set[Any] = set()

    # lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        attempts = 1 if self._wanted_port else 5
        last_error: Exception | None = None
        for _ in range(attempts):
            port = self._wanted_port or free_port(self.host)
            options: dict[str, Any] = {}
            if self.login == "refuse":
                options.update(authenticator=_refuse_login, auth_require_tls=False)
            controller = _controller(self, port, options)
            try:
                controller.start()
            except Exception as error:  # the port was taken between picking and binding
                last_error = error
                continue
            with self._lock:  # aiosmtpd's start connects once to check it serves
                self._sessions = 0
                self._open.clear()
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
        """Every email received so far, oldest first (none with ``keep=False``)."""
        return self._recorder.snapshot()

    @property
    def count(self) -> int:
        """Emails received so far (kept or not)."""
        with self._lock:
            return self._count

    @property
    def sessions(self) -> int:
        """SMTP sessions (TCP connections) served so far."""
        with self._lock:
            return self._sessions

    def wait_for(self, count: int = 1, *, timeout: float = DEFAULT_WAIT) -> list[ReceivedEmail]:
        """Block until at least ``count`` emails have arrived; return them all.

        Raises :class:`SinkTimeout` when they have not arrived within ``timeout`` seconds.
        """
        return self._recorder.wait_for(count, timeout, "emails")

    def clear(self) -> None:
        self._recorder.clear()

    def drop_sessions(self) -> int:
        """Close every open session from the server's side at once (as a server that
        times idle clients out does); how many were open. Returns once they are closed."""
        controller = self._controller
        if controller is None:
            return 0

        async def drop() -> int:
            with self._lock:
                transports = list(self._open)
            for transport in transports:
                transport.abort()
            await asyncio.sleep(0)
            return len(transports)

        future = asyncio.run_coroutine_threadsafe(drop(), controller.loop)
        return int(future.result(timeout=DEFAULT_WAIT))

    # serving (called on the server's loop) ----------------------------------

    def _opened(self, transport: Any) -> int:
        with self._lock:
            self._sessions += 1
            self._open.add(transport)
            return self._sessions

    def _closed(self, transport: Any) -> None:
        with self._lock:
            self._open.discard(transport)

    def _received(self, sender: str, recipients: list[str], raw: bytes, session: int) -> None:
        with self._lock:
            self._count += 1
        if self.keep:
            self._recorder.add(ReceivedEmail(sender, tuple(recipients), raw, session))


def main() -> None:
    """A counting sink (``keep=False``) in a process of its own, so that a benchmark's
    sink does not share the sender's GIL: ``python -c "from outagecomms.testing.smtp_sink
    import main; main()"`` prints its port, serves until its standard input ends, then
    prints ``<emails> <sessions>``."""
    import sys

    with SmtpSink(keep=False) as sink:
        print(sink.port, flush=True)
        sys.stdin.read()
        print(sink.count, sink.sessions, flush=True)


if __name__ == "__main__":
    main()
