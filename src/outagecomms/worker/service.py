"""What the worker asks of the incident side: the project and store, composing a message
from a pinned runbook, posting it to the outbox, sending and recording attempts. The
incident service (:class:`outagecomms.incidents.IncidentService`) provides it; the worker
never imports it. Also an incident's cadence, read through it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from outagecomms.compose_once import ComposedOnce
from outagecomms.delivery import Outcome, Outgoing
from outagecomms.errors import OutagecommsError
from outagecomms.fanout import Composition
from outagecomms.models import Channel, ChannelKind, Phase, Runbook, Severity
from outagecomms.outbox.posting import Draft, Posted
from outagecomms.outbox.sending import KindSender
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store.records import DeliveryRecord, IncidentRecord
from outagecomms.templates import IncidentFacts

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class IncidentService(Protocol):
    """The part of the incident service the worker uses."""

    project: Project
    owner: str
    concurrency: int | None
    timeout: float | None
    """Seconds one send may take (None: the default)."""
    senders: Mapping[ChannelKind, KindSender]
    """The channel kinds sent otherwise than through the apprise sender."""

    @property
    def store(self) -> Store: ...

    clock: Callable[[], datetime]

    def lease_length(self) -> timedelta: ...

    def runbook_of(self, incident: IncidentRecord) -> Runbook: ...

    def pinned_version(self, conn: Connection, sha256: str) -> Runbook | None: ...

    def channels_for(self, names: Sequence[str] | None) -> dict[str, Channel]: ...

    def facts_for(
        self,
        incident_id: str,
        severity: Severity,
        started_at: datetime,
        now: datetime,
        next_update_at: datetime | None,
        *,
        resolved_at: datetime | None,
    ) -> IncidentFacts: ...

    def compose_all(
        self,
        runbook: Runbook,
        phase: Phase,
        targets: Mapping[str, Channel],
        facts: IncidentFacts,
        given: Mapping[str, str],
        *,
        once: ComposedOnce | None = ...,
    ) -> Composition: ...

    def post_message(
        self,
        conn: Connection,
        incident: IncidentRecord,
        runbook: Runbook,
        phase: Phase,
        targets: dict[str, Channel],
        given: Mapping[str, str],
        actor: str,
        now: datetime,
        origin: str = ...,
        composed: Composition | None = ...,
    ) -> Posted: ...

    def post_messages(
        self,
        conn: Connection,
        drafts: Sequence[Draft],
        actor: str,
        now: datetime,
        origin: str = ...,
    ) -> list[Posted]: ...

    def send_now(self, items: list[Outgoing]) -> list[Outcome]: ...

    def record_attempt(
        self,
        conn: Connection,
        number: int,
        delivery: DeliveryRecord,
        outcome: Outcome | None,
        now: datetime,
    ) -> None: ...


class ScheduledSteps(Protocol):
    """Steps planned for their time outside incidents' cadence: maintenance windows
    (:class:`outagecomms.maintenance.Maintenance` provides it; the worker never imports it).
    Each step is claimed in the store, so a step is taken once whatever the workers."""

    def run_due(self, now: datetime) -> list[str]:
        """Take what is due at ``now``, posting to the outbox; one line per step taken."""
        ...

    def next_due(self) -> datetime | None:
        """The next moment a step is due (None: nothing planned)."""
        ...


def _cadence(incident: IncidentRecord, runbook: Runbook) -> timedelta:
    return incident.cadence_override or runbook.cadence_for(Severity(incident.severity))


def _cadence_of(orchestrator: IncidentService, incident: IncidentRecord) -> timedelta:
    if incident.cadence_override is not None:
        return incident.cadence_override
    try:
        return _cadence(incident, orchestrator.runbook_of(incident))
    except (OutagecommsError, ValueError):
        return timedelta(hours=1)
