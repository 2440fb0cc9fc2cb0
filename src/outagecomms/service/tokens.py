"""API tokens: made at random, shown once, stored as a SHA-256 only (README "The service")."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from outagecomms.errors import NotFoundError, RefusedError, UsageError
from outagecomms.store import Store
from outagecomms.store import service_records as records
from outagecomms.store.service_records import TokenRecord

TOKEN_PREFIX = "oc_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class Scope(StrEnum):
    """What a token may do; each scope includes the ones before it."""

    READ = "read"
    DECLARE = "declare"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        order = list(Scope)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class NewToken:
    name: str
    scope: Scope
    token: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "scope": self.scope.value, "token": self.token}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create_token(
    store: Store, name: str, scope: Scope, *, by: str, clock: Callable[[], datetime] = _now
) -> NewToken:
    """A new random token called ``name``; the only time the token itself is known."""
    if not NAME_PATTERN.match(name):
        raise UsageError(
            f"token name {name!r}: use letters, digits, '.', '_' or '-' (at most 128), "
            "e.g. alertmanager-prod"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as conn:
        if records.live_token_named(conn, name) is not None:
            raise RefusedError(
                f"a token named {name!r} exists; `outagecomms token revoke {name}` first, "
                "or pick another name"
            )
        records.insert_token(
            conn,
            name=name,
            scope=scope.value,
            token_sha256=token_hash(token),
            created_by=by,
            now=clock(),
        )
    return NewToken(name, scope, token)


def list_tokens(store: Store, *, include_revoked: bool = False) -> list[TokenRecord]:
    with store.read() as conn:
        return records.list_tokens(conn, include_revoked=include_revoked)


def revoke_token(store: Store, name: str, *, clock: Callable[[], datetime] = _now) -> None:
    with store.write() as conn:
        if records.revoke_token(conn, name, clock()) == 0:
            raise NotFoundError(
                f"no live token named {name!r}; `outagecomms token list` lists them"
            )


def token_json(token: TokenRecord) -> dict[str, str | None]:
    """A token as ``token list --json`` shows it (never the token, never its hash)."""
    return {
        "name": token.name,
        "scope": token.scope,
        "created_by": token.created_by,
        "created_at": token.created_at.isoformat(),
        "last_used_at": None if token.last_used_at is None else token.last_used_at.isoformat(),
        "revoked_at": None if token.revoked_at is None else token.revoked_at.isoformat(),
    }


def verify_token(
    store: Store, token: str, *, clock: Callable[[], datetime] = _now
) -> TokenRecord | None:
    """The live token this secret belongs to (and note its use), or None."""
    digest = token_hash(token)
    with store.read() as conn:
        found = records.token_by_hash(conn, digest)
    if found is None:
        return None
    now = clock()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        with store.write() as conn:  # at most once a minute: a busy hook is not a write each
            records.touch_token(conn, digest, now)
    return found
