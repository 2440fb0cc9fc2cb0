"""Attempts: the lease a sender holds on its deliveries, recording one attempt's outcome
with the retry policy (sent, retry at its due time, or failed after its budget), and
handing unsent claims back to the worker. Within :func:`batched_attempts` the attempts
of a batch are written together (a few statements, not two per attempt)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from outagecomms.delivery import DEFAULT_TIMEOUT, Outcome, RetryPolicy
from outagecomms.logs import get_logger
from outagecomms.store import repository as repo
from outagecomms.store.delivery_rows import finish_attempts
from outagecomms.store.events_repo import add_events
from outagecomms.store.records import DeliveryRecord, DeliveryState, iso_utc, public_id
from outagecomms.store.wakeups import work_waiting
from outagecomms.store.worker_records import AttemptRecord, record_outcomes, takes_batches

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)

LEASE_GRACE = timedelta(seconds=60)
"""How long past the send timeout an inline sender's claim on its deliveries lasts; after
that the worker may take them over."""


def lease_length(timeout: float | None) -> timedelta:
    """How long a claim on a delivery lasts: the send timeout plus a grace period."""
    return timedelta(seconds=timeout or DEFAULT_TIMEOUT) + LEASE_GRACE


@dataclass(frozen=True)
class _Pending:
    """One attempt waiting in an :class:`AttemptBatch` to be written."""

    number: int
    delivery: DeliveryRecord
    owner: str
    now: datetime
    state: DeliveryState
    due_at: datetime | None
    error: str | None
    maybe_sent: bool


@dataclass
class AttemptBatch:
    """The attempts recorded on one connection while :func:`batched_attempts` is open,
    written together when it closes: one ``UPDATE ... WHERE id IN`` per distinct outcome
    (every ``sent`` of a batch shares one), the events in one ``executemany``."""

    pending: list[_Pending] = field(default_factory=list)
    states: dict[int, str] = field(default_factory=dict)
    """After the flush: delivery id -> the state recorded (a lost lease: not in it)."""

    def flush(self, conn: Connection) -> None:
        """Write every collected attempt (whose lease is still held) with its event, and
        wake the workers: a retry is due later, a channel waiting on these may go now."""
        batched = takes_batches(conn)
        if batched:  # one statement for the whole batch, its events included
            recorded = record_outcomes(conn, [_outcome(item) for item in self.pending])
        else:
            recorded = self._write_by_outcome(conn)
            work_waiting(conn)
        rows: list[dict[str, Any]] = []
        for item in self.pending:
            if item.delivery.id not in recorded:
                log.warning(
                    "delivery.lease_lost", channel=item.delivery.channel, delivery=item.delivery.id
                )
                continue
            self.states[item.delivery.id] = item.state.value
            if not batched:
                rows.append(_event_row(item))
            _log_outcome(item)
        add_events(conn, rows)
        self.pending.clear()

    def _write_by_outcome(self, conn: Connection) -> set[int]:
        """One ``UPDATE ... WHERE id IN`` per distinct outcome: the ids recorded."""
        groups: dict[tuple[Any, ...], list[_Pending]] = {}
        for item in self.pending:
            key = (item.owner, item.now, item.state, item.due_at, item.error, item.maybe_sent)
            groups.setdefault(key, []).append(item)
        recorded: set[int] = set()
        for (owner, now, state, due_at, error, maybe_sent), items in groups.items():
            recorded |= finish_attempts(
                conn, [i.delivery.id for i in items], owner=owner, now=now, state=state,
                due_at=due_at, error=error, maybe_sent=maybe_sent,
            )  # fmt: skip
        return recorded


_BATCH = "outagecomms.attempt_batch"
"""Where an open :class:`AttemptBatch` is kept in ``Connection.info``."""


@contextmanager
def batched_attempts(conn: Connection) -> Iterator[AttemptBatch]:
    """Within the block, :func:`record_attempt` on ``conn`` only collects; at its end (no
    exception) every collected attempt is written in a few statements, in the caller's
    transaction. On an exception nothing collected is written."""
    batch = AttemptBatch()
    conn.info[_BATCH] = batch
    try:
        yield batch
        batch.flush(conn)
    finally:
        conn.info.pop(_BATCH, None)


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
    after its budget) and its event, inside the caller's transaction (at the end of the
    :func:`batched_attempts` block when one is open on ``conn``)."""
    attempts = delivery.attempts
    if outcome is not None and outcome.ok:
        state, due_at, error = DeliveryState.SENT, None, None
    else:
        # delivery's errors are one line and never hold a secret
        error = "no outcome reported" if outcome is None else outcome.error or "failed"
        due_at = retry.next_attempt_at(attempts, now)
        state = DeliveryState.FAILED if due_at is None else DeliveryState.RETRY
    maybe_sent = outcome is not None and outcome.maybe_sent
    item = _Pending(number, delivery, owner, now, state, due_at, error, maybe_sent)
    batch: AttemptBatch | None = conn.info.get(_BATCH)
    if batch is not None:
        batch.pending.append(item)
        return
    alone = AttemptBatch([item])
    alone.flush(conn)


def _event_detail(item: _Pending) -> dict[str, Any]:
    detail: dict[str, Any] = {"channel": item.delivery.channel, "attempt": item.delivery.attempts}
    if item.error is not None:
        detail["error"] = item.error
    if item.due_at is not None:
        detail["due_at"] = iso_utc(item.due_at)
    return detail


def _event_row(item: _Pending) -> dict[str, Any]:
    return {
        "incident_id": item.number,
        "at": item.now,
        "kind": f"delivery.{item.state.value}",
        "actor": None,
        "detail": _event_detail(item),
    }


def _outcome(item: _Pending) -> AttemptRecord:
    """The attempt and its event as :func:`record_outcomes` writes them."""
    return AttemptRecord(
        item.delivery.id, item.owner, item.now, item.state.value, item.due_at, item.error,
        item.maybe_sent, item.number, f"delivery.{item.state.value}", _event_detail(item),
    )  # fmt: skip


def _log_outcome(item: _Pending) -> None:
    if item.state is DeliveryState.FAILED:
        log.warning(
            "delivery.gave_up", incident=public_id(item.number), channel=item.delivery.channel
        )
    elif item.state is DeliveryState.RETRY:
        log.info(
            "delivery.retry_scheduled",
            incident=public_id(item.number),
            channel=item.delivery.channel,
            retry_at=iso_utc(item.due_at),
        )


def release_unsent(conn: Connection, ids: Sequence[int], *, owner: str, now: datetime) -> None:
    """Hand claimed deliveries that were never sent back to the worker (no attempt
    counted): after Ctrl-C, or when the caller leaves every first attempt to it."""
    if ids:
        repo.release_claims(conn, list(ids), owner=owner, now=now)
        work_waiting(conn)
