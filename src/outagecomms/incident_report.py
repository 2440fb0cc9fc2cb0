"""``outagecomms report INCIDENT``: what each audience and channel was told and when, time
to first message per channel, and the promise record (README "The promise record").

Read from the store only (messages, deliveries): a thin view for the CLI, the HTML
postmortem document (:mod:`outagecomms.report_html`) and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from outagecomms.errors import NotFoundError
from outagecomms.promises import PromiseRecord, Timeline, promise_record
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.records import (
    DeliveryRecord,
    DeliveryState,
    IncidentRecord,
    MessageRecord,
    iso_utc,
    parse_incident_ref,
    public_id,
)


@dataclass(frozen=True)
class Told:
    """One message as one channel got it."""

    message: MessageRecord
    delivery: DeliveryRecord

    def as_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "seq": self.message.seq,
            "phase": self.message.phase.value,
            "origin": self.message.origin,
            "posted_at": iso_utc(self.message.created_at),
            "state": d.state.value,
            "sent_at": iso_utc(d.sent_at),
            "title": d.title,
            "body": d.body,
        }


@dataclass(frozen=True)
class ChannelStory:
    channel: str
    audience: str
    kind: str
    told: tuple[Told, ...]
    first_after: timedelta | None
    """From the incident's start to the first message this channel got (None: none sent)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "audience": self.audience,
            "kind": self.kind,
            "first_message_after_seconds": None
            if self.first_after is None
            else int(self.first_after.total_seconds()),
            "messages": [t.as_json() for t in self.told],
        }


@dataclass(frozen=True)
class IncidentReport:
    incident: IncidentRecord
    channels: tuple[ChannelStory, ...]
    record: PromiseRecord
    at: datetime

    def as_json(self) -> dict[str, Any]:
        i = self.incident
        return {
            "incident": i.id,
            "runbook": i.runbook_id,
            "status": i.status.value,
            "severity": i.severity,
            "started_at": iso_utc(i.started_at),
            "resolved_at": iso_utc(i.resolved_at),
            "reported_at": iso_utc(self.at),
            "channels": [c.as_json() for c in self.channels],
            "promises": [p.as_json() for p in self.record.promises],
            "updates_on_time": self.record.summary(),
        }


def load_timeline(store: Store, number: int) -> tuple[IncidentRecord, Timeline]:
    with store.read() as conn:
        incident = repo.get_incident(conn, number)
        if incident is None:
            raise NotFoundError(
                f"no incident {public_id(number)} (`outagecomms status --all` lists them)"
            )
        messages = repo.messages_of(conn, number)
        delivered = repo.deliveries_of(conn, [m.id for m in messages])
    timeline = [(m, [d for d in delivered if d.message_id == m.id]) for m in messages]
    return incident, timeline


def incident_report(store: Store, ref: str, now: datetime) -> IncidentReport:
    incident, timeline = load_timeline(store, parse_incident_ref(ref))
    stories: dict[str, list[Told]] = {}
    first: dict[str, DeliveryRecord] = {}
    for message, deliveries in timeline:
        for delivery in deliveries:
            stories.setdefault(delivery.channel, []).append(Told(message, delivery))
            first.setdefault(delivery.channel, delivery)
    channels = []
    for name, told in stories.items():
        sent = [t.delivery.sent_at for t in told if t.delivery.state is DeliveryState.SENT]
        first_sent = min((s for s in sent if s is not None), default=None)
        channels.append(
            ChannelStory(
                channel=name,
                audience=first[name].audience,
                kind=first[name].kind,
                told=tuple(told),
                first_after=None if first_sent is None else first_sent - incident.started_at,
            )
        )
    channels.sort(key=lambda c: (c.audience != "customers", c.channel))
    return IncidentReport(incident, tuple(channels), promise_record(timeline, now), now)
