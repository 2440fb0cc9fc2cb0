"""Typed views of the store's rows, as the orchestrator, the CLI and the worker read them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import RowMapping

from outagecomms.errors import NotFoundError

INCIDENT_PREFIX = "INC-"
_INCIDENT_REF = re.compile(r"^\s*#?(?:inc-?)?(\d{1,12})\s*$", re.IGNORECASE)


def public_id(number: int) -> str:
    """``7`` -> ``INC-7``: short and typeable under stress."""
    return f"{INCIDENT_PREFIX}{number}"


def parse_incident_ref(ref: str) -> int:
    """``INC-7``, ``inc-7``, ``7`` -> ``7``; anything else is not an incident."""
    match = _INCIDENT_REF.match(ref)
    if match is None:
        raise NotFoundError(
            f"{ref!r} is not an incident id; ids look like INC-7 "
            "(`outagecomms status` lists the open ones)"
        )
    return int(match.group(1))


@dataclass(frozen=True)
class IncidentRecord:
    number: int
    runbook_id: str
    status: str
    severity: str
    phase: str
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
    """The content hash of the runbook pinned at declare (None: declared before pinning)."""
    runbook_content: dict[str, Any] | None = None
    """The pinned runbook itself (its validated model as JSON)."""
    blocked_reason: str | None = None
    """Why the worker holds the incident back (None: it is not blocked)."""
    blocked_at: datetime | None = None
    blocked_until: datetime | None = None

    @property
    def id(self) -> str:
        return public_id(self.number)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def cadence_override(self) -> timedelta | None:
        return None if self.cadence_seconds is None else timedelta(seconds=self.cadence_seconds)

    @classmethod
    def from_row(cls, row: RowMapping) -> IncidentRecord:
        return cls(
            number=row["id"],
            runbook_id=row["runbook_id"],
            status=row["status"],
            severity=row["severity"],
            phase=row["phase"],
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
            runbook_content=None if row["runbook_content"] is None else row["runbook_content"],
            blocked_reason=row["blocked_reason"],
            blocked_at=row["blocked_at"],
            blocked_until=row["blocked_until"],
        )


@dataclass(frozen=True)
class MessageRecord:
    id: int
    incident_number: int
    seq: int
    phase: str
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
            phase=row["phase"],
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
    state: str
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

    @classmethod
    def from_row(cls, row: RowMapping) -> DeliveryRecord:
        values: dict[str, Any] = dict(row)
        values["possibly_duplicate"] = bool(values["possibly_duplicate"])
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
