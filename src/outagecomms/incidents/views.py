"""What incidents look like to a reader: the command report, status rows, show's timeline
and detail, and their JSON (the CLI's ``--json`` and the API share them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from outagecomms.durations import format_duration, whole_minutes
from outagecomms.errors import ExitStatus
from outagecomms.logs import get_logger
from outagecomms.store.listed_incidents import IncidentFacts
from outagecomms.store.records import (
    DeliveryRecord,
    DeliveryState,
    EventRecord,
    IncidentRecord,
    MessageRecord,
    iso_utc,
)

log = get_logger(__name__)


OVERDUE_GRACE = timedelta(minutes=1)
"""A promise counts as late in ``status`` once this much past due (a worker's step)."""


def overdue_by(incident: IncidentFacts, now: datetime) -> timedelta | None:
    """How long ago the open ``incident``'s promised update fell due (None: not late)."""
    due = incident.next_update_at
    if not incident.is_open or due is None or now - due < OVERDUE_GRACE:
        return None
    return now - due


def incident_json(incident: IncidentFacts, *, deduplicated: bool = False) -> dict[str, Any]:
    """The incident fields scripts rely on (README "Command reference": `--json`)."""
    return {
        "id": incident.id,
        "runbook": incident.runbook_id,
        "status": incident.status,
        "severity": incident.severity,
        "phase": incident.phase,
        "next_update_at": iso_utc(incident.next_update_at),
        "deduplicated": deduplicated,
    }


def pinning_json(incident: IncidentFacts) -> dict[str, Any]:
    """What ``status`` and ``show`` add: the pinned runbook version (its content hash) and,
    when the worker holds the incident back, why (``blocked``, else null)."""
    return {"runbook_version": incident.runbook_sha256, "blocked": blocked_json(incident)}


def blocked_json(incident: IncidentFacts) -> dict[str, Any] | None:
    if incident.blocked_reason is None:
        return None
    return {
        "reason": incident.blocked_reason,
        "since": iso_utc(incident.blocked_at),
        "retry_at": iso_utc(incident.blocked_until),
    }


def delivery_json(delivery: DeliveryRecord) -> dict[str, Any]:
    """The delivery fields scripts rely on (README "Command reference": `--json`)."""
    return {
        "channel": delivery.channel,
        "kind": delivery.kind,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "length": delivery.length,
        "limit": delivery.limit,
        "error": delivery.last_error,
    }


SUBSCRIBER_BUCKETS = {
    DeliveryState.SENT.value: "sent",
    DeliveryState.QUEUED.value: "queued",
    DeliveryState.RETRY.value: "queued",
    DeliveryState.SENDING.value: "queued",
    DeliveryState.BLOCKED.value: "queued",
    DeliveryState.FAILED.value: "failed",
    DeliveryState.CANCELLED.value: "cancelled",
}


def subscribers_json(counts: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """Deliveries to subscribers per channel: how many sent, queued (or retrying), failed
    and cancelled (an unsubscribe, a superseded update); never an address."""
    shown = []
    for channel, states in sorted(counts.items()):
        row: dict[str, Any] = {"channel": channel, "sent": 0, "queued": 0, "failed": 0}
        row["cancelled"] = 0
        for state, count in states.items():
            bucket = SUBSCRIBER_BUCKETS.get(state, "queued")
            row[bucket] += count
        shown.append(row)
    return shown


@dataclass(frozen=True)
class Report:
    """What declare, update, resolve and postmortem return: the incident and the deliveries
    of the message just posted, after their first attempt."""

    incident: IncidentRecord
    deliveries: list[DeliveryRecord]
    message: MessageRecord | None
    deduplicated: bool = False
    reopened: bool = False
    """declare re-opened a recently resolved incident (a flap) instead of a new one."""
    interrupted: bool = False
    """Ctrl-C came after the message was recorded: what was not sent stays queued."""

    @property
    def unsent(self) -> list[DeliveryRecord]:
        """Deliveries still waiting for a send (the worker sends them)."""
        from outagecomms.incidents.defaults import WAITING_STATES

        return [d for d in self.deliveries if d.state in WAITING_STATES]

    broken_channels: Mapping[str, str] = field(default_factory=dict)
    """Channels the message could not go to because their file is broken: name -> the
    problem (``file:line: field: what``) and the fix."""

    @property
    def failed(self) -> list[DeliveryRecord]:
        """Deliveries not sent by their first attempt (queued for retry, or failed)."""
        if self.deduplicated:
            return []
        return [d for d in self.deliveries if d.state != DeliveryState.SENT.value]

    @property
    def failed_channels(self) -> list[str]:
        """The channels not reached by the first attempt, broken channel files included."""
        if self.deduplicated:
            return []
        return [d.channel for d in self.failed] + sorted(self.broken_channels)

    @property
    def exit_status(self) -> ExitStatus:
        """What a command that returned this report exits with (README "Exit codes"):
        interrupted by Ctrl-C, 130; a channel not reached by its first attempt (it stays
        queued for the worker) or a broken channel file, 6; else 0."""
        if self.interrupted:
            return ExitStatus.INTERRUPTED
        if self.failed_channels:
            return ExitStatus.DELIVERY_FAILED
        return ExitStatus.OK

    def as_json(self) -> dict[str, Any]:
        incident = incident_json(self.incident, deduplicated=self.deduplicated)
        if self.reopened:
            incident["reopened"] = True  # only present when true
        deliveries = [delivery_json(d) for d in self.deliveries]
        deliveries += [broken_channel_json(n, e) for n, e in sorted(self.broken_channels.items())]
        return {"incident": incident, "deliveries": deliveries}


def report_document(
    report: Report | None, *, warnings: Sequence[str] | None = None
) -> dict[str, Any]:
    """The ``--json`` document of declare, update, resolve and postmortem (the GitHub
    Action's ``json`` output too): :meth:`Report.as_json`, its ``warnings`` when given,
    ``interrupted`` when Ctrl-C came; None (``resolve --if-open`` of a key never used): a
    null incident and no deliveries."""
    if report is None:
        return {"incident": None, "deliveries": []}
    document = report.as_json()
    if warnings is not None:
        document["warnings"] = list(warnings)
    if report.interrupted:
        document["interrupted"] = True
    return document


def broken_channel_json(name: str, problem: str) -> dict[str, Any]:
    """A channel whose file is broken, as a failed delivery with no attempt."""
    return {
        "channel": name,
        "kind": None,
        "state": DeliveryState.FAILED.value,
        "attempts": 0,
        "length": None,
        "limit": None,
        "error": problem,
    }


@dataclass(frozen=True)
class IncidentSummary:
    """One row of ``status``."""

    incident: IncidentFacts
    counts: Mapping[str, int]
    overdue_by: timedelta | None = None
    """How long ago the promised next update fell due without a message (open only)."""
    subscribers: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Subscribers' channel -> state -> how many deliveries (every message)."""

    @property
    def failed_deliveries(self) -> int:
        return self.counts.get(DeliveryState.FAILED.value, 0)

    @property
    def retrying_deliveries(self) -> int:
        """Failed an attempt; the worker tries again at their retry time."""
        return self.counts.get(DeliveryState.RETRY.value, 0)

    @property
    def blocked_deliveries(self) -> int:
        """Held back by a fault of their own (a broken file, a template that raises)."""
        return self.counts.get("blocked", 0)

    @property
    def needs_a_human(self) -> list[str]:
        """What an on-call must look at, one phrase each (empty when all is well)."""
        problems = []
        if self.failed_deliveries:
            problems.append(f"{self.failed_deliveries} failed after every retry")
        if self.blocked_deliveries:
            problems.append(f"{self.blocked_deliveries} blocked")
        if self.overdue_by is not None:
            problems.append(f"next update {format_duration(whole_minutes(self.overdue_by))} late")
        return problems

    @property
    def pending_deliveries(self) -> int:
        return sum(
            self.counts.get(s.value, 0)
            for s in (
                DeliveryState.QUEUED,
                DeliveryState.RETRY,
                DeliveryState.SENDING,
                DeliveryState.BLOCKED,
            )
        )

    def as_json(self) -> dict[str, Any]:
        return {
            **incident_json(self.incident),
            "started_at": iso_utc(self.incident.started_at),
            "resolved_at": iso_utc(self.incident.resolved_at),
            "failed_deliveries": self.failed_deliveries,
            "pending_deliveries": self.pending_deliveries,
            "retrying_deliveries": self.retrying_deliveries,
            "blocked_deliveries": self.blocked_deliveries,
            "overdue_seconds": None
            if self.overdue_by is None
            else int(self.overdue_by.total_seconds()),
            **pinning_json(self.incident),
            "subscribers": subscribers_json(self.subscribers),
        }


@dataclass(frozen=True)
class TimelineEntry:
    message: MessageRecord
    deliveries: list[DeliveryRecord]
    """Every delivery but those to subscribers, which are counted in ``subscribers``."""
    subscribers: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Subscribers' channel -> state -> how many deliveries."""

    def as_json(self) -> dict[str, Any]:
        m = self.message
        return {
            "seq": m.seq,
            "phase": m.phase,
            "origin": m.origin,
            "by": m.author,
            "at": iso_utc(m.created_at),
            "next_update_at": iso_utc(m.next_update_at),
            "deliveries": [
                {
                    **delivery_json(d),
                    "due_at": iso_utc(d.due_at),
                    "sent_at": iso_utc(d.sent_at),
                    "possibly_duplicate": d.possibly_duplicate,
                    "cut_from": d.cut_from,
                    "title": d.title,
                    "body": d.body,
                }
                for d in self.deliveries
            ],
            "subscribers": subscribers_json(self.subscribers),
        }


@dataclass(frozen=True)
class IncidentDetail:
    """What ``show`` prints: the incident, every message with its deliveries, the events."""

    incident: IncidentRecord
    timeline: list[TimelineEntry]
    events: list[EventRecord] = field(default_factory=list)
    file_version: str | None = None
    """The content hash of the runbook file as it is now (None: it does not load)."""

    def as_json(self) -> dict[str, Any]:
        i = self.incident
        return {
            **incident_json(i),
            **pinning_json(i),
            "started_at": iso_utc(i.started_at),
            "resolved_at": iso_utc(i.resolved_at),
            "declared_by": i.declared_by,
            "break_glass_reason": i.break_glass_reason,
            "dedupe_key": i.dedupe_key,
            "cadence": None if i.cadence_seconds is None else f"{i.cadence_seconds}s",
            "variables": i.variables,
            "channels": i.channels,
            "runbook_file_version": self.file_version,
            "timeline": [entry.as_json() for entry in self.timeline],
            "events": [
                {"at": iso_utc(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail}
                for e in self.events
            ],
        }
