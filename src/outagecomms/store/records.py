"""Typed views of the store's rows, as the orchestrator, the CLI and the worker read them,
and the values their states take (:class:`IncidentStatus`, :class:`DeliveryState`; the
phases are :class:`outagecomms.vocabulary.Phase`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, overload

from outagecomms.errors import UsageError
from outagecomms.vocabulary import Phase

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    SCHEDULED = "scheduled"
    """A maintenance window's incident before the window starts (README "Maintenance
    windows"): its notices are messages, but it is not an incident anyone sees yet."""
    CANCELLED = "cancelled"
    """A maintenance window's incident whose window was cancelled before it started."""


_OPEN = IncidentStatus.OPEN
"""(looked up once: an enum member's attribute lookup costs ~1 µs; ``status`` asks 30,000
times at 10,000 incidents)"""

LISTED_STATUSES = (IncidentStatus.OPEN, IncidentStatus.RESOLVED)
"""The incidents ``status --all``, the API and the status page list (a window that has not
started, or was cancelled, is listed as a maintenance window instead)."""


class DeliveryState(StrEnum):
    """queued -> sending -> sent, or -> retry (due later) -> ... -> failed; cancelled when a
    newer message or the resolution supersedes a delivery that was never sent."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"
    """Held back without an attempt counted: its channel file is broken, or sending it
    raised; the worker tries again at ``due_at``."""


PENDING_STATES = (DeliveryState.QUEUED, DeliveryState.RETRY, DeliveryState.BLOCKED)
"""Deliveries still to be sent: the worker's work."""

INCIDENT_PREFIX = "INC-"
_INCIDENT_REF = re.compile(r"^\s*#?(?:inc-?)?(\d{1,12})\s*$", re.IGNORECASE)


@overload
def iso_utc(moment: datetime) -> str: ...
@overload
def iso_utc(moment: None) -> None: ...
@overload
def iso_utc(moment: datetime | None) -> str | None: ...
def iso_utc(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC (``2024-06-01T12:00:00+00:00``), as JSON shows it."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def public_id(number: int) -> str:
    """``7`` -> ``INC-7``: short and typeable under stress."""
    return f"{INCIDENT_PREFIX}{number}"


def parse_incident_ref(ref: str) -> int:
    """``INC-7``, ``inc-7``, ``7`` -> ``7``; anything else is a usage error (exit 2): a
    malformed id is a mistake in what was typed, not an incident that is missing."""
    match = _INCIDENT_REF.match(ref)
    if match is None:
        raise UsageError(
            f"{ref!r} is not an incident id; ids look like INC-7 "
            "(`outagecomms status` lists the open ones)"
        )
    return int(match.group(1))


@dataclass(frozen=True)
class IncidentRecord:
    number: int
    runbook_id: str
    status: IncidentStatus
    severity: str
    phase: Phase
    cadence_seconds: int | None
    next_update_at: datetime | None
    variables: dict[str, str]
    channels: list[str] | None
    dedupe_key: str | None
    declared_by: str
    break_glass_reason: str | None
    started_at: datetime
    resolved_at: datetime | None
    updated_at: datetime
    runbook_sha256: str | None = None
    """The content hash of the runbook pinned at declare (None: declared before pinning);
    the content itself is read only when needed (``repository.pinned_content``)."""
    blocked_reason: str | None = None
    """Why the worker holds the incident back (None: it is not blocked)."""
    blocked_at: datetime | None = None
    blocked_until: datetime | None = None

    @property
    def id(self) -> str:
        return public_id(self.number)

    @property
    def is_open(self) -> bool:
        return self.status == _OPEN

    @property
    def cadence_override(self) -> timedelta | None:
        return None if self.cadence_seconds is None else timedelta(seconds=self.cadence_seconds)

    @classmethod
    def from_row(cls, row: RowMapping) -> IncidentRecord:
        return cls(
            number=row["id"],
            runbook_id=row["runbook_id"],
            status=IncidentStatus(row["status"]),
            severity=row["severity"],
            phase=Phase(row["phase"]),
            cadence_seconds=row["cadence_seconds"],
            next_update_at=row["next_update_at"],
            variables=dict(row["variables"] or {}),
            channels=None if row["channels"] is None else list(row["channels"]),
            dedupe_key=row["dedupe_key"],
            declared_by=row["declared_by"],
            break_glass_reason=row["break_glass_reason"],
            started_at=row["started_at"],
            resolved_at=row["resolved_at"],
            updated_at=row["updated_at"],
            runbook_sha256=row["runbook_sha256"],
            blocked_reason=row["blocked_reason"],
            blocked_at=row["blocked_at"],
            blocked_until=row["blocked_until"],
        )


@dataclass(frozen=True)
class MessageRecord:
    id: int
    incident_number: int
    seq: int
    phase: Phase
    origin: str
    author: str
    variables: dict[str, str]
    next_update_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> MessageRecord:
        return cls(
            id=row["id"],
            incident_number=row["incident_id"],
            seq=row["seq"],
            phase=Phase(row["phase"]),
            origin=row["origin"],
            author=row["author"],
            variables=dict(row["variables"] or {}),
            next_update_at=row["next_update_at"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    message_id: int
    channel: str
    kind: str
    audience: str
    title: str | None
    body: str
    length: int
    limit: int | None
    unit: str
    state: DeliveryState
    attempts: int
    due_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    possibly_duplicate: bool
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    cut_from: int | None = None
    """The measured length before the text was shortened to fit (None: not shortened)."""
    recipient: str = ""
    """One address of the channel (a subscriber's, or one of a multi-recipient URL's);
    "": the channel's URL as written."""

    @classmethod
    def from_row(cls, row: RowMapping) -> DeliveryRecord:
        values: dict[str, Any] = dict(row)
        values["possibly_duplicate"] = bool(values["possibly_duplicate"])
        values["state"] = DeliveryState(values["state"])
        return cls(**values)


@dataclass(frozen=True)
class EventRecord:
    id: int
    incident_number: int | None
    at: datetime
    kind: str
    actor: str | None
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: RowMapping) -> EventRecord:
        return cls(
            id=row["id"],
            incident_number=row["incident_id"],
            at=row["at"],
            kind=row["kind"],
            actor=row["actor"],
            detail=dict(row["detail"] or {}),
        )
