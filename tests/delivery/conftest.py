"""Real local sinks for the delivery tests, and a way to build what is sent to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from outagecomms.delivery import Outgoing
from outagecomms.models import Channel, ChannelKind
from outagecomms.sinks import HttpSink, SmtpSink, closed_port

MakeOutgoing = Callable[..., Outgoing]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def http() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


@pytest.fixture
def dead_port() -> Iterator[int]:
    with closed_port() as port:
        yield port


@pytest.fixture
def outgoing() -> MakeOutgoing:
    """``outgoing(name, url, kind=..., title=..., body=...)``: one delivery to send."""

    def make(
        name: str,
        url: str,
        *,
        kind: ChannelKind = ChannelKind.WEBHOOK,
        title: str | None = "Payments failing",
        body: str = "Card payments fail at checkout. Next update by 14:30.",
        key: str | None = None,
    ) -> Outgoing:
        return Outgoing(
            key=key or name,
            channel=Channel(name=name, kind=kind, url=url),
            title=title,
            body=body,
            idempotency_key=f"idem-{key or name}",
        )

    return make
