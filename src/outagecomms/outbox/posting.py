"""Posting: messages and their queued deliveries written inside the caller's transaction,
claimed by the poster for the first attempt, and the superseding policy (a newer message
drops a stale update on its channels, never a resolution).

One message (a declare, an update) or a batch of them, one per incident (the worker's
automatic updates of every overdue incident at once): the same few statements either way
(:mod:`outagecomms.store.posting_repo`), each incident keeping its own sequence numbers,
idempotency keys, promise and events."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outagecomms.fanout import ChannelText, Composition
from outagecomms.logs import get_logger
from outagecomms.models import Audience, Channel, Phase, Runbook
from outagecomms.outbox.recipients import recipients
from outagecomms.store.delivery_rows import delivery_values, insert_deliveries
from outagecomms.store.events_repo import add_events
from outagecomms.store.posting_repo import (
    Superseding,
    cancel_superseded,
    insert_messages,
    next_message_seqs,
)
from outagecomms.store.records import DeliveryState, IncidentRecord
from outagecomms.store.wakeups import work_waiting

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


@dataclass(frozen=True)
class Posted:
    """A message committed to the outbox, with the channels its deliveries go to."""

    message_id: int
    channels: dict[str, Channel]
    broken: dict[str, str] = field(default_factory=dict)
    """Channels it could not go to (their file is broken): name -> problem."""


@dataclass(frozen=True)
class Draft:
    """One incident's message before its texts are made: what it renders from, and the
    texts composed before the transaction (None: composed when posted)."""

    incident: IncidentRecord
    runbook: Runbook
    phase: Phase
    targets: dict[str, Channel]
    given: Mapping[str, str]
    composed: Composition | None = None


@dataclass(frozen=True)
class Posting:
    """One message of a batch with exactly the texts it sends: channel name -> what that
    channel gets. ``broken``: channels it cannot go to (their file is broken)."""

    incident: IncidentRecord
    phase: Phase
    texts: Mapping[str, ChannelText]
    given: Mapping[str, str]
    broken: Mapping[str, str] | None = None


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
    queued deliveries (see :func:`post_messages`)."""
    posting = Posting(incident, phase, texts, given, broken)
    [posted] = post_messages(
        conn, [posting], actor, now, origin, owner=owner, lease_until=lease_until
    )
    return posted


def post_messages(
    conn: Connection,
    batch: Sequence[Posting],
    actor: str,
    now: datetime,
    origin: str,
    *,
    owner: str,
    lease_until: datetime,
) -> list[Posted]:
    """Write each message of ``batch`` (at most one per incident) and its queued
    deliveries, leased to ``owner`` until ``lease_until`` for the first attempt, inside
    the caller's transaction: all of them or, when it rolls back, none. ``origin``:
    "human", or "cadence" for the worker's automatic updates. Each recipient of a channel
    gets a delivery of its own (see :mod:`outagecomms.outbox.recipients`), written in
    bulk; those to subscribers are left to the worker. Each message gets its incident's
    next sequence number, supersedes what it makes stale (:func:`superseding`) and has its
    ``message.posted`` event."""
    if not batch:
        return []
    seqs = next_message_seqs(conn, [p.incident.number for p in batch])
    message_ids = insert_messages(
        conn, [_message_row(p, seqs[p.incident.number], actor, now, origin) for p in batch]
    )
    rows: list[dict[str, Any]] = []
    subscribers: list[dict[str, int]] = []
    for posting, message_id in zip(batch, message_ids, strict=True):
        subscribers.append(_delivery_rows(conn, posting, message_id, now, owner, lease_until, rows))
    insert_deliveries(conn, rows)
    cancelled = cancel_superseded(
        conn,
        [
            superseding(p.incident.number, message_id, seqs[p.incident.number], p.phase,
                        list(p.texts))
            for p, message_id in zip(batch, message_ids, strict=True)
        ],
        now=now,
    )  # fmt: skip
    events = []
    for posting, counted in zip(batch, subscribers, strict=True):
        number = posting.incident.number
        gone = [f"{d.channel}#{d.message_id}" for d in cancelled.get(number, [])]
        events.append(_posted_event(posting, seqs[number], gone, counted, actor, now))
    add_events(conn, events)
    work_waiting(conn)  # new deliveries (and a new next_update_at) for the workers
    for posting in batch:
        if posting.broken:
            log.warning(
                "message.channels_broken", incident=posting.incident.id, channels=posting.broken
            )
    return [
        Posted(message_id, {name: text.channel for name, text in p.texts.items()},
               dict(p.broken or {}))
        for p, message_id in zip(batch, message_ids, strict=True)
    ]  # fmt: skip


def _message_row(
    posting: Posting, seq: int, actor: str, now: datetime, origin: str
) -> dict[str, Any]:
    return {
        "incident_id": posting.incident.number, "seq": seq, "phase": Phase(posting.phase).value,
        "origin": origin, "author": actor, "variables": dict(posting.given),
        "next_update_at": posting.incident.next_update_at, "created_at": now,
    }  # fmt: skip


def _delivery_rows(
    conn: Connection,
    posting: Posting,
    message_id: int,
    now: datetime,
    owner: str,
    lease_until: datetime,
    rows: list[dict[str, Any]],
) -> dict[str, int]:
    """Add to ``rows`` one delivery per recipient of each channel of ``posting``; the
    number of subscribers per subscribers' channel."""
    subscribers: dict[str, int] = {}
    for name, text in posting.texts.items():
        channel = text.channel
        # subscribers' deliveries (there may be 100,000) are the worker's, in batches
        to_subscribers = channel.audience is Audience.SUBSCRIBERS
        found = recipients(conn, channel, posting.incident)
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
    return subscribers


def _posted_event(
    posting: Posting,
    seq: int,
    cancelled: list[str],
    subscribers: dict[str, int],
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    broken = posting.broken
    return {
        "incident_id": posting.incident.number,
        "at": now,
        "kind": "message.posted",
        "actor": actor,
        "detail": {
            "seq": seq,
            "phase": posting.phase.value,
            "channels": sorted(posting.texts),
            "cancelled": cancelled,
            **({"subscribers": subscribers} if subscribers else {}),
            **({"broken_channels": dict(broken)} if broken else {}),
        },
    }


def superseding(
    number: int, message_id: int, seq: int, phase: Phase, channels: list[str]
) -> Superseding:
    """What message ``seq`` makes stale, to cancel.

    A newer message may drop a stale update, never a resolution: a postmortem queues
    behind an undelivered resolution on its channel (repo.start_sending, claim_due). A
    resolution or postmortem supersedes pending updates on every channel."""
    return Superseding(
        incident=number,
        message_id=message_id,
        channels=None if phase in (Phase.RESOLVED, Phase.POSTMORTEM) else channels,
        keep_resolutions=phase is Phase.POSTMORTEM,
        reason=f"superseded by message {seq} ({phase.value}) before it was sent",
    )
