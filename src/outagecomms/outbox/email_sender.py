"""The email sender for ``mailto://`` and ``mailtos://`` URLs (every email channel): the
URL read as apprise reads it (user, password, host, port, ``from``, ``to``, ``cc``, ``bcc``,
``name``, ``smtp``, ``mode=ssl|starttls|insecure``, ``verify``), the message built by
:mod:`outagecomms.outbox.email_message`, sent with :mod:`smtplib`. A failure is one line
naming the step that failed (:mod:`outagecomms.smtp_causes`), never a secret. Other email
URLs (a provider's API) still go through apprise."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import SimpleNamespace
from typing import TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import structlog
from sqlalchemy import select

from outagecomms.audiences.words import UNSUBSCRIBE_LINE, said
from outagecomms.delivery import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, Outcome, Outgoing
from outagecomms.errors import ConfigError
from outagecomms.models import Audience
from outagecomms.outbox.email_message import EmailParts, build_email, message_id
from outagecomms.outbox.sending import Batch, send_apprise
from outagecomms.outbox.smtp_sessions import SESSIONS, SessionKey, SmtpSessions, session_key
from outagecomms.progress import FanoutProgress
from outagecomms.smtp_causes import SSL, STARTTLS, smtp_cause
from outagecomms.store.records import public_id
from outagecomms.store.subscribers_repo import unsubscribe_tokens
from outagecomms.store.tables import deliveries, messages
from outagecomms.urls import expand_url

log = structlog.get_logger(__name__)

SCHEMES = ("mailto", "mailtos")
INSECURE = "insecure"
DEFAULT_PORTS = {SSL: 465, STARTTLS: 587, INSECURE: 25}
_T = TypeVar("_T")


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how one email goes, read from its URL."""

    smtp_host: str
    port: int
    secure_mode: str
    user: str | None
    password: str | None
    from_addr: tuple[str, str]
    to: list[str]
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    verify_certificate: bool = True

    @property
    def where(self) -> str:
        return f"{self.smtp_host}:{self.port}"


def _addresses(value: str) -> list[str]:
    return [a.strip() for a in value.replace(";", ",").split(",") if a.strip()]


