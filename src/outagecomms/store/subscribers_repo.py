"""Queries over subscribers: insert, find by address or token, confirm, unsubscribe and
subscribe again, delete, list, and the confirmed ones a channel reaches. Data access only:
validation and consent live in :mod:`outagecomms.audiences`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from outagecomms.store.tables import subscribers

EVERYTHING = (None, "[]", "null")
"""How a subscriber who follows every component has ``components`` stored."""


@dataclass(frozen=True)
class SubscriberRecord:
    id: int
    address: str
    address_kind: str
    language: str
    components: list[str]
    source: str
    consent_reason: str | None
    requested_ip: str | None
    created_at: datetime
    confirmed_at: datetime | None
    confirmed_ip: str | None
    confirm_token_sha256: str | None
    unsubscribe_token: str
    unsubscribed_at: datetime | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> SubscriberRecord:
        values: dict[str, Any] = {f.name: row[f.name] for f in fields(cls)}
        values["components"] = list(values["components"] or [])
        return cls(**values)

    @property
    def active(self) -> bool:
        """Confirmed and not unsubscribed: messages go to this address."""
        return self.confirmed_at is not None and self.unsubscribed_at is None


def insert_subscriber(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(subscribers).values(**values).returning(subscribers.c.id))
    return int(result.scalar_one())


def _one(conn: Connection, where: Any) -> SubscriberRecord | None:
    row = conn.execute(select(subscribers).where(where)).mappings().first()
    return None if row is None else SubscriberRecord.from_row(row)


def subscriber_by_address(conn: Connection, address: str) -> SubscriberRecord | None:
    return _one(conn, subscribers.c.address == address)


def subscriber_by_confirm_hash(conn: Connection, sha256: str) -> SubscriberRecord | None:
    return _one(conn, subscribers.c.confirm_token_sha256 == sha256)


def subscriber_by_unsubscribe_token(conn: Connection, token: str) -> SubscriberRecord | None:
    return _one(conn, subscribers.c.unsubscribe_token == token)


def update_subscriber(conn: Connection, subscriber_id: int, **values: Any) -> None:
    conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(**values))


def delete_subscriber(conn: Connection, subscriber_id: int) -> None:
    conn.execute(delete(subscribers).where(subscribers.c.id == subscriber_id))


def all_subscribers(conn: Connection) -> list[SubscriberRecord]:
    rows = conn.execute(select(subscribers).order_by(subscribers.c.id)).mappings()
    return [SubscriberRecord.from_row(row) for row in rows]


def unsubscribe_tokens(conn: Connection, addresses: list[str]) -> dict[str, str]:
    """address -> unsubscribe token, for the subscribers among ``addresses`` (unsubscribed ones
    too: unsubscribing cancelled their pending deliveries, so none of those is sent)."""
    if not addresses:
        return {}
    query = select(subscribers.c.address, subscribers.c.unsubscribe_token).where(
        subscribers.c.address.in_(addresses)
    )
    return {address: token for address, token in conn.execute(query)}


def active_subscribers(
    conn: Connection, *, address_kind: str, language: str
) -> Iterator[tuple[str, list[str]]]:
    """(address, components) of every confirmed, still subscribed subscriber of one kind
    of address and one language, in the order they subscribed. The components are read
    as text and decoded only when they are not ``[]`` (most follow everything: 100,000
    JSON decodes were half the read)."""
    text = cast(subscribers.c.components, String)
    query = (
        select(subscribers.c.address, text)
        .where(
            subscribers.c.address_kind == address_kind,
            subscribers.c.language == language,
            subscribers.c.confirmed_at.is_not(None),
            subscribers.c.unsubscribed_at.is_(None),
        )
        .order_by(subscribers.c.id)
    )
    for address, components in conn.execute(query):
        yield address, [] if components in EVERYTHING else list(json.loads(components) or [])
