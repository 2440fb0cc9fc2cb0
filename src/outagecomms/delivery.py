"""Sending: one rendered message to one channel through apprise, and many of them at once.

What is sent is exactly the composed text (:mod:`outagecomms.compose`): ``body_format``
is text and apprise's overflow mode is forced to ``upstream``, so apprise never splits or
truncates it. (Apprise itself strips the title and trailing whitespace of the body.)

Every send has a deadline, reported as failed ("timed out after Ns", possibly arrived).
Plain JSON webhooks (:mod:`outagecomms.outbox.webhooks`) bound every socket wait by the
time left, on the caller's thread; the apprise call (or a send ``cancel`` may interrupt)
runs on a thread the caller waits for at most ``timeout`` seconds, then leaves to finish,
bounded by the socket timeouts (apprise's ``cto``/``rto``) set just above the deadline.
:func:`send_all` fans out over a thread pool, so one slow channel never delays the others.

Errors are one line and never hold a secret: the reason comes from the apprise log lines
captured for that one service, and every secret of the expanded URL (the values of its
``${VAR}`` references and whatever apprise's privacy URL hides) is masked out of it.

:class:`RetryPolicy` decides when a failed delivery is tried again (exponential backoff
with jitter, computed with tenacity) and when it is given up.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import random as _random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import tenacity

from outagecomms.errors import ConfigError
from outagecomms.logs import get_logger
from outagecomms.models import Channel
from outagecomms.outbox.webhooks import WebhookTarget, parse_webhook, post
from outagecomms.smtp_causes import is_smtp, smtp_cause
from outagecomms.urls import expand_url, redact_url, referenced_variables

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_HEADER",
    "WEBHOOK_SCHEMES",
    "Outcome",
    "Outgoing",
    "RetryPolicy",
    "send",
    "send_all",
]

log = get_logger(__name__)

DEFAULT_TIMEOUT: float = 10.0
"""Seconds one send may take before it is reported as failed."""

DEFAULT_CONCURRENCY: int = 16
"""How many channels :func:`send_all` sends to at the same time."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header carrying :attr:`Outgoing.idempotency_key` to webhook receivers."""

WEBHOOK_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
"""Apprise's generic webhook schemes: the ones that get the idempotency header."""

SOCKET_GRACE = 1.0
"""Seconds the socket timeouts exceed the deadline: the deadline decides, and a send
abandoned at its deadline still ends on its own soon after."""

MAX_ERROR_LENGTH = 300
MASK = "****"
_MIN_SECRET_LENGTH = 3


@dataclass(frozen=True)
class Outgoing:
    """One delivery to send."""

    key: str
    """The delivery's id as text."""
    channel: Channel
    """The channel; its url may hold ``${VAR}`` references, resolved at send time."""
    title: str | None
    """Only for titled kinds (email, webhook)."""
    body: str
    """Exactly the text to send."""
    idempotency_key: str
    """Stable per delivery; webhook receivers use it to drop repeats."""
    recipient: str = ""
    """The one address this delivery goes to ("" : the channel's URL whole); ``channel``'s
    URL is already cut to it (:func:`outagecomms.outbox.recipients.channel_for`)."""


@dataclass(frozen=True)
class Outcome:
    """What became of one send."""

    key: str
    ok: bool
    error: str | None
    """One line, never a secret; ``None`` when ``ok``."""
    elapsed: float
    """Seconds."""
    maybe_sent: bool = False
    """The send was abandoned at its deadline while still running: the provider may have
    received it, so a retry may be a duplicate."""
    not_started: bool = False
    """Interrupted before this send began: nothing left, and the attempt does not count."""


INTERRUPTED_WHILE_SENDING = "interrupted (Ctrl-C) while sending; it may have arrived"
INTERRUPTED_BEFORE_SENDING = "interrupted (Ctrl-C) before sending"
CANCEL_CHECK_EVERY = 0.05
"""Seconds between looks at the interrupt flag while a send runs (only with ``cancel``)."""


# --------------------------------------------------------------------------- sending


