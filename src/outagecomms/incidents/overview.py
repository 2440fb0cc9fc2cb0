"""``status`` without an orchestrator: the listed incidents as rows, read from the store,
and the warning when updates are promised and no worker runs.

It imports the store, the views and the file models only: no fan-out, composer, Jinja,
apprise or outbox (what :class:`~outagecomms.incidents.Orchestrator` brings for sending).
Its rows and warning are the ones :meth:`Orchestrator.status` and
:func:`outagecomms.worker.worker_warnings` give (``tests/incidents`` holds them side by side).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from outagecomms.durations import format_duration
from outagecomms.errors import OutagecommsError
from outagecomms.incidents.defaults import ApprovalGate, open_project_store, utcnow
from outagecomms.incidents.views import IncidentSummary
from outagecomms.models import Runbook, Severity
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store.incident_rows import version_content
from outagecomms.store.overview_reads import read_listed
from outagecomms.store.records import IncidentRecord
from outagecomms.worker.settings import STALE_AFTER


@dataclass(frozen=True)
class Overview:
    """What ``status`` prints: one row per listed incident, oldest first, and warnings."""

    rows: list[IncidentSummary]
    warnings: list[str]


def overview(
    project: Project,
    database_url: str | None = None,
    *,
    include_resolved: bool = False,
    clock: Callable[[], datetime] = utcnow,
    gate: ApprovalGate | None = None,
) -> Overview:
    """Open incidents (every incident with ``include_resolved``) and the no-worker warning.
    ``clock`` and ``gate`` as an orchestrator's (the time now; whether an unpinned
    incident's runbook file may still be rendered from, for its cadence)."""
    store = open_project_store(project, database_url)
    try:
        with store.read() as conn:
            listed = read_listed(conn, include_resolved=include_resolved)
        now = clock()
        rows = [
            IncidentSummary(
                incident,
                listed.counts.get(incident.number, {}),
                _overdue_by(incident, now),
                listed.subscribers.get(incident.number, {}),
            )
            for incident in listed.incidents
        ]
        cadences = _Cadences(project, store, gate)
        warnings = no_worker_warnings(listed.incidents, listed.worker_seen, now, cadences.of)
    finally:
        store.close()
    return Overview(rows, warnings)


def _overdue_by(incident: IncidentRecord, now: datetime) -> timedelta | None:
    from outagecomms.incidents.rules import _overdue

    return _overdue(incident, now)


def no_worker_warnings(
    incidents: Sequence[IncidentRecord],
    seen: datetime | None,
    now: datetime,
    cadence_of: Callable[[IncidentRecord], timedelta],
) -> list[str]:
    """One warning when open ``incidents`` promise updates and no worker has been seen
    within :data:`~outagecomms.worker.settings.STALE_AFTER` (empty otherwise)."""
    promising = [i for i in incidents if i.is_open and i.next_update_at is not None]
    if not promising or (seen is not None and now - seen <= STALE_AFTER):
        return []
    cadences = sorted({format_duration(c) for c in {cadence_of(i) for i in promising}})
    since = (
        "no worker has ever run on this database"
        if seen is None
        else f"the last worker was seen at {seen.astimezone(UTC):%Y-%m-%d %H:%M UTC}"
    )
    return [
        f"updates promised every {' / '.join(cadences)} will not be sent: no worker is "
        f'running ({since}); start `outagecomms worker` (README: "The worker")'
    ]


class _Cadences:
    """An incident's cadence as the worker keeps it: its override, else its pinned
    runbook's (the file's, approved, for an incident declared before pinning), else 1h."""

    def __init__(self, project: Project, store: Store, gate: ApprovalGate | None) -> None:
        self.project, self.store, self.gate = project, store, gate
        self._pinned: dict[str, Runbook | None] = {}
        self._found: dict[tuple[str, str | None, str, str | None], timedelta] = {}
        """Cadences already worked out, by what they depend on (10,000 open incidents
        share a few runbooks and severities)."""

    def of(self, incident: IncidentRecord) -> timedelta:
        if incident.cadence_override is not None:
            return incident.cadence_override
        key = (incident.runbook_id, incident.runbook_sha256, incident.severity,
               incident.break_glass_reason)  # fmt: skip
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._cadence(incident)
        return found

    def _cadence(self, incident: IncidentRecord) -> timedelta:
        try:
            return self._runbook(incident).cadence_for(Severity(incident.severity))
        except (OutagecommsError, ValueError):
            return timedelta(hours=1)

    def _runbook(self, incident: IncidentRecord) -> Runbook:
        pinned = incident.runbook_sha256
        if pinned is not None:
            if pinned not in self._pinned:
                with self.store.read() as conn:
                    content = version_content(conn, pinned)
                self._pinned[pinned] = None if content is None else Runbook.model_validate(content)
            found = self._pinned[pinned]
            if found is not None:
                return found
        loaded = self.project.runbook(incident.runbook_id)
        if self.gate is None:
            from outagecomms.approvals import ensure_sendable

            self.gate = ensure_sendable
        self.gate(self.project, loaded, unapproved_reason=incident.break_glass_reason)
        return loaded.runbook
