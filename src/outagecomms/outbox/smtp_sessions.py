"""SMTP sessions kept open: a small pool per server and login (host, port, user, secure
mode), so that the emails of a batch go through one session, one transaction each
(``MAIL``, ``RCPT``, ``DATA``), and the next batch takes the same session again, the way
:mod:`outagecomms.outbox.webhooks` keeps HTTP connections alive.

- A session the server closed meanwhile (an idle timeout, a restart) is noticed at the
  next transaction's ``MAIL`` or ``RCPT``, before any data left, and that email is sent
  again once on a new session.
- A transaction the server refuses (the sender, every recipient, the data) is ended with
  ``RSET`` and the session goes on serving the next email: a refused recipient fails that
  email alone.
- Any other error (a timeout, a connection lost during ``DATA``) closes the session.
- A session is retired after :data:`MESSAGES_PER_SESSION` emails or
  :data:`SESSION_LIFETIME` seconds, and an idle one is closed after :data:`IDLE_FOR`
  seconds; all are closed (``QUIT``) at :meth:`SmtpSessions.close` and when the process
  ends (the worker's stop, the CLI's exit).
"""

from __future__ import annotations

import atexit
import io
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from typing import Protocol

from outagecomms.outbox.idle_pool import IdlePool
from outagecomms.smtp_causes import SSL, STARTTLS

MAX_IDLE = 32
"""Idle sessions kept in all (the oldest beyond are closed)."""
IDLE_FOR = 30.0
"""Seconds an idle session is kept (servers drop idle clients after 30 s to 10 minutes;
one dropped meanwhile is replaced on the next email anyway)."""
MESSAGES_PER_SESSION = 100
"""Emails one session carries before it is closed and a new one opened (some providers
end a session after a number of messages)."""
SESSION_LIFETIME = 300.0
"""Seconds after which a session is not reused (Postfix's own client reuses one 300 s)."""

QUIT_WAIT = 2.0
"""Seconds a closing session waits for the answer to QUIT (a hung server must not hold up
a worker's stop)."""

SessionKey = tuple[str, int, str, str | None, str | None, bool]
"""host, port, secure mode, user, password, verify the certificate."""


class SmtpServer(Protocol):
    """Where and how a session connects (an :class:`~outagecomms.outbox.email_sender.
    SmtpTarget`)."""

    @property
    def smtp_host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def secure_mode(self) -> str: ...
    @property
    def user(self) -> str | None: ...
    @property
    def password(self) -> str | None: ...
    @property
    def verify_certificate(self) -> bool: ...


def session_key(server: SmtpServer) -> SessionKey:
    return (
        server.smtp_host.lower(),
        server.port,
        server.secure_mode,
        server.user,
        server.password,
        server.verify_certificate,
    )


class _Stale(smtplib.SMTPServerDisconnected):
    """A reused session the server had closed, noticed before any data left."""


_CLOSED = (
    smtplib.SMTPServerDisconnected,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)
"""What a session the server closed raises (a timeout is not one: no second wait)."""