def send(
    item: Outgoing,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    environ: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
) -> Outcome:
    """Send one delivery and report how it went; never raises for the channel's failure.

    Returns within about ``timeout`` seconds whatever the channel does, and soon after
    ``cancel`` is set (the send is then reported as possibly arrived).
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    started = time.monotonic()
    channel = item.channel
    known = tuple(_referenced_values(channel.url, environ))
    target = _shown(channel.url, known)
    try:
        url = expand_url(channel.url, channel.name, environ)
    except ConfigError as error:
        return _finish(item, target, started, ok=False, error=error.message)
    native = parse_webhook(url)
    if native is not None and cancel is None:  # keeps its deadline itself: no thread
        ok, failure, maybe_sent = _post_native(item, url, native, known, timeout, started + timeout)
        return _finish(item, target, started, ok=ok, error=failure, maybe_sent=maybe_sent)

    attempt = _Attempt(item, url, timeout, list(known))
    worker = threading.Thread(
        target=contextvars.copy_context().run,
        args=(attempt.run,),
        name=f"outagecomms-send-{item.key}",
        daemon=True,
    )
    worker.start()
    finished = _wait(attempt.done, timeout, cancel)
    if finished is None:
        interrupted = INTERRUPTED_WHILE_SENDING
        return _finish(item, target, started, ok=False, error=interrupted, maybe_sent=True)
    if not finished:
        return _finish(
            item, target, started, ok=False, error=f"timed out after {timeout:g}s", maybe_sent=True
        )
    return _finish(item, target, started, ok=attempt.ok, error=attempt.error)


@functools.lru_cache(maxsize=1024)
def _shown(url: str, known: tuple[str, ...]) -> str:
    """:func:`redact_url` (remembered), with apprise's log masked while it may ask it."""
    token = _APPRISE_LOG_MASK.add(_secrets(url, None, known, whole_url=False))
    try:
        return redact_url(url)
    finally:
        _APPRISE_LOG_MASK.remove(token)


def _post_native(
    item: Outgoing, url: str, native: WebhookTarget, known: Iterable[str], timeout: float,
    deadline: float,
) -> tuple[bool, str | None, bool]:  # fmt: skip
    """POST a plain JSON webhook by ``deadline``: (ok, the reason when not, whether it may
    have arrived all the same: the deadline passed)."""
    idempotency = ((IDEMPOTENCY_HEADER, item.idempotency_key),)
    try:
        ok, error = post(native, title=item.title, body=item.body, extra_headers=idempotency,
                         deadline=deadline)  # fmt: skip
    except TimeoutError:
        return False, f"timed out after {timeout:g}s", True
    except Exception as exc:  # a header http cannot carry, or a bug: that send fails
        ok, error = False, f"{type(exc).__name__}: {exc}"
    if error is not None:  # the reasons name the host; a secret may be anywhere in it
        error = _scrub(error, _secrets(url, native, known))
    return ok, error, False


def _wait(done: threading.Event, timeout: float, cancel: threading.Event | None) -> bool | None:
    """Wait for ``done`` up to ``timeout``: True when done, False at the deadline, None
    when ``cancel`` was set first."""
    if cancel is None:
        return done.wait(timeout)
    deadline = time.monotonic() + timeout
    while not done.wait(min(CANCEL_CHECK_EVERY, max(0.0, deadline - time.monotonic()))):
        if cancel.is_set():
            return None
        if time.monotonic() >= deadline:
            return False
    return True


