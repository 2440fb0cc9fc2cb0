"""``Idempotency-Key`` on POSTs: a retried request gets the first answer, byte for byte in
meaning, and nothing is done twice. The key is per token; reusing it for a different
request is refused (422), and a retry while the first is still running gets 409."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from outagecomms.service.problems import ServiceError
from outagecomms.store import Store
from outagecomms.store import service_records as records

KEEP_FOR = timedelta(hours=24)
"""How long a key's first answer is kept (older keys are forgotten as new ones arrive)."""
MAX_KEY_LENGTH = 255

Answer = tuple[int, Any]
"""An HTTP status and its JSON document."""


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ServiceError(
            422, f"Idempotency-Key: 1 to {MAX_KEY_LENGTH} printable characters, e.g. a UUID"
        )
    return key


def once(
    store: Store,
    *,
    token_name: str,
    key: str | None,
    request_sha256: str,
    run: Callable[[], Answer],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[Answer, bool]:
    """Run ``run`` once per ``key``: ``(answer, replayed)``. Without a key, just run it.
    A request that fails (an error) frees its key, so a retry runs afresh."""
    if key is None:
        return run(), False
    key = check_key(key)
    moment = now()
    with store.write() as conn:
        records.forget_idempotency_keys(conn, older_than=moment - KEEP_FOR)
        stored = records.claim_idempotency_key(
            conn, token_name=token_name, key=key, request_sha256=request_sha256, now=moment
        )
    if stored is not None:
        if stored.request_sha256 != request_sha256:
            raise ServiceError(
                422,
                f"Idempotency-Key {key!r} was used for a different request; use a new key "
                "for a new request",
            )
        if stored.status_code is None:
            raise ServiceError(
                409,
                f"a request with Idempotency-Key {key!r} is still running; retry shortly",
                headers={"Retry-After": "1"},
            )
        return (stored.status_code, stored.response), True
    try:
        status, document = run()
    except BaseException:
        with store.write() as conn:
            records.release_idempotency_key(conn, token_name=token_name, key=key)
        raise
    with store.write() as conn:
        records.store_answer(
            conn, token_name=token_name, key=key, status_code=status, response=document
        )
    return (status, document), False