@dataclass
class Session:
    """One open SMTP session (after EHLO, STARTTLS and login)."""

    smtp: smtplib.SMTP
    opened_at: float
    messages: int = 0
    reused: bool = False
    usable: bool = True
    refused: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """The recipients refused by the last transaction that went through (others took it)."""

    def send(self, from_addr: str, to_addrs: list[str], message: EmailMessage) -> None:
        """One transaction; raises what smtplib raises (:class:`_Stale` for a reused
        session found closed before the data). A refused transaction ends with RSET."""
        smtp = self.smtp
        data, options = _flatten(smtp, from_addr, to_addrs, message)
        if smtp.does_esmtp and smtp.has_extn("size"):
            options.append(f"size={len(data)}")
        self.messages += 1
        self.refused = {}
        try:
            code, reply = smtp.mail(from_addr, options)
            if code == 421:
                raise smtplib.SMTPServerDisconnected(f"{code} {reply!r}")
            if code != 250:
                self._rset()
                raise smtplib.SMTPSenderRefused(code, reply, from_addr)
            for address in to_addrs:
                code, reply = smtp.rcpt(address)
                if code == 421:
                    raise smtplib.SMTPServerDisconnected(f"{code} {reply!r}")
                if code not in (250, 251):
                    self.refused[address] = (code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.usable = False
            if self.reused and isinstance(exc, _CLOSED):
                raise _Stale(str(exc)) from exc
            raise
        if len(self.refused) == len(to_addrs):
            self._rset()
            raise smtplib.SMTPRecipientsRefused(dict(self.refused))
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused (no 354)
            if exc.smtp_code == 421:
                self.usable = False
            else:
                self._rset()
            raise
        except (smtplib.SMTPServerDisconnected, OSError):
            self.usable = False
            raise
        if code != 250:
            if code == 421:
                self.usable = False
            else:
                self._rset()
            raise smtplib.SMTPDataError(code, reply)

    def _rset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.usable = False

    def close(self) -> None:
        self.usable = False
        sock = self.smtp.sock
        if sock is not None:
            sock.settimeout(min(sock.gettimeout() or QUIT_WAIT, QUIT_WAIT))
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


def _flatten(
    smtp: smtplib.SMTP, from_addr: str, to_addrs: list[str], message: EmailMessage
) -> tuple[bytes, list[str]]:
    """The message's bytes and MAIL options, as :meth:`smtplib.SMTP.send_message` makes
    them (SMTPUTF8 when an address is not ASCII; no Bcc header)."""
    options: list[str] = []
    international = not "".join([from_addr, *to_addrs]).isascii()
    if international:
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError(
                "One or more source or delivery addresses require internationalized email "
                "support, but the server does not advertise the required SMTPUTF8 capability"
            )
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    if "Bcc" in message or "Resent-Bcc" in message:
        message = _without_bcc(message)
    with io.BytesIO() as out:
        policy = message.policy.clone(utf8=True) if international else message.policy  # type: ignore[call-arg]
        BytesGenerator(out, policy=policy).flatten(message, linesep="\r\n")
        return out.getvalue(), options


def _without_bcc(message: EmailMessage) -> EmailMessage:
    import copy

    copied = copy.copy(message)
    del copied["Bcc"]
    del copied["Resent-Bcc"]
    return copied


def open_session(server: SmtpServer, timeout: float) -> Session:
    """Connect, EHLO, STARTTLS (``starttls`` mode) and log in; raises what smtplib
    raises."""
    context = ssl.create_default_context()
    if not server.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    smtp: smtplib.SMTP
    if server.secure_mode == SSL:
        smtp = smtplib.SMTP_SSL(server.smtp_host, server.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(server.smtp_host, server.port, timeout=timeout)
    try:
        smtp.ehlo()
        if server.secure_mode == STARTTLS:
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user and server.password:
            smtp.login(server.user, server.password)
    except BaseException:
        smtp.close()
        raise
    return Session(smtp, time.monotonic())


class SmtpSessions:
    """Idle open sessions by :func:`session_key`; a session serves one thread at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._idle: IdlePool[SessionKey, Session] = IdlePool(
            most=MAX_IDLE, idle_for=IDLE_FOR, close=Session.close, clock=clock
        )

    @contextmanager
    def session(self, server: SmtpServer, timeout: float) -> Iterator[Session]:
        """An idle session to ``server`` when there is one, else a new one; given back
        after use while it is usable, closed otherwise."""
        key = session_key(server)
        session = self._idle.take(key)
        if session is None:
            session = open_session(server, timeout)
        else:
            session.reused = True
            sock = session.smtp.sock
            if sock is not None:
                sock.settimeout(timeout)
        try:
            yield session
        except BaseException:
            self._give_back(key, session)
            raise
        self._give_back(key, session)

    def send(
        self,
        server: SmtpServer,
        from_addr: str,
        to_addrs: list[str],
        message: EmailMessage,
        timeout: float,
    ) -> dict[str, tuple[int, bytes]]:
        """Send one email on a pooled session (again once on a new one when the reused
        session turns out closed); the recipients refused while others took it."""
        for attempt in (1, 2):
            try:
                with self.session(server, timeout) as session:
                    session.send(from_addr, to_addrs, message)
                    return session.refused
            except _Stale:
                if attempt == 2:  # pragma: no cover - a new session is never stale
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _give_back(self, key: SessionKey, session: Session) -> None:
        worn = (
            session.messages >= MESSAGES_PER_SESSION
            or self._clock() - session.opened_at > SESSION_LIFETIME
            or not session.usable
        )
        if worn:
            session.close()
        else:
            self._idle.give_back(key, session)

    @property
    def idle(self) -> int:
        """How many idle sessions are kept."""
        return len(self._idle)

    def close(self) -> None:
        """QUIT every idle session."""
        self._idle.close()


SESSIONS = SmtpSessions()
"""The process's SMTP sessions (the CLI's one declare, or a worker's many batches)."""
atexit.register(SESSIONS.close)

__all__ = ["SESSIONS", "Session", "SmtpSessions", "open_session", "session_key"]
