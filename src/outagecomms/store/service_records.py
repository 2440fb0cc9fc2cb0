"""The service's queries: API tokens, idempotency keys and received alerts.

Each function takes an open :class:`Connection`, so the caller decides the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from outagecomms.store.tables import alerts, api_tokens, idempotency_keys

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TokenRecord:
    name: str
    scope: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: RowMapping) -> TokenRecord:
        return cls(
            name=row["name"],
            scope=row["scope"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
        )


def insert_token(
    conn: Connection, *, name: str, scope: str, token_sha256: str, created_by: str, now: datetime
) -> None:
    conn.execute(
        insert(api_tokens).values(
            name=name,
            scope=scope,
            token_sha256=token_sha256,
            created_by=created_by,
            created_at=now,
            last_used_at=None,
            revoked_at=None,
        )
    )


def live_token_named(conn: Connection, name: str) -> TokenRecord | None:
    query = select(api_tokens).where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
    row = conn.execute(query).mappings().first()
    return None if row is None else TokenRecord.from_row(row)


def token_by_hash(conn: Connection, token_sha256: str) -> TokenRecord | None:
    """The live (not revoked) token with this hash."""
    query = select(api_tokens).where(
        api_tokens.c.token_sha256 == token_sha256, api_tokens.c.revoked_at.is_(None)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else TokenRecord.from_row(row)


def touch_token(conn: Connection, token_sha256: str, now: datetime) -> None:
    conn.execute(
        update(api_tokens).where(api_tokens.c.token_sha256 == token_sha256).values(last_used_at=now)
    )


def list_tokens(conn: Connection, *, include_revoked: bool = False) -> list[TokenRecord]:
    query = select(api_tokens).order_by(api_tokens.c.name, api_tokens.c.id)
    if not include_revoked:
        query = query.where(api_tokens.c.revoked_at.is_(None))
    return [TokenRecord.from_row(row) for row in conn.execute(query).mappings()]


def revoke_token(conn: Connection, name: str, now: datetime) -> int:
    """Revoke every live token called ``name``; how many were revoked."""
    result = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


# --------------------------------------------------------------------------- idempotency


@dataclass(frozen=True)
class StoredAnswer:
    request_sha256: str
    status_code: int | None
    """None while the first request with the key is still running."""
    response: Any


def claim_idempotency_key(
    conn: Connection, *, token_name: str, key: str, request_sha256: str, now: datetime
) -> StoredAnswer | None:
    """Reserve ``key`` for this request (None), or return what is stored under it."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(idempotency_keys).values(
                    token_name=token_name,
                    key=key,
                    request_sha256=request_sha256,
                    status_code=None,
                    response=None,
                    created_at=now,
                )
            )
        return None
    except IntegrityError:
        return stored_answer(conn, token_name=token_name, key=key)


def stored_answer(conn: Connection, *, token_name: str, key: str) -> StoredAnswer | None:
    query = select(idempotency_keys).where(
        idempotency_keys.c.token_name == token_name, idempotency_keys.c.key == key
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return StoredAnswer(row["request_sha256"], row["status_code"], row["response"])


def store_answer(
    conn: Connection, *, token_name: str, key: str, status_code: int, response: Any
) -> None:
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.token_name == token_name, idempotency_keys.c.key == key)
        .values(status_code=status_code, response=response)
    )


def release_idempotency_key(conn: Connection, *, token_name: str, key: str) -> None:
    """Forget a reservation whose request failed, so a retry runs afresh."""
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.token_name == token_name,
            idempotency_keys.c.key == key,
            idempotency_keys.c.status_code.is_(None),
        )
    )


def forget_idempotency_keys(conn: Connection, *, older_than: datetime) -> int:
    result = conn.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
    )
    return int(result.rowcount)


# --------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertRecord:
    id: int
    source: str
    dedupe_key: str
    firing: bool
    outcome: str
    route: str | None
    reason: str | None
    incident_id: int | None
    labels: dict[str, str]
    received_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> AlertRecord:
        return cls(
            id=row["id"],
            source=row["source"],
            dedupe_key=row["dedupe_key"],
            firing=row["firing"],
            outcome=row["outcome"],
            route=row["route"],
            reason=row["reason"],
            incident_id=row["incident_id"],
            labels=dict(row["labels"]),
            received_at=row["received_at"],
        )


def insert_alert(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(alerts).values(**values).returning(alerts.c.id))
    return int(result.scalar_one())


def recent_alert(
    conn: Connection, *, source: str, dedupe_key: str, outcome: str, since: datetime
) -> AlertRecord | None:
    """The latest alert with this key and outcome received at ``since`` or later."""
    query = (
        select(alerts)
        .where(
            alerts.c.source == source,
            alerts.c.dedupe_key == dedupe_key,
            alerts.c.outcome == outcome,
            alerts.c.received_at >= since,
        )
        .order_by(alerts.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else AlertRecord.from_row(row)


def list_alerts(conn: Connection, *, limit: int = 100) -> list[AlertRecord]:
    query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
    return [AlertRecord.from_row(row) for row in conn.execute(query).mappings()]


REPEAT_WINDOW = timedelta(hours=1)
"""An unmatched alert is shown to the internal channels once per key in this window."""