def send_all(
    items: Sequence[Outgoing],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    environ: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send every delivery, up to ``concurrency`` at a time; outcomes in input order.

    One channel's failure, slowness or missing variable never stops or delays the others.
    Once ``cancel`` is set (Ctrl-C), sends not yet begun are not begun (``not_started``)
    and sends under way stop being waited for (``maybe_sent``). ``on_done`` hears of each
    outcome as soon as it is known (from the sending thread).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if not items:
        return []
    if any(parse_webhook(item.channel.url) is None for item in items):
        _load_apprise()

    def one(item: Outgoing) -> Outcome:
        if cancel is not None and cancel.is_set():
            return Outcome(item.key, False, INTERRUPTED_BEFORE_SENDING, 0.0, not_started=True)
        try:
            outcome = send(item, timeout=timeout, environ=environ, cancel=cancel)
        except Exception as error:  # pragma: no cover - send reports failures itself
            outcome = Outcome(item.key, False, _one_line(f"{type(error).__name__}: {error}"), 0.0)
        if on_done is not None:
            on_done(outcome)
        return outcome

    if len(items) == 1:  # the worker's pipeline sends one at a time: no pool of one
        return [one(items[0])]
    workers = min(concurrency, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outagecomms-fanout") as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, item) for item in items]
        return [future.result() for future in futures]


@functools.cache
def _load_apprise() -> None:
    """Load apprise's plugins once, before any fan-out: when the first sends of a process
    run concurrently, apprise's lazy plugin loading races and loses the per-service log
    lines that carry the failure reason (a 500 then reads "JSON refused the message")."""
    import apprise

    apprise.Apprise.instantiate("json://127.0.0.1/", suppress_exceptions=True)


def _finish(
    item: Outgoing,
    target: str,
    started: float,
    *,
    ok: bool,
    error: str | None,
    maybe_sent: bool = False,
) -> Outcome:
    elapsed = time.monotonic() - started
    outcome = Outcome(
        item.key, ok, None if ok else (error or "delivery failed"), elapsed, maybe_sent
    )
    fields: dict[str, Any] = {
        "delivery": item.key,
        "channel": item.channel.name,
        "kind": item.channel.kind.value,
        "target": target,
        "elapsed": round(elapsed, 3),
    }
    if ok:
        log.info("delivery.sent", **fields)
    else:
        log.warning("delivery.failed", error=outcome.error, **fields)
    return outcome


class _Attempt:
    """The apprise call for one send, run on its own thread so the caller can stop
    waiting at the deadline."""

    def __init__(self, item: Outgoing, url: str, timeout: float, secrets: list[str]) -> None:
        self.item = item
        self.url = url
        self.timeout = timeout
        self.secrets = secrets
        self.done = threading.Event()
        self.ok = False
        self.error: str | None = None

    def run(self) -> None:
        # apprise's own log lines (its stdlib logger) are masked while this send runs.
        self.secrets = _secrets(self.url, None, self.secrets, whole_url=False)
        token = _APPRISE_LOG_MASK.add(self.secrets)
        try:
            self.ok, error = self._deliver(token)
            self.error = None if error is None else _scrub(error, self.secrets)
        except Exception as error:
            self.ok = False
            self.error = _scrub(f"{type(error).__name__}: {error}", self.secrets)
        finally:
            _APPRISE_LOG_MASK.remove(token)
            self.done.set()

    def _deliver(self, token: int) -> tuple[bool, str | None]:
        native = parse_webhook(self.url)
        if native is not None:  # a plain JSON webhook: our own keep-alive sender
            self.secrets = _secrets(self.url, native, self.secrets)
            _APPRISE_LOG_MASK.replace(token, self.secrets)
            deadline = time.monotonic() + self.timeout + SOCKET_GRACE  # send() decides first
            ok, error, _maybe = _post_native(
                self.item, self.url, native, self.secrets, self.timeout, deadline
            )
            return ok, error
        import apprise

        # service_timeout=0: apprise runs the service on this thread instead of queueing it
        # on its small shared pool; send() enforces the deadline.
        asset = apprise.AppriseAsset(service_timeout=0, secure_logging=True)
        plugin = apprise.Apprise.instantiate(self.url, asset=asset, suppress_exceptions=True)
        self.secrets = _secrets(self.url, plugin, self.secrets)
        _APPRISE_LOG_MASK.replace(token, self.secrets)
        if plugin is None:
            return False, (
                f"not a usable apprise URL ({redact_url(self.item.channel.url)}); "
                "check the scheme and its required parts"
            )
        _configure(plugin, self.url, self.item, self.timeout)
        return _deliver(plugin, asset, self.item, self.timeout)


def _deliver(plugin: Any, asset: Any, item: Outgoing, timeout: float) -> tuple[bool, str | None]:
    """One apprise object for this one channel; (ok, the reason when not ok)."""
    import apprise

    notifier = apprise.Apprise(asset=asset)
    notifier.add(plugin)
    with notifier.notify(
        body=item.body,
        title=item.title or "",
        body_format=apprise.NotifyFormat.TEXT,
        log_level=logging.WARNING,
    ) as result:
        services = list(result)
        if not services:
            return False, _reason(result.logs()) or "apprise did not send to the channel"
        failed = [service for service in services if not service]
        if not failed:
            return True, None
        if is_smtp(plugin):  # apprise says only "Connection error": find the cause
            cause = smtp_cause(plugin, timeout)
            if cause is not None:
                return False, cause
        reasons = []
        for service in failed:
            if service.status == apprise.AppriseResultStatus.TIMEOUT:
                reasons.append(f"timed out after {timeout:g}s")
            else:
                reasons.append(_reason(service.logs()) or f"{service.name} refused the message")
        return False, "; ".join(dict.fromkeys(reasons))


def _configure(plugin: Any, url: str, item: Outgoing, timeout: float) -> None:
    """Exact text, socket timeouts just above the deadline, and the idempotency header."""
    import apprise

    # Never split or truncate: compose has already fitted the text to the channel.
    plugin.overflow_mode = apprise.OverflowMode.UPSTREAM
    # apprise's cto/rto: a smaller value given in the URL is kept.
    limit = timeout + SOCKET_GRACE
    for name in ("socket_connect_timeout", "socket_read_timeout"):
        current = getattr(plugin, name, None)
        if isinstance(current, int | float):
            setattr(plugin, name, min(float(current), limit) if _explicit(url, name) else limit)
    scheme = url.split("://", 1)[0].lower()
    headers = getattr(plugin, "headers", None)
    if scheme in WEBHOOK_SCHEMES and isinstance(headers, dict):
        for name in [name for name in headers if name.lower() == IDEMPOTENCY_HEADER.lower()]:
            del headers[name]
        headers[IDEMPOTENCY_HEADER] = item.idempotency_key


def _explicit(url: str, attribute: str) -> bool:
    """Whether the URL's query sets the apprise parameter behind ``attribute``."""
    param = {"socket_connect_timeout": "cto", "socket_read_timeout": "rto"}[attribute]
    query = url.split("?", 1)[1] if "?" in url else ""
    return any(part.split("=", 1)[0].lower() == param for part in query.split("&"))


def _reason(entries: Iterable[Any]) -> str | None:
    """The captured apprise log lines of one service as one line (warnings and errors)."""
    messages = [
        str(entry.message)
        for entry in entries
        if str(getattr(entry, "level", "")).upper() in {"WARNING", "ERROR", "CRITICAL"}
    ]
    if not messages:
        return None
    return "; ".join(dict.fromkeys(_one_line(message) for message in messages))


# --------------------------------------------------------------------------- secrets

_URL_PARTS = re.compile(r"[/:@?&=#,;+\s]+")


def _referenced_values(template: str, environ: Mapping[str, str] | None) -> list[str]:
    """The values the url's ``${VAR}`` references take (already checked to be set)."""
    env = os.environ if environ is None else environ
    return [env[name] for name in referenced_variables(template) if env.get(name)]


def _secrets(url: str, plugin: Any, known: Iterable[str], *, whole_url: bool = True) -> list[str]:
    """Every text in the expanded ``url`` that must never be shown, longest first.

    The ``known`` values (of the ``${VAR}`` references), the password, every part of the
    URL that apprise's privacy URL does not show (tokens, keys, passwords anywhere in it),
    and the values of extra headers; with no plugin to ask, every part beyond the scheme.
    Without ``whole_url``, only what the URL's text alone tells (no plugin is asked).
    """
    found: set[str] = set(known)
    userinfo = re.match(r"^[^:/]+://([^/@]*)@", url)
    if userinfo and ":" in userinfo.group(1):
        found.add(userinfo.group(1).split(":", 1)[1])
    if whole_url:
        try:
            shown = str(plugin.url(privacy=True)) if plugin is not None else url.split("://")[0]
        except Exception:  # a plugin that cannot render its URL shows nothing
            shown = ""
        visible = set(_URL_PARTS.split(unquote(shown)))
        visible.update(re.findall(r"[?&]\+?([^=&]+)=", url))  # parameter names are not secret
        for part in _URL_PARTS.split(unquote(url)):
            if part and part not in visible:
                found.add(part)
    # Extra headers (``+Name=value``) often carry credentials, and apprise shows them.
    for value in re.findall(r"[?&]\+[^=&]+=([^&#]*)", url):
        found.add(unquote(value))
        found.update(_URL_PARTS.split(unquote(value)))
    variants: set[str] = set()
    for secret in found:
        if len(secret) >= _MIN_SECRET_LENGTH:
            variants.update({secret, unquote(secret), quote(secret, safe=""), quote_plus(secret)})
    return sorted((v for v in variants if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def _mask(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def _scrub(text: str, secrets: Sequence[str]) -> str:
    return _one_line(_mask(text, secrets))


class _SecretMask(logging.Filter):
    """Masks the secrets of the sends in progress out of apprise's own log records.

    apprise logs privacy URLs, but those still show extra header values (often a bearer
    token); and apprise's logger is shared by every thread, so the mask holds the secrets
    of every send still running.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._active: dict[int, tuple[str, ...]] = {}
        self._next = 0

    def add(self, secrets: Sequence[str]) -> int:
        with self._lock:
            self._next += 1
            self._active[self._next] = tuple(secrets)
            return self._next

    def replace(self, token: int, secrets: Sequence[str]) -> None:
        with self._lock:
            self._active[token] = tuple(secrets)

    def remove(self, token: int) -> None:
        with self._lock:
            self._active.pop(token, None)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = sorted({s for group in self._active.values() for s in group}, key=len)
        if secrets:
            message = record.getMessage()
            masked = _mask(message, reversed(secrets))
            if masked != message:
                record.msg, record.args = masked, None
        return True


def _install_mask() -> _SecretMask:
    apprise_logger = logging.getLogger("apprise")
    for existing in apprise_logger.filters:
        if isinstance(existing, _SecretMask):
            return existing
    mask = _SecretMask()
    apprise_logger.addFilter(mask)
    return mask


_APPRISE_LOG_MASK = _install_mask()


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    if len(line) > MAX_ERROR_LENGTH:
        line = line[: MAX_ERROR_LENGTH - 1].rstrip() + "…"
    return line


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again, and when it is given up.

    The wait after attempt ``n`` is ``initial * 2**(n-1)`` capped at ``maximum``
    (tenacity's ``wait_exponential``), then shortened by a random part of up to ``jitter``
    of itself so that channels failing together do not retry together. ``budget`` counts
    every attempt, the first included.
    """

    initial: timedelta
    maximum: timedelta
    budget: int
    jitter: float = 0.2
    """The largest share of a wait that jitter takes off (0 = none, at most 1)."""
    _wait: tenacity.wait.wait_exponential = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.initial <= timedelta(0):
            raise ValueError("initial must be positive")
        if self.maximum < self.initial:
            raise ValueError("maximum must not be less than initial")
        if self.budget < 1:
            raise ValueError("budget counts the first attempt, so it is at least 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter is a share between 0 and 1")
        wait = tenacity.wait_exponential(
            multiplier=self.initial.total_seconds(), max=self.maximum.total_seconds(), exp_base=2
        )
        object.__setattr__(self, "_wait", wait)

    def delay(self, attempts_made: int, *, random: Callable[[], float] | None = None) -> timedelta:
        """The wait after ``attempts_made`` attempts (at least 1)."""
        if attempts_made < 1:
            raise ValueError("attempts_made is at least 1 for a wait")
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = attempts_made
        base = self._wait(state)
        draw = (random or _random.random)()
        if not 0 <= draw <= 1:
            raise ValueError("random() must return a number between 0 and 1")
        return timedelta(seconds=base * (1 - self.jitter * draw))

    def next_attempt_at(
        self,
        attempts_made: int,
        now: datetime,
        *,
        random: Callable[[], float] | None = None,
    ) -> datetime | None:
        """When to make the next attempt after ``attempts_made`` attempts; ``None`` once
        the budget is spent (the delivery is then failed). No attempt yet: ``now``."""
        if attempts_made < 0:
            raise ValueError("attempts_made cannot be negative")
        if attempts_made >= self.budget:
            return None
        if attempts_made == 0:
            return now
        return now + self.delay(attempts_made, random=random)


DEFAULT_RETRY = RetryPolicy(initial=timedelta(seconds=30), maximum=timedelta(minutes=10), budget=8)
"""Waits of about 30s, 1m, 2m, 4m, 8m, 10m, 10m: eight attempts over about 35 minutes."""
