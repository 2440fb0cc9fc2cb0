"""Keeping the update cadence: the runbook's ``update`` phase (origin ``cadence``) when an
incident's promise has passed, or a block (with a notice to staff) when it cannot be
composed."""

from __future__ import annotations

from datetime import datetime

import structlog

from outagecomms.errors import StoreError
from outagecomms.models import Audience, Phase, Severity
from outagecomms.store import repository as repo
from outagecomms.store.records import IncidentRecord, iso_utc, public_id
from outagecomms.store.repository import UNBLOCKED
from outagecomms.worker.base import WorkerBase
from outagecomms.worker.report import StepReport
from outagecomms.worker.service import _cadence
from outagecomms.worker.settings import (
    BLOCKED_RETRY,
    WORKER_ACTOR,
)
from outagecomms.worker.texts import blocked_text, notice_items, problem_text

log = structlog.get_logger(__name__)


class KeepingCadence(WorkerBase):
    """Automatic updates when a promise passes without a human message."""

    def _cadence_update(
        self, number: int, now: datetime, report: StepReport, read: IncidentRecord | None = None
    ) -> bool:
        """Post the automatic update if, with the incident locked, it is still open and
        its promise has passed. Returns whether it was posted.

        It renders from the runbook pinned on the incident (README "When things go wrong"),
        so an edited runbook file neither stops the cadence nor sends unapproved words. Any
        exception but a store error blocks this incident (:meth:`_block`); the others go on.
        ``read``: the incident as just read with the other overdue ones (no read of its own;
        the write below locks and checks it again)."""
        incident_id = public_id(number)
        try:
            incident = read
            if incident is None:
                with self.store.read() as conn:
                    incident = repo.get_incident(conn, number)
            if incident is None:
                return False
            runbook = self.orchestrator.runbook_of(incident)
            targets = self.orchestrator.channels_for(incident.channels)
            # composed before the write transaction (a slow template holds no lock)
            facts = self.orchestrator.facts_for(
                incident.id,
                Severity(incident.severity),
                incident.started_at,
                now,
                now + _cadence(incident, runbook),
                resolved_at=None,
            )
            composed = self.orchestrator.compose_all(
                runbook, Phase.UPDATE, targets, facts, incident.variables
            )
            with self.store.write() as conn:
                current = repo.lock_incident(conn, number)
                promised = None if current is None else current.next_update_at
                if current is None or not current.is_open or promised is None or promised > now:
                    return False  # resolved, or a human (or another worker) posted meanwhile
                cadence = _cadence(current, runbook)
                repo.update_incident(
                    conn, number, next_update_at=now + cadence, updated_at=now, **UNBLOCKED
                )
                current = repo.get_incident(conn, number)
                assert current is not None
                late = now - promised
                repo.add_event(
                    conn,
                    incident=number,
                    at=now,
                    kind="incident.automatic_update",
                    actor=WORKER_ACTOR,
                    detail={
                        "promised_at": iso_utc(promised),
                        "late_by_seconds": int(late.total_seconds()),
                        "catch_up": late >= cadence,
                        "next_update_at": iso_utc(current.next_update_at),
                        "worker": self.id,
                    },
                )
                posted = self.orchestrator.post_message(
                    conn,
                    current,
                    runbook,
                    Phase.UPDATE,
                    targets,
                    current.variables,
                    WORKER_ACTOR,
                    now,
                    origin="cadence",
                    composed=composed,
                )
            report.note_broken_channels(posted.broken)
        except StoreError:
            raise
        except Exception as exc:  # one poisoned incident never stops the worker
            problem = problem_text(exc)
            self._block(number, now, f"automatic update of {incident_id} not sent: {problem}")
            report.problems.append(f"{incident_id}: {problem}")
            return False
        log.info("incident.automatic_update", incident=incident_id, promised_at=iso_utc(promised))
        return True

    def _block(self, number: int, now: datetime, problem: str) -> None:
        """Hold the incident back until :data:`BLOCKED_RETRY` from ``now``, with the reason
        stored on it (``status`` and ``show`` print it). The first time (not on every retry)
        an event is logged and the incident's internal channels are told."""
        log.error("worker.incident_blocked", incident=public_id(number), problem=problem)
        with self.store.write() as conn:
            current = repo.get_incident(conn, number)
            if current is None:
                return
            first = current.blocked_reason is None
            repo.update_incident(
                conn,
                number,
                blocked_reason=problem,
                blocked_at=current.blocked_at if not first else now,
                blocked_until=now + BLOCKED_RETRY,
            )
            if first:
                repo.add_event(
                    conn,
                    incident=number,
                    at=now,
                    kind="incident.automatic_update_blocked",
                    actor=WORKER_ACTOR,
                    detail={"problem": problem, "retry_every": int(BLOCKED_RETRY.total_seconds())},
                )
        if first:
            self._tell_staff(current, problem, now)

    def _tell_staff(self, incident: IncidentRecord, problem: str, now: datetime) -> None:
        """Best effort, once per block: the incident's internal channels hear that customers
        are not being updated, and why. Never raises."""
        try:
            targets = self.orchestrator.channels_for(incident.channels)
        except Exception:  # no channel to tell: the block is in status and show
            return
        internal = {n: c for n, c in targets.items() if c.audience is Audience.INTERNAL}
        notice = blocked_text(incident, problem)
        items = notice_items("blocked", notice, internal, incident.id, now.isoformat())
        if not items:
            return
        outcomes = self.orchestrator.send_now(items)
        with self.store.write() as conn:
            repo.add_event(
                conn,
                incident=incident.number,
                at=now,
                kind="incident.blocked_notice",
                actor=WORKER_ACTOR,
                detail={
                    "channels": {
                        o.key.removeprefix("blocked:"): o.error or "sent" for o in outcomes
                    }
                },
            )
