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

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Connection

from outagecomms.store import claim_queries as sql
from outagecomms.store.claim_queries import Verdict
from outagecomms.store.records import DeliveryRecord

CANDIDATES_PER_CLAIM = 4
"""Due deliveries read per one claimed (some wait for an earlier one, some are cancelled)."""
MIN_CANDIDATES = 32

REASONS = {
    sql.RESOLVED_SINCE: "the incident was resolved before it was sent",
    sql.SUPERSEDED: "superseded by a newer message before it was sent",
}
"""Why a superseded delivery is cancelled, by verdict."""


@dataclass
class Claim:
    """What one claim decided: deliveries now ``sending`` under the claimant's lease, and
    deliveries cancelled because something newer superseded them."""

    claimed: list[DeliveryRecord] = field(default_factory=list)
    cancelled: list[tuple[Verdict, str]] = field(default_factory=list)
    """The cancelled deliveries (as the claim read them) and why."""
    incident_of: dict[int, int] = field(default_factory=dict)
    """Delivery id -> incident number."""
    taken_over: dict[int, str | None] = field(default_factory=dict)
    """Claimed deliveries whose earlier sender's lease ran out: id -> that sender."""


def claim_due(
    conn: Connection, *, owner: str, now: datetime, lease_until: datetime, limit: int
) -> Claim:
    """Claim up to ``limit`` deliveries that are due, under a lease for ``owner``, and
    cancel the superseded ones met on the way (see the module's rules): the rules are
    decided in SQL over the first due deliveries (:func:`~outagecomms.store.claim_queries.
    claim_verdicts`), then one statement leases the claimable ones; on PostgreSQL one
    statement does both (:func:`~outagecomms.store.claim_queries.claim_and_lease`)."""
    scan = max(limit * CANDIDATES_PER_CLAIM, MIN_CANDIDATES)
    claim = Claim()
    chosen: list[int] = []
    cancelled: dict[tuple[str, int], list[int]] = {}
    if sql.leases_with_verdicts(conn):  # decided and leased in one statement
        verdicts, claim.claimed = sql.claim_and_lease(
            conn, owner=owner, now=now, scan=scan, limit=limit, until=lease_until
        )
    else:
        verdicts = sql.claim_verdicts(conn, owner=owner, now=now, scan=scan)
    for due in verdicts:
        if due.verdict == sql.CLAIMABLE:
            if len(chosen) >= limit:
                continue
            chosen.append(due.id)
            if due.state == sql.SENDING:
                claim.taken_over[due.id] = due.lease_owner
        else:
            claim.cancelled.append((due, REASONS[due.verdict]))
            cancelled.setdefault((due.state, due.verdict), []).append(due.id)
        claim.incident_of[due.id] = due.incident
    for (state, verdict), ids in cancelled.items():
        sql.cancel_superseded(conn, ids, state=state, reason=REASONS[verdict], now=now)
    if not sql.leases_with_verdicts(conn):
        claim.claimed = sql.take_leases(conn, chosen, owner=owner, now=now, until=lease_until)
    return claim
