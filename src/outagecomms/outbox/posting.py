"""Posting: one message and its queued deliveries written inside the caller's
transaction, claimed by the poster for the first attempt, and the superseding policy (a
newer message drops a stale update on its channels, never a resolution)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.engine import Connection

from outagecomms.fanout import ChannelText
from outagecomms.models import Audience, Channel, Phase
from outagecomms.outbox.recipients import recipients
from outagecomms.store import repository as repo
from outagecomms.store.deliveries_repo import delivery_values, insert_deliveries
from outagecomms.store.records import IncidentRecord
from outagecomms.store.tables import DeliveryState
from outagecomms.store.wakeups import work_waiting

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Posted:
    """A message committed to the outbox, with the channels its deliveries go to."""

    message_id: int
    channels: dict[str, Channel]
    broken: dict[str, str] = field(default_factory=dict)
    """Channels it could not go to (their file is broken): name -> problem."""


def post_texts(
    conn: Connection,
    incident: IncidentRecord,
    phase: Phase,
    texts: Mapping[str, ChannelText],
    given: Mapping[str, str],
    actor: str,
    now: datetime,
    origin: str,
    *,
    owner: str,
    lease_until: datetime,
    broken: Mapping[str, str] | None = None,
) -> Posted:
    """Write one message with exactly ``texts`` (channel name -> what it gets) and its
    queued deliveries, leased to ``owner`` until ``lease_until`` for the first attempt,
    inside the caller's transaction. ``origin``: "human", or "cadence" for the worker's
    automatic updates. Each recipient of a channel gets a delivery of its own (see
    :mod:`outagecomms.outbox.recipients`), written in bulk; those to subscribers are left
    to the worker."""
    targets = {name: text.channel for name, text in texts.items()}
    seq = repo.next_message_seq(conn, incident.number)
    message_id = repo.insert_message(
        conn,
        incident_id=incident.number,
        seq=seq,
        phase=phase,
        origin=origin,
        author=actor,
        variables=dict(given),
        next_update_at=incident.next_update_at,
        created_at=now,
    )
    rows: list[dict[str, Any]] = []
    subscribers: dict[str, int] = {}
    for name, channel in targets.items():
        text = texts[name]
        # subscribers' deliveries (there may be 100,000) are the worker's, in batches
        to_subscribers = channel.audience is Audience.SUBSCRIBERS
        found = recipients(conn, channel, incident)
        if to_subscribers:
            subscribers[name] = len(found)
        for recipient in found:
            rows.append(
                delivery_values(
                    message_id=message_id,
                    channel=name,
                    kind=channel.kind.value,
                    audience=channel.audience.value,
                    title=text.title,
                    body=text.body,
                    length=text.length,
                    limit=text.limit,
                    unit=text.unit,
                    state=DeliveryState.QUEUED,
                    due_at=now,
                    lease_owner=None if to_subscribers else owner,
                    lease_expires_at=None if to_subscribers else lease_until,
                    idempotency_key=uuid.uuid4().hex,
                    created_at=now,
                    cut_from=text.cut_from,
                    recipient=recipient,
                )
            )
    insert_deliveries(conn, rows)
    cancelled = supersede(conn, incident.number, message_id, seq, phase, list(targets), now)
    repo.add_event(
        conn,
        incident=incident.number,
        at=now,
        kind="message.posted",
        actor=actor,
        detail={
            "seq": seq,
            "phase": phase.value,
            "channels": sorted(targets),
            "cancelled": cancelled,
            **({"subscribers": subscribers} if subscribers else {}),
            **({"broken_channels": broken} if broken else {}),
        },
    )
    work_waiting(conn)  # new deliveries (and a new next_update_at) for the workers
    if broken:
        log.warning("message.channels_broken", incident=incident.id, channels=broken)
    return Posted(message_id, targets, dict(broken or {}))


def supersede(
    conn: Connection,
    number: int,
    message_id: int,
    seq: int,
    phase: Phase,
    channels: list[str],
    now: datetime,
) -> list[str]:
    """Cancel what message ``seq`` makes stale; the cancelled as ``channel#message``.

    A newer message may drop a stale update, never a resolution: a postmortem queues
    behind an undelivered resolution on its channel (repo.start_sending, claim_due). A
    resolution or postmortem supersedes pending updates on every channel."""
    cancelled = repo.cancel_pending(
        conn,
        number,
        before_message=message_id,
        channels=None if phase in (Phase.RESOLVED, Phase.POSTMORTEM) else channels,
        now=now,
        reason=f"superseded by message {seq} ({phase.value}) before it was sent",
        keep_resolutions=phase is Phase.POSTMORTEM,
    )
    return [f"{d.channel}#{d.message_id}" for d in cancelled]
