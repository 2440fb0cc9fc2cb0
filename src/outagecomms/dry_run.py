"""``--dry-run`` of ``declare``, ``update`` and ``resolve``: everything the real command
checks and renders, nothing it writes or sends.

The plan goes through the same steps as the orchestrator (dedupe key, approval, channels,
``--var`` values, rendering, fitting, the internal copy) and then checks each channel the
way its first attempt would meet it (:func:`outagecomms.channel_checks.channel_problem`).
Errors are raised exactly as the real command raises them, so the exit status is the
same: 2, 3, 4 or 5; a channel whose first attempt would fail makes it 6.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from outagecomms.channel_checks import channel_problem
from outagecomms.components.impact import affected_components
from outagecomms.errors import UsageError
from outagecomms.fanout import ChannelText, MessageWords, channel_texts
from outagecomms.incidents import (
    Orchestrator,
    _check_lifecycle,
    _clean_key,
    _clean_reason,
    _flapped,
    database_url,
    incident_json,
)
from outagecomms.models import Phase, Runbook, Severity
from outagecomms.project import LoadedRunbook, Project
from outagecomms.store import components_repo
from outagecomms.store import repository as repo
from outagecomms.store.records import IncidentRecord, IncidentStatus, parse_incident_ref


@dataclass(frozen=True)
class PlannedDelivery:
    """What one channel would get, and why its first attempt would fail (if it would)."""

    name: str
    text: ChannelText
    problem: str | None

    def as_json(self) -> dict[str, Any]:
        c = self.text.composed
        return {
            "channel": self.name,
            "kind": self.text.channel.kind.value,
            "audience": self.text.channel.audience.value,
            "format": c.format.value,
            "lang": c.lang,
            "title": self.text.title,
            "body": self.text.body,
            "length": self.text.length,
            "limit": self.text.limit,
            "unit": self.text.unit,
            "fits": self.text.fits,
            "truncated": c.truncated,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Plan:
    """What the command would do: the incident as it would be, the phase it would post,
    and each channel's text. ``deduplicated``: it would send nothing at all."""

    command: str
    incident: IncidentRecord | None
    """None: ``resolve --dedupe-key K --if-open`` for a key never used."""
    phase: Phase | None
    deliveries: list[PlannedDelivery] = field(default_factory=list)
    new_incident: bool = False
    deduplicated: bool = False
    reopened: bool = False
    warnings: list[str] = field(default_factory=list)
    components: dict[str, str] = field(default_factory=dict)
    """The components the incident would affect, id -> the status it puts them in."""

    @property
    def failing(self) -> list[PlannedDelivery]:
        return [d for d in self.deliveries if d.problem is not None]

    def as_json(self) -> dict[str, Any]:
        if self.incident is None:
            return {"dry_run": True, "command": self.command, "incident": None,
                    "phase": None, "deliveries": [], "components": {},
                    "warnings": list(self.warnings)}  # fmt: skip
        incident = incident_json(self.incident, deduplicated=self.deduplicated)
        if self.new_incident:
            incident["id"] = None  # given when it is really declared
        if self.reopened:
            incident["reopened"] = True
        return {
            "dry_run": True,
            "command": self.command,
            "incident": incident,
            "phase": None if self.phase is None else self.phase.value,
            "deliveries": [d.as_json() for d in self.deliveries],
            "components": dict(self.components),
            "warnings": list(self.warnings),
        }


@contextmanager
def untouched_database(project: Project, override: str | None = None) -> Iterator[str]:
    """The database URL a dry run reads: the project's, unless it is a SQLite file that does
    not exist yet; then a throw-away one, so that a dry run creates no state file."""
    url = database_url(project, override)
    prefix = "sqlite:///"
    if not url.startswith(prefix) or Path(url.removeprefix(prefix)).exists():
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="outagecomms-dry-run-") as scratch:
        yield f"{prefix}{Path(scratch) / 'state.db'}"


def plan_declare(
    orchestrator: Orchestrator,
    runbook_id: str,
    *,
    severity: Severity | None = None,
    variables: Mapping[str, str] | None = None,
    dedupe_key: str | None = None,
    cadence: timedelta | None = None,
    channels: Sequence[str] = (),
    unapproved_reason: str | None = None,
    cooldown: timedelta | None = None,
    components: Sequence[str] = (),
) -> Plan:
    """What ``declare`` would send now (see :meth:`Orchestrator.declare`), and the
    components it would set (``components``: ``--component ID[=STATUS]``, checked as
    declare checks them; a re-opened incident keeps its own)."""
    key = _clean_key(dedupe_key)
    latest: IncidentRecord | None = None
    if key is not None:
        with orchestrator.store.read() as conn:
            existing = repo.open_incident_by_dedupe_key(conn, key)
            latest = existing or repo.latest_incident_by_dedupe_key(conn, key)
        if existing is not None:
            return Plan("declare", existing, None, deduplicated=True)
    loaded = orchestrator.project.runbook(runbook_id)
    reason = _clean_reason(unapproved_reason)
    _ensure_sendable(orchestrator, loaded, reason)
    runbook = loaded.runbook
    if cadence is not None and cadence <= timedelta(0):
        raise UsageError("--cadence must be positive; write it like 30m")
    now = orchestrator.clock()
    given = dict(variables or {})
    if key is not None and latest is not None:
        window = runbook.flap_cooldown if cooldown is None else cooldown
        if _flapped(latest, runbook.id, window, now):
            chosen = severity or Severity(latest.severity)
            interval = cadence or latest.cadence_override or runbook.cadence_for(chosen)
            again = replace(
                latest,
                status=IncidentStatus.OPEN,
                severity=chosen.value,
                phase=Phase.INVESTIGATING,
                next_update_at=now + interval,
                resolved_at=None,
                break_glass_reason=reason or latest.break_glass_reason,
            )
            merged = {**latest.variables, **given}
            deliveries = _deliveries(orchestrator, again, runbook, Phase.UPDATE, latest.channels,
                                     merged)  # fmt: skip
            with orchestrator.store.read() as conn:
                kept = components_repo.components_of_incidents(conn, [latest.number])
            return Plan("declare", again, Phase.UPDATE, deliveries, reopened=True,
                        components=dict(kept.get(latest.number, {})))  # fmt: skip
    chosen = severity or runbook.severity
    affected = affected_components(orchestrator.project, runbook, chosen, components)
    with orchestrator.store.read() as conn:
        number = repo.expected_incident_number(conn)
    incident = IncidentRecord(
        number=number,
        runbook_id=runbook.id,
        status=IncidentStatus.OPEN,
        severity=chosen.value,
        phase=Phase.INVESTIGATING,
        cadence_seconds=None if cadence is None else int(cadence.total_seconds()),
        next_update_at=now + (cadence or runbook.cadence_for(chosen)),
        variables=given,
        channels=list(channels) or None,
        dedupe_key=key,
        declared_by=orchestrator.actor,
        break_glass_reason=reason,
        started_at=now,
        resolved_at=None,
        updated_at=now,
    )
    deliveries = _deliveries(orchestrator, incident, runbook, Phase.INVESTIGATING,
                             list(channels) or None, given)  # fmt: skip
    from outagecomms.language_gaps import declare_warnings

    warnings = declare_warnings(orchestrator.project, runbook.id, channels)
    return Plan("declare", incident, Phase.INVESTIGATING, deliveries, new_incident=True,
                warnings=warnings, components=affected)  # fmt: skip


