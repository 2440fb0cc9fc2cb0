"""``status`` without an orchestrator: the listed incidents as rows, read from the store,
and the warning when updates are promised and no worker runs.

It imports the store, the views and :mod:`outagecomms.project_root` only: no fan-out,
composer, Jinja, apprise or outbox (what :class:`~outagecomms.incidents.Orchestrator` brings
for sending), and, when an earlier process validated the same settings and pinned runbooks
(:mod:`outagecomms.validated_cache`), no pydantic either: the database URL and each pinned
runbook's cadences are kept as plain values. Its rows and warning are the ones
:meth:`Orchestrator.status` and :func:`outagecomms.worker.worker_warnings` give
(``tests/incidents`` holds them side by side).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outagecomms import validated_cache
from outagecomms.durations import format_duration
from outagecomms.errors import OutagecommsError
from outagecomms.incidents.views import IncidentSummary, overdue_by
from outagecomms.limits import DEFAULT_LIMITS
from outagecomms.project_root import configured_database_url, resolved_database_url
from outagecomms.store import Store, open_store
from outagecomms.store.incident_rows import version_content
from outagecomms.store.listed_incidents import IncidentFacts
from outagecomms.store.overview_reads import read_listed
from outagecomms.vocabulary import Severity
from outagecomms.worker.settings import STALE_AFTER

if TYPE_CHECKING:
    from outagecomms.incidents.defaults import ApprovalGate
    from outagecomms.project import Project


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Overview:
    """What ``status`` prints: one row per listed incident, oldest first, and warnings."""

    rows: list[IncidentSummary]
    warnings: list[str]


def overview(
    project: Project | Path,
    database_url: str | None = None,
    *,
    include_resolved: bool = False,
    clock: Callable[[], datetime] = _utcnow,
    gate: ApprovalGate | None = None,
) -> Overview:
    """Open incidents (every incident with ``include_resolved``) and the no-worker warning.
    ``project``: the project, or its directory (the command line's: no file models are
    built unless an incident's cadence needs its runbook file). ``clock`` and ``gate`` as an
    orchestrator's (the time now; whether an unpinned incident's runbook file may still be
    rendered from, for its cadence)."""
    root, environ = (
        (project, None) if isinstance(project, Path) else (project.root, project.environ)
    )
    configured = None if database_url else configured_database_url(root, environ)
    store = open_store(resolved_database_url(root, configured, database_url))
    try:
        with store.read() as conn:
            listed = read_listed(conn, include_resolved=include_resolved)
        now = clock()
        rows = [
            IncidentSummary(
                incident,
                listed.counts.get(incident.number, {}),
                overdue_by(incident, now),
                listed.subscribers.get(incident.number, {}),
            )
            for incident in listed.incidents
        ]
        cadences = _Cadences(project, store, gate)
        warnings = no_worker_warnings(listed.incidents, listed.worker_seen, now, cadences.of)
    finally:
        store.close()
    return Overview(rows, warnings)


def no_worker_warnings(
    incidents: Sequence[IncidentFacts],
    seen: datetime | None,
    now: datetime,
    cadence_of: Callable[[IncidentFacts], timedelta],
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

    def __init__(self, project: Project | Path, store: Store, gate: ApprovalGate | None) -> None:
        self.project, self.store, self.gate = project, store, gate
        self._pinned: dict[str, Mapping[str, timedelta] | None] = {}
        self._found: dict[tuple[str, str | None, str, str | None], timedelta] = {}
        """Cadences already worked out, by what they depend on (10,000 open incidents
        share a few runbooks and severities)."""

    def of(self, incident: IncidentFacts) -> timedelta:
        if incident.cadence_override is not None:
            return incident.cadence_override
        key = (incident.runbook_id, incident.runbook_sha256, incident.severity,
               incident.break_glass_reason)  # fmt: skip
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._cadence(incident)
        return found

    def _cadence(self, incident: IncidentFacts) -> timedelta:
        try:
            return self._table(incident)[Severity(incident.severity).value]
        except (OutagecommsError, ValueError):
            return timedelta(hours=1)

    def _table(self, incident: IncidentFacts) -> Mapping[str, timedelta]:
        """The cadence per severity of the runbook the incident renders from."""
        pinned = incident.runbook_sha256
        if pinned is not None:
            if pinned not in self._pinned:
                with self.store.read() as conn:
                    content = version_content(conn, pinned)
                self._pinned[pinned] = None if content is None else pinned_cadences(content)
            found = self._pinned[pinned]
            if found is not None:
                return found
        from outagecomms.project import Project

        project = Project(self.project) if isinstance(self.project, Path) else self.project
        self.project = project
        loaded = project.runbook(incident.runbook_id)
        if self.gate is None:
            from outagecomms.approvals import ensure_sendable

            self.gate = ensure_sendable
        self.gate(project, loaded, unapproved_reason=incident.break_glass_reason)
        return _table_of(loaded.runbook)


PINNED = Path("<pinned runbook>")
"""Where pinned runbook content is said to come from, in :mod:`.validated_cache`'s keys."""


def pinned_cadences(content: Mapping[str, Any]) -> Mapping[str, timedelta]:
    """The cadence per severity of a pinned runbook's ``content``, validated as the worker
    validates it (``Runbook.model_validate``; a :class:`ValueError` when it does not), and
    kept between processes under that content (:mod:`.validated_cache`): a fresh ``status``
    builds no runbook model for content an earlier one validated."""
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False)
    given = raw.encode("utf-8", "surrogatepass")
    found = validated_cache.kept("pinned-cadence", PINNED, given, DEFAULT_LIMITS, dict)
    if found is not None and _is_table(found):
        return found
    from outagecomms.models import Runbook

    table = _table_of(Runbook.model_validate(content))
    validated_cache.keep("pinned-cadence", PINNED, given, DEFAULT_LIMITS, dict(table))
    return table


def _is_table(found: dict[Any, Any]) -> bool:
    severities = {severity.value for severity in Severity}
    return set(found) == severities and all(isinstance(v, timedelta) for v in found.values())


def _table_of(runbook: Any) -> dict[str, timedelta]:
    """A :class:`~outagecomms.models.Runbook`'s cadence for every severity."""
    return {severity.value: runbook.cadence_for(severity) for severity in Severity}
