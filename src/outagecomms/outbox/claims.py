"""Claiming what is due: which due deliveries a worker takes under its lease, and which
it cancels instead because something newer superseded them before they were sent.

The rules (product-spec §6), decided here over what the repository reads:

- a delivery of a message older than the incident's latest resolution is cancelled
  ("the incident was resolved before it was sent");
- a delivery of a message older than a newer message on the same channel is cancelled
  ("superseded by a newer message before it was sent"); a resolution is superseded by a
  newer message (a flap's update, a newer resolution), never by the postmortem, which
  waits for it instead;
- per incident, channel and recipient, messages go one at a time in order: nothing is
  claimed while an earlier one is in ``sending`` (or, for a postmortem, while the
  resolution is not delivered), and at most one per incident, channel and recipient in
  one claim (a subscribers' channel has a delivery per subscriber);
- a ``sending`` delivery whose lease ran out (its sender died) is taken over, marked
  possibly duplicated, since the send may have happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Connection

from outagecomms.store import repository as repo
from outagecomms.store.records import DeliveryRecord
from outagecomms.store.tables import PENDING_STATES, DeliveryState

CANDIDATES_PER_CLAIM = 4
"""Due deliveries read per one claimed (some wait for an earlier one, some are cancelled)."""
MIN_CANDIDATES = 32

_Key = tuple[int, str, str]
"""Incident, channel, recipient."""


@dataclass
class Claim:
    """What one claim decided: deliveries now ``sending`` under the claimant's lease, and
    deliveries cancelled because something newer superseded them."""

    claimed: list[DeliveryRecord] = field(default_factory=list)
    cancelled: list[tuple[DeliveryRecord, str]] = field(default_factory=list)
    incident_of: dict[int, int] = field(default_factory=dict)
    """Delivery id -> incident number."""
    taken_over: dict[int, str | None] = field(default_factory=dict)
    """Claimed deliveries whose earlier sender's lease ran out: id -> that sender."""


@dataclass
class _Histories:
    """Per incident and channel: the newest message, the newest before a postmortem,
    what is in flight and which resolutions are not delivered yet."""

    latest: dict[_Key, int] = field(default_factory=dict)
    latest_before_postmortem: dict[_Key, int] = field(default_factory=dict)
    in_flight: dict[_Key, list[tuple[int, int]]] = field(default_factory=dict)
    undelivered_resolution: dict[_Key, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[repo.ChannelHistory]) -> _Histories:
        pending = {s.value for s in PENDING_STATES}
        found = cls()
        for row in rows:
            key = (row.incident, row.channel, row.recipient)
            found.latest[key] = max(found.latest.get(key, 0), row.message_id)
            if row.phase != repo.POSTMORTEM_PHASE:
                before = found.latest_before_postmortem.get(key, 0)
                found.latest_before_postmortem[key] = max(before, row.message_id)
            if row.state == DeliveryState.SENDING.value:
                found.in_flight.setdefault(key, []).append((row.message_id, row.delivery_id))
            undelivered = row.state in pending or row.state == DeliveryState.SENDING.value
            if row.phase == repo.RESOLVED_PHASE and undelivered:
                pair = (row.message_id, row.delivery_id)
                found.undelivered_resolution.setdefault(key, []).append(pair)
        return found


def _superseded(due: repo.DueDelivery, resolution: int, histories: _Histories) -> str | None:
    """Why ``due`` is cancelled instead of sent, if it is."""
    record = due.record
    key = (due.incident, record.channel, record.recipient)
    newest = (
        histories.latest_before_postmortem if due.phase == repo.RESOLVED_PHASE else histories.latest
    )
    if resolution > record.message_id:
        return "the incident was resolved before it was sent"
    if newest.get(key, 0) > record.message_id:
        return "superseded by a newer message before it was sent"
    return None


def _waits(due: repo.DueDelivery, histories: _Histories, dropped: set[int]) -> bool:
    """Whether an earlier message of its incident on its channel must go first."""
    record = due.record
    key = (due.incident, record.channel, record.recipient)
    waits_for = histories.in_flight.get(key, [])
    if due.phase == repo.POSTMORTEM_PHASE:
        waits_for = waits_for + histories.undelivered_resolution.get(key, [])
    return any(
        message_id < record.message_id and delivery_id not in dropped
        for message_id, delivery_id in waits_for
    )


def claim_due(
    conn: Connection, *, owner: str, now: datetime, lease_until: datetime, limit: int
) -> Claim:
    """Claim up to ``limit`` deliveries that are due, under a lease for ``owner``, and
    cancel the superseded ones met on the way (see the module's rules)."""
    candidates = repo.due_deliveries(
        conn, owner=owner, now=now, limit=max(limit * CANDIDATES_PER_CLAIM, MIN_CANDIDATES)
    )
    claim = Claim()
    if not candidates:
        return claim
    numbers = {due.incident for due in candidates}
    resolutions = repo.latest_resolutions(conn, numbers)
    histories = _Histories.of(
        repo.channel_histories(
            conn,
            numbers,
            channels={due.record.channel for due in candidates},
            recipients={due.record.recipient for due in candidates},
        )
    )
    for due in candidates:
        claim.incident_of[due.record.id] = due.incident
        reason = _superseded(due, resolutions.get(due.incident, 0), histories)
        if reason is not None:
            claim.cancelled.append((due.record, reason))
    dropped = {record.id for record, _ in claim.cancelled}
    takeovers: list[int] = []
    fresh: list[int] = []
    busy: set[_Key] = set()
    for due in candidates:
        record = due.record
        key = (due.incident, record.channel, record.recipient)
        if record.id in dropped or key in busy or _waits(due, histories, dropped):
            continue
        if len(takeovers) + len(fresh) >= limit:
            break
        busy.add(key)
        if record.state == DeliveryState.SENDING.value:
            takeovers.append(record.id)
            claim.taken_over[record.id] = record.lease_owner
        else:
            fresh.append(record.id)
    for record, reason in claim.cancelled:
        repo.cancel_unsent(conn, record, reason=reason, now=now)
    claimed = repo.take_leases(
        conn, takeovers, owner=owner, now=now, lease_until=lease_until, taken_over=True
    )
    claimed += repo.take_leases(conn, fresh, owner=owner, now=now, lease_until=lease_until)
    claim.claimed = sorted(claimed, key=lambda record: record.id)
    return claim
