"""The maintenance use cases: schedule, reschedule, cancel, complete, list, and the steps
due at a moment (the worker's hook, :meth:`Maintenance.run_due`).

A window owns an incident from the start: its notices are that incident's messages, so
they go through the outbox (one transaction, retries, idempotency, fitting) like any other.
The incident is ``scheduled`` until the window starts, when it opens (``investigating``,
the promised cadence begins); the end resolves it. Every step is claimed in the store
inside the transaction that posts it (:func:`maintenance_repo.record_step`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.engine import Connection

from outagecomms.approvals import break_glass_reason
from outagecomms.components.impact import affected_components, follow_incident
from outagecomms.errors import NotFoundError, OutagecommsError, RefusedError, UsageError
from outagecomms.incidents import Orchestrator
from outagecomms.incidents.rules import pin
from outagecomms.incidents.views import Report
from outagecomms.inputs import check_variables
from outagecomms.maintenance.plan import (
    PHASE_OF,
    PlannedStep,
    StepKind,
    due_steps,
    next_step_at,
    timed_steps,
)
from outagecomms.models import Runbook, VariableKind
from outagecomms.moments import parse_moment
from outagecomms.outbox.posting import Posted
from outagecomms.store import Store
from outagecomms.store import maintenance_repo as windows
from outagecomms.store import repository as repo
from outagecomms.store.components_repo import insert_incident_components
from outagecomms.store.records import IncidentStatus, iso_utc
from outagecomms.store.window_rows import WindowRecord
from outagecomms.vocabulary import Phase

log = structlog.get_logger(__name__)

WORKER_ACTOR = "outagecomms-worker"
ORIGIN = "maintenance"
"""The origin of the messages the worker posts for a window's timed steps."""
_REF = re.compile(r"^\s*#?(?:mw-?)?(\d{1,12})\s*$", re.IGNORECASE)


def parse_window_ref(ref: str) -> int:
    """``MW-3``, ``mw-3``, ``3`` -> ``3``; anything else is a usage error."""
    match = _REF.match(ref)
    if match is None:
        raise UsageError(
            f"{ref!r} is not a maintenance window id; ids look like MW-3 "
            "(`outagecomms maintenance list` shows them)"
        )
    return int(match.group(1))


@dataclass(frozen=True)
class WindowView:
    """A window as ``maintenance list`` and the API show it (``report``: the message just
    posted, when a command posted one)."""

    window: WindowRecord
    report: Report | None = None

    def as_json(self) -> dict[str, Any]:
        w = self.window
        shown: dict[str, Any] = {
            "id": w.ref,
            "incident": f"INC-{w.incident_number}",
            "runbook": w.runbook_id,
            "status": w.status,
            "starts_at": iso_utc(w.starts_at),
            "ends_at": iso_utc(w.ends_at),
            "components": w.components,
            "sequence": w.sequence,
            "created_by": w.created_by,
            "created_at": iso_utc(w.created_at),
            "updated_at": iso_utc(w.updated_at),
            "started_at": iso_utc(w.started_at),
            "completed_at": iso_utc(w.completed_at),
            "cancelled_at": iso_utc(w.cancelled_at),
        }
        if self.report is not None:
            shown["deliveries"] = self.report.as_json().get("deliveries", [])
        return shown


