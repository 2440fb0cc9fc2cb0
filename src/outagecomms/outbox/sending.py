"""Senders by channel kind: apprise for every kind not registered otherwise, the status
page (``site``) rebuilt from the store. A new channel kind that is not apprise registers
its sender in :data:`SENDERS`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import structlog

from outagecomms.delivery import Outcome, Outgoing, send_all
from outagecomms.models import ChannelKind
from outagecomms.progress import FanoutProgress
from outagecomms.project import Project
from outagecomms.store import Store

log = structlog.get_logger(__name__)


class Sender(Protocol):
    """What sends a batch through apprise: :func:`outagecomms.delivery.send_all` or a
    test's stand-in."""

    def __call__(
        self,
        items: Sequence[Outgoing],
        *,
        concurrency: int = ...,
        timeout: float = ...,
        environ: Mapping[str, str] | None = ...,
        cancel: threading.Event | None = ...,
        on_done: Callable[[Outcome], None] | None = ...,
    ) -> list[Outcome]: ...


@dataclass(frozen=True)
class Batch:
    """What a sender may need besides the items: the project and store (the site is
    rebuilt from them), the time, the environment and the apprise sender's options."""

    project: Project
    store: Store
    clock: Callable[[], datetime]
    apprise: Sender
    environ: Mapping[str, str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    progress: FanoutProgress | None = None


class KindSender(Protocol):
    """Sends the items of one channel kind; one outcome per item, never an exception."""

    def __call__(self, items: list[Outgoing], batch: Batch) -> list[Outcome]: ...


def send_apprise(items: list[Outgoing], batch: Batch) -> list[Outcome]:
    """Send through the batch's apprise sender, telling the progress display."""
    if not items:
        return []
    options: dict[str, Any] = {"environ": batch.environ, **batch.options}
    if batch.progress is not None:
        options["on_done"] = batch.progress.done
        batch.progress.start(items)
    try:
        return batch.apprise(items, **options)
    except Exception as exc:  # send_all never raises per channel; this is a bug
        log.error("delivery.batch_failed", error=f"{type(exc).__name__}: {exc}")
        error = f"internal error while sending: {type(exc).__name__}"
        return [Outcome(key=i.key, ok=False, error=error, elapsed=0.0) for i in items]
    finally:
        if batch.progress is not None:
            batch.progress.finish()


def send_site(items: list[Outgoing], batch: Batch) -> list[Outcome]:
    """Not apprise: the site is rebuilt from the store, the message is already in it."""
    from outagecomms.site.publish import publish_sites

    return publish_sites(
        items, batch.project, batch.store, now=batch.clock(), environ=batch.environ
    )


def send_email(items: list[Outgoing], batch: Batch) -> list[Outcome]:
    """SMTP of our own for mailto(s):// URLs (:mod:`outagecomms.outbox.email_sender`)."""
    from outagecomms.outbox.email_sender import send_email as send

    return send(items, batch)


def takes_smtp(item: Outgoing, batch: Batch) -> bool:
    """The email sender takes ``mailto(s)://`` URLs; a test's stand-in for apprise (any
    sender but :func:`send_all`) stands in for SMTP too."""
    scheme = item.channel.url.split("://", 1)[0].lower()
    return batch.apprise is send_all and scheme in ("mailto", "mailtos")


SENDERS: Mapping[ChannelKind, KindSender] = {
    ChannelKind.SITE: send_site,
    ChannelKind.EMAIL: send_email,
}
"""The channel kinds not sent through apprise, and who sends them."""

TAKES: Mapping[ChannelKind, Callable[[Outgoing, Batch], bool]] = {ChannelKind.EMAIL: takes_smtp}
"""Which items of a registered kind its sender takes (the rest go to apprise); a kind not
listed takes them all."""


def _takes_all(_item: Outgoing, _batch: Batch) -> bool:
    return True


def send_by_kind(
    items: Sequence[Outgoing],
    batch: Batch,
    senders: Mapping[ChannelKind, KindSender] = SENDERS,
    fallback: KindSender = send_apprise,
) -> list[Outcome]:
    """Send every item through the sender of its channel kind (``fallback`` for kinds not
    in ``senders``); the apprise batch first, then each registered kind."""

    def registered(item: Outgoing) -> bool:
        kind = item.channel.kind
        return kind in senders and TAKES.get(kind, _takes_all)(item, batch)

    rest = [i for i in items if not registered(i)]
    outcomes = fallback(rest, batch) if rest else []
    for kind, sender in senders.items():
        mine = [i for i in items if i.channel.kind is kind and registered(i)]
        if mine:
            outcomes += sender(mine, batch)
    return outcomes
