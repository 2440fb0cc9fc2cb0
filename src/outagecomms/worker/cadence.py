"""Keeping the update cadence: the runbook's ``update`` phase (origin ``cadence``) when an
incident's promise has passed, or a block (with a notice to staff) when it cannot be
composed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.engine import Connection

from outagecomms.compose_once import ComposedOnce
from outagecomms.errors import StoreError
from outagecomms.fanout import Composition
from outagecomms.models import Audience, Channel, Phase, Runbook, Severity
from outagecomms.outbox.posting import Draft
from outagecomms.store import repository as repo
from outagecomms.store.cadence_repo import lock_incidents, promise_next_updates
from outagecomms.store.events_repo import add_events
from outagecomms.store.incidents_repo import UNBLOCKED
from outagecomms.store.records import IncidentRecord, iso_utc, public_id
from outagecomms.worker.base import WorkerBase
from outagecomms.worker.report import StepReport
from outagecomms.worker.service import _cadence
from outagecomms.worker.settings import (
    BLOCKED_RETRY,
    WORKER_ACTOR,
)
from outagecomms.worker.texts import blocked_text, notice_items, problem_text

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class _Due:
    """An overdue incident, as read with the others, and its automatic update composed
    before the write transaction (a slow template holds no lock)."""

    incident: IncidentRecord
    runbook: Runbook
    targets: dict[str, Channel]
    composed: Composition


class KeepingCadence(WorkerBase):
    """Automatic updates when a promise passes without a human message."""

    def _cadence_update(
        self, number: int, now: datetime, report: StepReport, read: IncidentRecord | None = None
    ) -> bool:
        """Post the automatic update of one incident if, with it locked, it is still open
        and its promise has passed (see :meth:`_cadence_updates`). Returns whether it was
        posted. ``read``: the incident as just read (None: read here)."""
        incident = read
        if incident is None:
            with self.store.read() as conn:
                incident = repo.get_incident(conn, number)
        if incident is None:
            return False
        return bool(self._cadence_updates([incident], now, report))

    def _cadence_updates(
        self, overdue: Sequence[IncidentRecord], now: datetime, report: StepReport
    ) -> list[str]:
        """Post the automatic updates of ``overdue`` (as just read, each at most once) whose
        incident, locked, is still open with its promise passed; the ids of those posted.

        Each renders from the runbook pinned on its incident (README "When things go
        wrong"), so an edited runbook file neither stops the cadence nor sends unapproved
        words; one text is composed per distinct set of facts (:class:`ComposedOnce`).
        They are written together, in one transaction. Any exception but a store error
        blocks the incident it belongs to (:meth:`_block`) and the others go on: one that
        cannot be composed is left out of the batch; when writing the batch fails, it
        rolls back whole and its incidents are written one at a time, so only the one at
        fault is blocked."""
        once = ComposedOnce()
        due: list[_Due] = []
        for incident in overdue:
            try:
                due.append(self._compose_update(incident, now, once))
            except StoreError:
                raise
            except Exception as exc:  # one poisoned incident never stops the worker
                self._not_sent(incident.number, now, exc, report)
        if not due:
            return []
        try:
            with self.store.write() as conn:
                posted = self._post_updates(conn, due, now)
        except StoreError:
            raise
        except Exception as exc:
            log.warning("worker.batch_written_one_by_one", size=len(due), error=problem_text(exc))
            posted = []
            for one in due:
                try:
                    with self.store.write() as conn:
                        posted += self._post_updates(conn, [one], now)
                except StoreError:
                    raise
                except Exception as error:
                    self._not_sent(one.incident.number, now, error, report)
        for posted_id, promised, broken in posted:
            report.note_broken_channels(broken)
            log.info("incident.automatic_update", incident=posted_id, promised_at=iso_utc(promised))
        return [posted_id for posted_id, _, _ in posted]

    def _compose_update(self, incident: IncidentRecord, now: datetime, once: ComposedOnce) -> _Due:
        runbook = self.orchestrator.runbook_of(incident)
        targets = self.orchestrator.channels_for(incident.channels)
        facts = self.orchestrator.facts_for(
            incident.id,
            Severity(incident.severity),
            incident.started_at,
            now,
            now + _cadence(incident, runbook),
            resolved_at=None,
        )
        composed = self.orchestrator.compose_all(
            runbook, Phase.UPDATE, targets, facts, incident.variables, once=once
        )
        return _Due(incident, runbook, targets, composed)

    def _post_updates(
        self, conn: Connection, due: Sequence[_Due], now: datetime
    ) -> list[tuple[str, datetime, dict[str, str]]]:
        """Inside the caller's transaction: lock the incidents of ``due``, and for each one
        still open whose promise has passed (not resolved, nor updated by a human or
        another worker meanwhile) set its next promise a cadence from ``now``, add its
        ``incident.automatic_update`` event and post its update. Returns (incident id, the
        promise it kept, its broken channels) of each one posted."""
        current = lock_incidents(conn, [one.incident.number for one in due])
        kept: list[tuple[_Due, datetime, timedelta]] = []
        for one in due:
            found = current.get(one.incident.number)
            promised = None if found is None else found.next_update_at
            if found is None or not found.is_open or promised is None or promised > now:
                continue
            kept.append((one, promised, _cadence(found, one.runbook)))
        if not kept:
            return []
        promises = {one.incident.number: now + cadence for one, _, cadence in kept}
        promise_next_updates(conn, promises, now=now)
        fresh = {  # as the store has them now (no second read)
            number: replace(current[number], next_update_at=at, updated_at=now, **UNBLOCKED)
            for number, at in promises.items()
        }
        add_events(
            conn,
            [
                self._automatic_update_event(fresh[one.incident.number], promised, cadence, now)
                for one, promised, cadence in kept
            ],
        )
        drafts = [
            Draft(incident, one.runbook, Phase.UPDATE, one.targets, incident.variables,
                  one.composed)
            for one, _, _ in kept
            for incident in [fresh[one.incident.number]]
        ]  # fmt: skip
        posted = self.orchestrator.post_messages(conn, drafts, WORKER_ACTOR, now, origin="cadence")
        return [
            (one.incident.id, promised, dict(message.broken))
            for (one, promised, _), message in zip(kept, posted, strict=True)
        ]

    def _automatic_update_event(
        self, incident: IncidentRecord, promised: datetime, cadence: timedelta, now: datetime
    ) -> dict[str, Any]:
        late = now - promised
        return {
            "incident_id": incident.number,
            "at": now,
            "kind": "incident.automatic_update",
            "actor": WORKER_ACTOR,
            "detail": {
                "promised_at": iso_utc(promised),
                "late_by_seconds": int(late.total_seconds()),
                "catch_up": late >= cadence,
                "next_update_at": iso_utc(incident.next_update_at),
                "worker": self.id,
            },
        }

    def _not_sent(self, number: int, now: datetime, exc: Exception, report: StepReport) -> None:
        """Block the incident whose automatic update ``exc`` stopped, and say so."""
        problem = problem_text(exc)
        incident_id = public_id(number)
        self._block(number, now, f"automatic update of {incident_id} not sent: {problem}")
        report.problems.append(f"{incident_id}: {problem}")

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