class Maintenance:
    """Maintenance windows of one project, on the incident service's store and senders."""

    def __init__(self, orchestrator: Orchestrator) -> None:
        self.orchestrator = orchestrator

    @property
    def store(self) -> Store:
        return self.orchestrator.store

    # -- the commands ---------------------------------------------------------------

    def schedule(
        self,
        runbook_id: str,
        *,
        start: str,
        end: str,
        variables: Mapping[str, str] | None = None,
        components: Sequence[str] = (),
        channels: Sequence[str] = (),
        by: str | None = None,
        unapproved_reason: str | None = None,
    ) -> WindowView:
        """Record a window and announce it at once (the runbook's ``scheduled`` phase)."""
        o = self.orchestrator
        actor = o._actor(by)
        loaded = o.project.runbook(runbook_id)
        reason = o._reason(unapproved_reason)
        o.gate(o.project, loaded, unapproved_reason=reason)
        reason = break_glass_reason(o.project, loaded, reason)
        runbook = loaded.runbook
        _check_phases(runbook)
        now = o.clock()
        starts_at, ends_at = _window_times(start, end, now)
        given = {**dict(variables or {}), **_window_values(runbook, starts_at, ends_at)}
        check_variables(given, o.project.limits)
        o._check_values(runbook, given)
        targets = o.channels_for(list(channels) or None)
        components = _clean_components(components)
        # the components under maintenance (components.yaml): the runbook's and the ones
        # named; they show under_maintenance from the start to the end of the window
        affected = affected_components(
            o.project, runbook, runbook.severity, [f"{c}=under_maintenance" for c in components]
        )
        with self.store.write() as conn:
            number = repo.insert_incident(
                conn,
                runbook_id=runbook.id,
                status=IncidentStatus.SCHEDULED,
                severity=runbook.severity.value,
                phase=Phase.SCHEDULED,
                cadence_seconds=None,
                next_update_at=None,
                variables=given,
                channels=list(channels) or None,
                dedupe_key=None,
                declared_by=actor,
                break_glass_reason=reason,
                started_at=starts_at,
                updated_at=now,
                **pin(runbook),
            )
            window_id = windows.insert_window(
                conn,
                incident_id=number,
                runbook_id=runbook.id,
                status="scheduled",
                starts_at=starts_at,
                ends_at=ends_at,
                components=sorted(affected),
                sequence=0,
                planned_at=now,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            insert_incident_components(conn, number, affected)  # counted once it opens
            incident = repo.get_incident(conn, number)
            assert incident is not None
            posted = o.post_message(
                conn, incident, runbook, Phase.SCHEDULED, targets, given, actor, now
            )
            self._record(conn, window_id, PlannedStep(StepKind.ANNOUNCE, 0, 0, now), now, posted)
            _event(conn, number, now, "maintenance.scheduled", actor, window_id, starts_at, ends_at)
        log.info("maintenance.scheduled", window=f"MW-{window_id}", incident=f"INC-{number}")
        return self._view(window_id, o._deliver(number, posted))

    def reschedule(self, ref: str, *, start: str, end: str, by: str | None = None) -> WindowView:
        """New times for a window that has not started: a notice, the reminders planned
        again for the new start, and a higher SEQUENCE in ``maintenance.ics``."""
        o = self.orchestrator
        actor = o._actor(by)
        window_id = parse_window_ref(ref)
        now = o.clock()
        starts_at, ends_at = _window_times(start, end, now)
        with self.store.write() as conn:
            window = self._locked(conn, window_id, ("scheduled",), "reschedule")
            incident = repo.lock_incident(conn, window.incident_number)
            assert incident is not None
            runbook = o.runbook_of(incident)
            given = {**incident.variables, **_window_values(runbook, starts_at, ends_at)}
            sequence = window.sequence + 1
            windows.update_window(
                conn,
                window_id,
                starts_at=starts_at,
                ends_at=ends_at,
                sequence=sequence,
                planned_at=now,
                updated_at=now,
            )
            repo.update_incident(
                conn, incident.number, variables=given, started_at=starts_at, updated_at=now
            )
            posted = self._post(conn, incident.number, runbook, Phase.RESCHEDULED, actor, now)
            step = PlannedStep(StepKind.RESCHEDULE, sequence, 0, now)
            self._record(conn, window_id, step, now, posted)
            _event(
                conn, incident.number, now, "maintenance.rescheduled", actor, window_id,
                starts_at, ends_at,
            )  # fmt: skip
        return self._view(window_id, o._deliver(window.incident_number, posted))

    def cancel(self, ref: str, *, by: str | None = None) -> WindowView:
        """Call off a window that has not started: one notice, then nothing more."""
        o = self.orchestrator
        actor = o._actor(by)
        window_id = parse_window_ref(ref)
        now = o.clock()
        with self.store.write() as conn:
            window = self._locked(conn, window_id, ("scheduled",), "cancel")
            incident = repo.lock_incident(conn, window.incident_number)
            assert incident is not None
            runbook = o.runbook_of(incident)
            sequence = window.sequence + 1
            windows.update_window(
                conn,
                window_id,
                status="cancelled",
                sequence=sequence,
                cancelled_at=now,
                updated_at=now,
            )
            repo.update_incident(
                conn,
                incident.number,
                status=IncidentStatus.CANCELLED.value,
                phase=Phase.CANCELLED.value,
                updated_at=now,
            )
            posted = self._post(conn, incident.number, runbook, Phase.CANCELLED, actor, now)
            self._record(
                conn, window_id, PlannedStep(StepKind.CANCEL, sequence, 0, now), now, posted
            )
            _event(
                conn, incident.number, now, "maintenance.cancelled", actor, window_id,
                window.starts_at, window.ends_at,
            )  # fmt: skip
        return self._view(window_id, o._deliver(window.incident_number, posted))

    def complete(self, ref: str, *, by: str | None = None) -> WindowView:
        """End a window that is under way now, before its planned end: "completed" goes
        out, the incident is resolved, and the worker's end-of-window step is not taken."""
        o = self.orchestrator
        actor = o._actor(by)
        window_id = parse_window_ref(ref)
        with self.store.read() as conn:
            window = windows.get_window(conn, window_id)
        if window is None:
            raise NotFoundError(f"no maintenance window MW-{window_id}")
        if window.status != "in_progress":
            raise RefusedError(_refusal(window, "complete"))
        step = PlannedStep(StepKind.COMPLETE, window.sequence, 0, window.ends_at)
        posted = self._take(window_id, step, [], o.clock(), actor, origin="human")
        if posted is None:
            raise RefusedError(_refusal(window, "complete"))
        return self._view(window_id, o._deliver(window.incident_number, posted))

    def upcoming(self, *, include_done: bool = False) -> list[WindowView]:
        statuses = None if include_done else windows.ACTIVE
        with self.store.read() as conn:
            found = windows.list_windows(conn, statuses=statuses)
        return [WindowView(window) for window in found]

    # -- the worker's hook ----------------------------------------------------------

    def run_due(self, now: datetime) -> list[str]:
        """Take every step due at ``now`` (one per window: the latest), posting its message
        to the outbox (the worker sends it); one line per step taken. One window's problem
        never stops the others: it is logged and tried again at the next step."""
        taken: list[str] = []
        with self.store.read() as conn:
            active = windows.list_windows(conn, statuses=windows.ACTIVE)
            done = {w.id: {_key(s) for s in windows.steps_of(conn, w.id)} for w in active}
        for window in active:
            try:
                planned = timed_steps(window, self._leads(window))
            except OutagecommsError as exc:
                log.error("maintenance.step_failed", window=window.ref, error=str(exc))
                continue
            step, skipped = due_steps(planned, done[window.id], now)
            if step is None:
                continue
            try:
                posted = self._take(window.id, step, skipped, now, WORKER_ACTOR, origin=ORIGIN)
            except OutagecommsError as exc:
                log.error("maintenance.step_failed", window=window.ref, error=str(exc))
                continue
            if posted is not None:
                taken.append(f"{window.ref} {step.kind.value}")
        return taken

    def next_due(self) -> datetime | None:
        """The next moment a window has a step to take (None: none planned)."""
        with self.store.read() as conn:
            active = windows.list_windows(conn, statuses=windows.ACTIVE)
            done = {w.id: {_key(s) for s in windows.steps_of(conn, w.id)} for w in active}
        moments = []
        for window in active:
            try:
                planned = timed_steps(window, self._leads(window))
            except OutagecommsError:
                continue
            moment = next_step_at(planned, done[window.id])
            if moment is not None:
                moments.append(moment)
        return min(moments) if moments else None

    # -- taking one step ------------------------------------------------------------

    def _take(
        self,
        window_id: int,
        step: PlannedStep,
        skipped: Sequence[PlannedStep],
        now: datetime,
        actor: str,
        *,
        origin: str,
    ) -> Posted | None:
        """Take ``step`` (and record ``skipped`` as skipped) with the window locked; None
        when it was taken already (by another worker, or by ``complete``)."""
        o = self.orchestrator
        with self.store.write() as conn:
            window = windows.get_window(conn, window_id, lock=True)
            if window is None or window.status not in windows.ACTIVE:
                return None
            if window.sequence != step.sequence:
                return None  # rescheduled meanwhile: the new plan has its own steps
            taken = {_key(s) for s in windows.steps_of(conn, window_id)}
            if step.key in taken:
                return None
            for earlier in skipped:
                if earlier.key not in taken:
                    self._record(conn, window_id, earlier, now, None)
            incident = repo.lock_incident(conn, window.incident_number)
            assert incident is not None
            runbook = o.runbook_of(incident)
            phase = PHASE_OF[step.kind]
            if step.kind is StepKind.START:
                cadence = incident.cadence_override or runbook.cadence_for(runbook.severity)
                repo.update_incident(
                    conn,
                    incident.number,
                    status=IncidentStatus.OPEN.value,
                    phase=phase.value,
                    next_update_at=now + cadence,
                    started_at=window.starts_at,
                    updated_at=now,
                )
                windows.update_window(
                    conn, window_id, status="in_progress", started_at=now, updated_at=now
                )
                follow_incident(conn, incident.number, now, actor, source="maintenance")
            elif step.kind is StepKind.COMPLETE:
                repo.update_incident(
                    conn,
                    incident.number,
                    status=IncidentStatus.RESOLVED.value,
                    phase=phase.value,
                    next_update_at=None,
                    resolved_at=now,
                    updated_at=now,
                )
                windows.update_window(
                    conn, window_id, status="completed", completed_at=now, updated_at=now
                )
                follow_incident(conn, incident.number, now, actor, source="resolve")
            else:
                repo.update_incident(conn, incident.number, phase=phase.value, updated_at=now)
            posted = self._post(conn, incident.number, runbook, phase, actor, now, origin=origin)
            self._record(conn, window_id, step, now, posted)
            _event(
                conn, incident.number, now, f"maintenance.{step.kind.value}", actor, window_id,
                window.starts_at, window.ends_at,
            )  # fmt: skip
        log.info("maintenance.step", window=f"MW-{window_id}", step=step.kind.value)
        return posted

    def _post(
        self,
        conn: Connection,
        number: int,
        runbook: Runbook,
        phase: Phase,
        actor: str,
        now: datetime,
        *,
        origin: str = "human",
    ) -> Posted:
        o = self.orchestrator
        incident = repo.get_incident(conn, number)
        assert incident is not None
        targets = o.channels_for(incident.channels)
        return o.post_message(
            conn, incident, runbook, phase, targets, incident.variables, actor, now, origin=origin
        )

    @staticmethod
    def _record(
        conn: Connection, window_id: int, step: PlannedStep, now: datetime, posted: Posted | None
    ) -> None:
        windows.record_step(
            conn,
            window_id=window_id,
            step=step.kind.value,
            sequence=step.sequence,
            lead_seconds=step.lead_seconds,
            due_at=step.due_at,
            done_at=now,
            outcome="skipped" if posted is None else "posted",
            message_id=None if posted is None else posted.message_id,
        )

    def _locked(
        self, conn: Connection, window_id: int, allowed: tuple[str, ...], verb: str
    ) -> WindowRecord:
        window = windows.get_window(conn, window_id, lock=True)
        if window is None:
            raise NotFoundError(
                f"no maintenance window MW-{window_id} (`outagecomms maintenance list --all`)"
            )
        if window.status not in allowed:
            raise RefusedError(_refusal(window, verb))
        return window

    def _leads(self, window: WindowRecord) -> list[Any]:
        with self.store.read() as conn:
            incident = repo.get_incident(conn, window.incident_number)
        assert incident is not None
        return list(self.orchestrator.runbook_of(incident).remind_before or [])

    def _view(self, window_id: int, report: Report | None = None) -> WindowView:
        with self.store.read() as conn:
            window = windows.get_window(conn, window_id)
        assert window is not None
        return WindowView(window, report)


def _key(step: windows.StepRecord) -> tuple[str, int, int]:
    return (step.step, step.sequence, step.lead_seconds)


def _refusal(window: WindowRecord, verb: str) -> str:
    hints = {
        "in_progress": "it is under way; end it with `outagecomms maintenance complete "
        f"{window.ref}`",
        "completed": "it is over",
        "cancelled": "it was cancelled; schedule a new one",
        "scheduled": f"it has not started; call it off with `outagecomms maintenance cancel "
        f"{window.ref}`",
    }
    return f"cannot {verb} {window.ref}: {hints.get(window.status, window.status)}"


def _check_phases(runbook: Runbook) -> None:
    needed = [Phase.SCHEDULED, Phase.RESCHEDULED, Phase.CANCELLED]
    if runbook.remind_before:
        needed.append(Phase.UPCOMING)
    missing = [p.value for p in needed if p not in runbook.messages]
    if missing:
        raise UsageError(
            f"runbook {runbook.id!r} has no {', '.join(missing)} messages, which a maintenance "
            'window sends; add them under messages: (README "Maintenance windows") or use '
            "the scheduled-maintenance runbook"
        )


def _window_times(start: str, end: str, now: datetime) -> tuple[datetime, datetime]:
    try:
        starts_at = parse_moment(start, now)
    except ValueError as exc:
        raise UsageError(f"--start: {exc}") from None
    try:
        ends_at = parse_moment(end, now)
    except ValueError as exc:
        raise UsageError(f"--end: {exc}") from None
    if ends_at <= starts_at:
        raise UsageError("--end must be after --start; a window ends after it starts")
    if ends_at <= now:
        raise UsageError("--end is in the past; a window is scheduled ahead of its end")
    return starts_at, ends_at


def _window_values(runbook: Runbook, starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    """``window_start`` and ``window_end``, when the runbook declares them as time
    variables: each channel reads them in its own zone and language."""
    values: dict[str, str] = {}
    for name, moment in (("window_start", starts_at), ("window_end", ends_at)):
        spec = runbook.variables.get(name)
        if spec is not None and spec.kind is VariableKind.TIME:
            values[name] = moment.isoformat()
    return values


def _clean_components(components: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for component in components:
        name = component.strip()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
            raise UsageError(
                f"--component {component!r}: a component id is lowercase letters, digits, "
                "'-' and '_' (as in components.yaml)"
            )
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _event(
    conn: Connection,
    number: int,
    now: datetime,
    kind: str,
    actor: str,
    window_id: int,
    starts_at: datetime,
    ends_at: datetime,
) -> None:
    repo.add_event(
        conn,
        incident=number,
        at=now,
        kind=kind,
        actor=actor,
        detail={
            "window": f"MW-{window_id}",
            "starts_at": iso_utc(starts_at),
            "ends_at": iso_utc(ends_at),
        },
    )