def plan_follow_up(
    orchestrator: Orchestrator,
    incident_ref: str,
    phase: Phase,
    *,
    variables: Mapping[str, str] | None = None,
    unapproved_reason: str | None = None,
    words: MessageWords | None = None,
    severity: Severity | None = None,
    add_channels: Sequence[str] = (),
) -> Plan:
    """What ``update`` (an update phase) or ``resolve`` (``resolved``) would send now."""
    number = parse_incident_ref(incident_ref)
    with orchestrator.store.read() as conn:
        current = orchestrator._existing(conn, number, incident_ref)
    _check_lifecycle(current, phase)
    reason = _clean_reason(unapproved_reason) or current.break_glass_reason
    if current.runbook_sha256 is None:  # declared before pinning: the file decides
        loaded = orchestrator.project.runbook(current.runbook_id)
        if words is None:
            _ensure_sendable(orchestrator, loaded, reason)
        runbook = loaded.runbook
    else:  # the approved content pinned at declare, as the real command renders it
        runbook = orchestrator.runbook_of(current)
    now = orchestrator.clock()
    channels = orchestrator._with_channels(current.channels, add_channels)
    chosen = severity or Severity(current.severity)
    if phase is Phase.RESOLVED:
        after = replace(
            current,
            status=IncidentStatus.RESOLVED,
            phase=phase,
            next_update_at=None,
            resolved_at=now,
        )
    else:
        cadence = current.cadence_override or runbook.cadence_for(chosen)
        after = replace(
            current,
            severity=chosen.value,
            channels=channels,
            phase=current.phase if phase is Phase.UPDATE else phase,
            next_update_at=now + cadence,
        )
    given = {**current.variables, **(variables or {})}
    command = "resolve" if phase is Phase.RESOLVED else "update"
    deliveries = _deliveries(orchestrator, after, runbook, phase, channels, given, words)
    return Plan(command, after, phase, deliveries)


def plan_resolve(
    orchestrator: Orchestrator,
    incident_ref: str | None,
    *,
    dedupe_key: str | None = None,
    if_open: bool = False,
    variables: Mapping[str, str] | None = None,
    unapproved_reason: str | None = None,
) -> Plan:
    """What ``resolve`` would send now (by id, or by dedupe key, ``--if-open`` included)."""
    key = _clean_key(dedupe_key)
    if key is not None and if_open:
        with orchestrator.store.read() as conn:
            found = repo.open_incident_by_dedupe_key(conn, key)
            latest = found or repo.latest_incident_by_dedupe_key(conn, key)
        if found is None:
            return Plan("resolve", latest, None, deduplicated=True)
        incident_ref = found.id
    elif key is not None:
        incident_ref = orchestrator._ref_by_dedupe_key(key)
    if incident_ref is None:
        raise UsageError("resolve needs an incident id (e.g. INC-7) or --dedupe-key KEY")
    return plan_follow_up(
        orchestrator,
        incident_ref,
        Phase.RESOLVED,
        variables=variables,
        unapproved_reason=unapproved_reason,
    )


def _ensure_sendable(orchestrator: Orchestrator, loaded: LoadedRunbook, reason: str | None) -> None:
    """The approval check exactly as the orchestrator makes it (its own gate)."""
    orchestrator.gate(orchestrator.project, loaded, unapproved_reason=reason)


def _deliveries(
    orchestrator: Orchestrator,
    incident: IncidentRecord,
    runbook: Runbook,
    phase: Phase,
    channels: Sequence[str] | None,
    given: Mapping[str, str],
    words: MessageWords | None = None,
) -> list[PlannedDelivery]:
    targets = orchestrator.channels_for(channels)
    orchestrator._check_values(runbook, given)
    project = orchestrator.project
    compose = channel_texts if words is None else words.channel_texts
    texts = compose(
        project, incident, runbook, phase, targets, given, orchestrator.actor, orchestrator.clock()
    )
    return [
        PlannedDelivery(
            name, text, channel_problem(text.channel, project.root, orchestrator.environ)
        )
        for name, text in texts.items()
    ]
