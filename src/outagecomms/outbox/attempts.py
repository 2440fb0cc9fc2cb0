"""Attempts: the lease a sender holds on its deliveries, recording one attempt's outcome
with the retry policy (sent, retry at its due time, or failed after its budget), and
handing unsent claims back to the worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from outagecomms.delivery import DEFAULT_TIMEOUT, Outcome, RetryPolicy
from outagecomms.logs import get_logger
from outagecomms.store import repository as repo
from outagecomms.store.records import DeliveryRecord, iso_utc, public_id
from outagecomms.store.tables import DeliveryState
from outagecomms.store.wakeups import work_waiting

log = get_logger(__name__)

LEASE_GRACE = timedelta(seconds=60)
"""How long past the send timeout an inline sender's claim on its deliveries lasts; after
that the worker may take them over."""


def lease_length(timeout: float | None) -> timedelta:
    """How long a claim on a delivery lasts: the send timeout plus a grace period."""
    return timedelta(seconds=timeout or DEFAULT_TIMEOUT) + LEASE_GRACE


def record_attempt(
    conn: Connection,
    number: int,
    delivery: DeliveryRecord,
    outcome: Outcome | None,
    now: datetime,
    *,
    owner: str,
    retry: RetryPolicy,
) -> None:
    """Record one send attempt of ``delivery`` (sent, retry at its due time, or failed
    after its budget) and its event, inside the caller's transaction."""
    attempts = delivery.attempts
    if outcome is not None and outcome.ok:
        state, due_at, error = DeliveryState.SENT, None, None
    else:
        # delivery's errors are one line and never hold a secret
        error = "no outcome reported" if outcome is None else outcome.error or "failed"
        due_at = retry.next_attempt_at(attempts, now)
        state = DeliveryState.FAILED if due_at is None else DeliveryState.RETRY
    recorded = repo.finish_attempt(
        conn,
        delivery.id,
        owner=owner,
        now=now,
        state=state,
        due_at=due_at,
        error=error,
        maybe_sent=outcome is not None and outcome.maybe_sent,
    )
    work_waiting(conn)  # a retry is due later; a channel waiting on this one may go now
    if not recorded:
        log.warning("delivery.lease_lost", channel=delivery.channel, delivery=delivery.id)
        return
    detail: dict[str, Any] = {"channel": delivery.channel, "attempt": attempts}
    if error is not None:
        detail["error"] = error
    if due_at is not None:
        detail["due_at"] = iso_utc(due_at)
    repo.add_event(
        conn, incident=number, at=now, kind=f"delivery.{state.value}", actor=None, detail=detail
    )
    if state is DeliveryState.FAILED:
        log.warning("delivery.gave_up", incident=public_id(number), channel=delivery.channel)
    elif state is DeliveryState.RETRY:
        log.info(
            "delivery.retry_scheduled",
            incident=public_id(number),
            channel=delivery.channel,
            retry_at=iso_utc(due_at),
        )


def release_unsent(conn: Connection, ids: Sequence[int], *, owner: str, now: datetime) -> None:
    """Hand claimed deliveries that were never sent back to the worker (no attempt
    counted): after Ctrl-C, or when the caller leaves every first attempt to it."""
    if ids:
        repo.release_claims(conn, list(ids), owner=owner, now=now)
        work_waiting(conn)