def parse_mailto(url: str) -> SmtpTarget:
    """Read a ``mailto(s)://`` URL the way apprise does."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ConfigError(
            f"not an SMTP URL ({scheme}://); email URLs start mailto:// or mailtos://"
        )
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    host = query.get("smtp") or parts.hostname or ""
    if not host:
        raise ConfigError("the mailto URL has no host: write mailtos://user:password@smtp.host")
    mode = (query.get("mode") or (STARTTLS if scheme == "mailtos" else INSECURE)).lower()
    if mode not in DEFAULT_PORTS:
        raise ConfigError(f"mode={mode} is not ssl, starttls or insecure")
    user = unquote(parts.username) if parts.username else query.get("user")
    password = unquote(parts.password) if parts.password else query.get("pass")
    sender = query.get("from") or (
        user if user and "@" in user else f"{user or 'outagecomms'}@{parts.hostname or host}"
    )
    name = query.get("name", "")
    targets = [unquote(p) for p in parts.path.split("/") if p]
    to = _addresses(query.get("to", "")) or targets or [sender]
    verify = query.get("verify", "yes").lower() not in ("no", "false", "0")
    return SmtpTarget(
        smtp_host=host,
        port=parts.port or DEFAULT_PORTS[mode],
        secure_mode=mode,
        user=user,
        password=password,
        from_addr=(name, sender),
        to=to,
        cc=_addresses(query.get("cc", "")),
        bcc=_addresses(query.get("bcc", "")),
        verify_certificate=verify,
    )


def deliver(
    target: SmtpTarget, message: EmailMessage, timeout: float, sessions: SmtpSessions = SESSIONS
) -> dict[str, tuple[int, bytes]]:
    """Send ``message`` on a kept-open session to ``target``'s server
    (:mod:`outagecomms.outbox.smtp_sessions`); raises what smtplib raises. The recipients
    the server refused while others took it."""
    return sessions.send(
        target, target.from_addr[1], [*target.to, *target.cc, *target.bcc], message, timeout
    )


@dataclass(frozen=True)
class Thread:
    """Where one delivery sits in its incident: for Message-ID and threading."""

    incident: str
    seq: int


def _threads(batch: Batch, items: list[Outgoing]) -> dict[str, Thread]:
    keys = [int(i.key) for i in items if i.key.isdigit()]
    if not keys:
        return {}
    query = (
        select(deliveries.c.id, messages.c.incident_id, messages.c.seq)
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(deliveries.c.id.in_(keys))
    )
    with batch.store.read() as conn:
        return {str(i): Thread(public_id(n), seq) for i, n, seq in conn.execute(query)}


def _tokens(batch: Batch, items: list[Outgoing]) -> dict[str, str]:
    wanted = [i.recipient for i in items if i.channel.audience is Audience.SUBSCRIBERS]
    if not wanted:
        return {}
    with batch.store.read() as conn:
        return unsubscribe_tokens(conn, wanted)


def display_name(batch: Batch, lang: str) -> str:
    settings = batch.project.settings
    sender = settings.sender
    if isinstance(sender, str):
        return sender
    return sender.get(lang) or sender.get(settings.default_language) or ""


class _Send:
    """Everything one batch's emails share."""

    def __init__(self, items: list[Outgoing], batch: Batch) -> None:
        self.batch = batch
        self.threads = _threads(batch, items)
        self.tokens = _tokens(batch, items)
        self.timeout = float(batch.options.get("timeout") or DEFAULT_TIMEOUT)
        self.public_url = batch.project.settings.public_url

    def parts(self, item: Outgoing, target: SmtpTarget) -> EmailParts:
        channel = item.channel
        lang = channel.language
        domain = target.from_addr[1].rpartition("@")[2] or "outagecomms.invalid"
        thread = self.threads.get(item.key)
        own_id = root = None
        if thread is not None:
            own_id = message_id(thread.incident, thread.seq, channel.name, item.recipient, domain)
            root = message_id(thread.incident, 1, channel.name, item.recipient, domain)
        unsubscribe = line = None
        if channel.audience is Audience.SUBSCRIBERS:
            token = self.tokens.get(item.recipient)
            if not self.public_url:
                raise ConfigError(
                    "subscribers' emails carry an unsubscribe link: set public_url in "
                    "outagecomms.toml (or OUTAGECOMMS_PUBLIC_URL) to the service's address"
                )
            if token is None:
                raise ConfigError("the subscriber unsubscribed or was removed; not sent")
            unsubscribe = f"{self.public_url.rstrip('/')}/unsubscribe/{token}"
            line = said(UNSUBSCRIBE_LINE, lang, link=unsubscribe)
        return EmailParts(
            subject=item.title or "",
            body=item.body,
            lang=lang,
            from_addr=target.from_addr[1],
            to=target.to,
            cc=target.cc,
            display_name=target.from_addr[0] or display_name(self.batch, lang),
            message_id=own_id,
            thread_root=root,
            unsubscribe_url=unsubscribe,
            unsubscribe_line=line,
            date=self.batch.clock(),
        )

    def prepare(self, item: Outgoing) -> tuple[SmtpTarget, EmailMessage] | Outcome:
        """The server and the email of ``item``, or its failed outcome (a bad URL)."""
        try:
            url = expand_url(item.channel.url, item.channel.name, self.batch.environ)
            target = parse_mailto(url)
            return target, build_email(self.parts(item, target))
        except ConfigError as exc:
            return Outcome(item.key, False, exc.message, 0.0)

    def run(self, emails: list[tuple[Outgoing, SmtpTarget, EmailMessage]]) -> list[Outcome]:
        """Send ``emails`` (one server's) one after the other on one kept-open session."""
        return [self.one(item, target, message) for item, target, message in emails]

    def one(self, item: Outgoing, target: SmtpTarget, message: EmailMessage) -> Outcome:
        started = time.monotonic()
        cancel = self.batch.options.get("cancel")
        if cancel is not None and cancel.is_set():
            return Outcome(
                item.key, False, "interrupted (Ctrl-C) before sending", 0.0, not_started=True
            )
        try:
            deliver(target, message, self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            error = _failure(target, exc, self.timeout)
            log.warning("delivery.failed", channel=item.channel.name, error=error)
            return Outcome(item.key, False, error, time.monotonic() - started)
        log.info("delivery.sent", channel=item.channel.name, kind="email", target=target.where)
        return Outcome(item.key, True, None, time.monotonic() - started)


def _failure(target: SmtpTarget, exc: Exception, timeout: float) -> str:
    """One line, never the password: the refused recipients as the server said it, any
    other failure as :func:`smtp_cause` finds it walking the steps again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address} ({code} {_text(reply)})"
            for address, (code, reply) in exc.recipients.items()
        )
        error = f"{target.where} refused the recipient {refused}"
    else:
        error = smtp_cause(SimpleNamespace(**_plugin_view(target)), timeout) or (
            f"SMTP with {target.where} failed: {type(exc).__name__}: {exc}"
        )
    if target.password:
        error = error.replace(target.password, "****")
    return " ".join(error.split())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _plugin_view(target: SmtpTarget) -> Mapping[str, object]:
    """The attributes :func:`smtp_cause` reads (apprise's plugin's names)."""
    return {
        "smtp_host": target.smtp_host,
        "port": target.port,
        "secure_mode": target.secure_mode,
        "user": target.user,
        "password": target.password,
        "from_addr": target.from_addr,
        "verify_certificate": target.verify_certificate,
    }


SESSION_SHARE = 32
"""A batch's emails to one server go through one session, unless there are more than
this many: then through up to ``concurrency`` sessions at once (a ``to=`` list of 5,000
sent by one ``declare``), at least this many each."""


def send_email(items: list[Outgoing], batch: Batch) -> list[Outcome]:
    """Send email items: ``mailto(s)://`` ones with smtplib, others through apprise. A
    test's stand-in for apprise (any sender but :func:`send_all`) stands in for SMTP too
    (:func:`outagecomms.outbox.sending.takes_smtp` leaves those items to apprise).

    The emails to one server (and login) share one kept-open session, one transaction
    each, in turn; more than :data:`SESSION_SHARE` of them share up to ``concurrency``."""
    smtp = [i for i in items if urlsplit(i.channel.url).scheme.lower() in SCHEMES]
    mine = {i.key for i in smtp}
    rest = [i for i in items if i.key not in mine]
    outcomes = send_apprise(rest, batch) if rest else []
    if not smtp:
        return outcomes
    sending = _Send(smtp, batch)
    progress = batch.progress
    if progress is not None:
        progress.start(smtp)
    concurrency = int(batch.options.get("concurrency") or DEFAULT_CONCURRENCY)
    done: dict[str, Outcome] = {}
    servers: dict[SessionKey, list[tuple[Outgoing, SmtpTarget, EmailMessage]]] = {}
    for item in smtp:
        prepared = sending.prepare(item)
        if isinstance(prepared, Outcome):
            done[item.key] = prepared
            if progress is not None:
                progress.done(prepared)
            continue
        target, message = prepared
        servers.setdefault(session_key(target), []).append((item, target, message))
    runs = [part for emails in servers.values() for part in _shares(emails, concurrency)]
    try:
        if len(runs) == 1:
            _report(sending.run(runs[0]), done, progress)
        elif runs:
            workers = min(concurrency, len(runs))
            with ThreadPoolExecutor(workers, thread_name_prefix="outagecomms-smtp") as pool:
                for finished in as_completed([pool.submit(sending.run, run) for run in runs]):
                    _report(finished.result(), done, progress)
    finally:
        if progress is not None:
            progress.finish()
    return outcomes + [done[item.key] for item in smtp]


def _shares(emails: list[_T], concurrency: int) -> list[list[_T]]:
    """One server's emails cut into the runs of one session each."""
    each = max(SESSION_SHARE, -(-len(emails) // max(1, concurrency)))
    return [emails[start : start + each] for start in range(0, len(emails), each)]


def _report(
    outcomes: list[Outcome], done: dict[str, Outcome], progress: FanoutProgress | None
) -> None:
    for outcome in outcomes:
        done[outcome.key] = outcome
        if progress is not None:
            progress.done(outcome)
