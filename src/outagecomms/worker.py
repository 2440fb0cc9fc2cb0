"""The worker: keeps every open incident's update cadence and sends what is due.

One step (:meth:`Worker.run_once`) does, at one moment ``now``:

1. a heartbeat (so ``declare`` and ``status`` can tell whether any worker is alive);
2. for every open incident whose ``next_update_at`` has passed without a human message,
   the runbook's ``update`` phase (origin ``cadence``) with the next promise from *now*:
   after downtime that is one catch-up update, then the cadence again. The decision is
   taken inside the write transaction, with the incident locked and re-checked, so two
   workers never both post one, and a resolution or a human update wins;
3. the internal channels' reminder, a runbook's ``reminder:`` before an automatic update;
4. every delivery that is due: claimed under a lease (:func:`repository.claim_due`), sent
   with :func:`outagecomms.delivery.send_all` (through the orchestrator's sender),
   recorded, and retried on the :class:`~outagecomms.delivery.RetryPolicy` schedule.

:meth:`Worker.serve` repeats the step, sleeping until the next due moment (computed from
the store, at most one heartbeat interval) unless woken earlier: on PostgreSQL by
``LISTEN``/``NOTIFY`` (every committed message or attempt notifies), on SQLite by a cheap
check of ``PRAGMA data_version`` once per poll interval (default 1 s; no query of the
tables). ``SIGTERM``/``SIGINT`` stop it after the sends in flight are recorded.

For the reliability suite only: ``OUTAGECOMMS_TEST_CRASH_AT=claimed|sending|sent|recorded``
(read once, when a :class:`Worker` is made) makes the process SIGKILL itself at that step
of a delivery batch: claimed but not committed, committed as ``sending``, sent but not
recorded, recorded but not committed (:data:`CRASH_STEPS`).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.engine import Connection

from outagecomms.counting import fit_text
from outagecomms.delivery import Outcome, Outgoing
from outagecomms.durations import format_duration
from outagecomms.errors import OutagecommsError, StoreError
from outagecomms.incidents import UNBLOCKED, Orchestrator
from outagecomms.models import Audience, Channel, Phase, Runbook, Severity
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.records import DeliveryRecord, IncidentRecord, MessageRecord, public_id

log = structlog.get_logger(__name__)

WORKER_ACTOR = "outagecomms worker"
ANNOUNCED_STATES = {
    "sent": "sent",
    "retry": "queued for retry",
    "failed": "failed",
    "blocked": "blocked",
}
"""How the worker's line per message names each delivery state."""
"""The author of automatic updates, as staff see it on internal channels."""
HEARTBEAT_EVERY = timedelta(seconds=30)
"""How often a worker records that it is alive (it wakes at least this often)."""
STALE_AFTER = timedelta(seconds=90)
"""A worker not seen for this long is presumed gone: ``declare`` and ``status`` warn."""
FORGET_AFTER = timedelta(days=7)
BLOCKED_RETRY = timedelta(seconds=60)
"""How long an incident whose automatic update cannot be composed (a template that raises,
a pinned runbook that no longer validates, bad values), or a delivery that cannot be sent
(its channel file is broken), waits before the worker tries it again. The block is stored
on the incident (or the delivery), so a restarted worker does not crash-loop on it."""
DEFAULT_POLL_INTERVAL = 1.0
"""Seconds between two SQLite ``PRAGMA data_version`` checks while the worker sleeps."""
MIN_SLEEP = 1.0
"""The shortest sleep when something is due that the worker cannot take yet (a delivery
under another process's live lease): never a busy loop."""
MAX_CLAIM_ROUNDS = 10_000
PROMISE_BATCH = 50
"""Overdue promises (or due reminders) taken up per round of a step, before the
deliveries they queued are sent and the next round is taken."""
CRASH_STEPS = frozenset({"claimed", "sending", "sent", "recorded"})
"""Where ``OUTAGECOMMS_TEST_CRASH_AT`` may kill the worker (tests only)."""


@dataclass
class StepReport:
    """What one :meth:`Worker.run_once` did."""

    at: datetime
    updates: list[str] = field(default_factory=list)
    """Incidents that got an automatic update."""
    reminders: list[str] = field(default_factory=list)
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    taken_over: int = 0
    problems: list[str] = field(default_factory=list)

    def note_broken_channels(self, broken: Mapping[str, str]) -> None:
        """A channel file that is broken is one problem per step, not one per incident."""
        for name, problem in sorted(broken.items()):
            line = f"channel {name} not reached: {problem}"
            if line not in self.problems:
                self.problems.append(line)

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "automatic_updates": self.updates,
            "reminders": self.reminders,
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "taken_over": self.taken_over,
            "problems": self.problems,
        }


class Worker:
    """One worker on one store. ``orchestrator`` supplies the project, the store, the
    clock, the sender, the retry policy and this worker's lease owner id."""

    def __init__(
        self,
        orchestrator: Orchestrator,
        *,
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
        lease: timedelta | None = None,
        reload_project: bool = True,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        self.orchestrator = orchestrator
        self.on_message = on_message
        """Called with one line per message this worker sent (the CLI prints it)."""
        self.lease = lease or orchestrator.lease_length()
        """How long a claim lasts before another worker may take it over; longer than a
        send's deadline (default: the send timeout + 60 s)."""
        self.heartbeat_every = heartbeat_every
        self.reload_project = reload_project
        self.id = orchestrator.owner
        self._last_beat: datetime | None = None
        self._stop = threading.Event()
        self._wakeup: Wakeup | None = None
        crash_at = os.environ.get("OUTAGECOMMS_TEST_CRASH_AT", "")
        self._crash_at = crash_at if crash_at in CRASH_STEPS else None

    @property
    def store(self) -> Store:
        return self.orchestrator.store

    @property
    def project(self) -> Project:
        return self.orchestrator.project

    @property
    def batch(self) -> int:
        from outagecomms.delivery import DEFAULT_CONCURRENCY

        return self.orchestrator.concurrency or DEFAULT_CONCURRENCY

    # --- one step ------------------------------------------------------------------

    def run_once(self, now: datetime | None = None) -> StepReport:
        """Do everything due at ``now`` (default: the clock, read afresh at each stage).

        Due promises are taken :data:`PROMISE_BATCH` at a time, longest overdue first, and
        what each batch queued is sent before the next batch is posted, so when thousands
        of promises fall due together the first customers still hear at once. The store
        is asked only for what is due (an index on ``next_update_at``), never for every
        open incident. A :meth:`stop` ends the step between two batches; whatever was
        posted stays queued in the outbox for the next step (or another worker)."""
        clock: Callable[[], datetime] = (lambda: now) if now is not None else self.clock
        if self.reload_project:  # runbooks and channels may have changed on disk
            old = self.orchestrator.project
            self.orchestrator.project = Project(old.root, old.environ)
        report = StepReport(at=clock())
        self.heartbeat(clock())
        taken: set[int] = set()
        while not self.stopping:
            posted = self._keep_promises(clock, report, taken)
            self._deliver_all(clock, report)
            if not posted:
                break
        if not self.stopping:
            self._send_reminders(clock, report)
            self._deliver_all(clock, report)
        return report

    def _keep_promises(
        self, clock: Callable[[], datetime], report: StepReport, taken: set[int]
    ) -> int:
        """One batch of automatic updates for overdue promises; how many incidents not
        ``taken`` earlier in this step it took up (each at most once per step)."""
        moment = clock()
        with self.store.read() as conn:
            overdue = repo.overdue_incidents(conn, now=moment, limit=PROMISE_BATCH)
        fresh = [incident for incident in overdue if incident.number not in taken]
        for incident in fresh:
            if self.stopping:
                break
            taken.add(incident.number)
            if self._cadence_update(incident.number, clock(), report):
                report.updates.append(incident.id)
        return len(fresh)

    def _send_reminders(self, clock: Callable[[], datetime], report: StepReport) -> None:
        """Every reminder that is due, :data:`PROMISE_BATCH` incidents at a time."""
        seen: set[int] = set()
        with self.store.read() as conn:
            leads = self._reminder_leads(conn)
        while leads and not self.stopping:
            moment = clock()
            with self.store.read() as conn:
                due = repo.reminders_due(conn, leads=leads, now=moment, limit=PROMISE_BATCH)
            fresh = [incident for incident in due if incident.number not in seen]
            if not fresh:
                return
            for incident in fresh:
                seen.add(incident.number)
                lead = leads[(incident.runbook_id, incident.runbook_sha256)]
                try:
                    self._remind(incident, lead, clock(), report)
                except StoreError:
                    raise
                except Exception as exc:  # one incident's reminder never stops the step
                    report.problems.append(f"{incident.id}: reminder not sent: {problem_text(exc)}")

    def _deliver_all(self, clock: Callable[[], datetime], report: StepReport) -> None:
        for _ in range(MAX_CLAIM_ROUNDS):
            if self.stopping or not self._deliver_due(clock, report):
                break

    def clock(self) -> datetime:
        return self.orchestrator.clock()

    def heartbeat(self, now: datetime, *, force: bool = False) -> None:
        recent = self._last_beat is not None and now - self._last_beat < self.heartbeat_every
        if recent and not force:
            return
        with self.store.write() as conn:
            repo.heartbeat(
                conn, worker=self.id, hostname=socket.gethostname(), pid=os.getpid(), now=now
            )
            if self._last_beat is None:
                repo.forget_workers(conn, before=now - FORGET_AFTER)
        self._last_beat = now

    def _crash_point(self, step: str) -> None:
        """Die here, as a power cut would, when the reliability suite asks for ``step``."""
        if self._crash_at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    # --- cadence -------------------------------------------------------------------

    def _cadence_update(self, number: int, now: datetime, report: StepReport) -> bool:
        """Post the automatic update if, with the incident locked, it is still open and
        its promise has passed. Returns whether it was posted.

        It renders from the runbook pinned on the incident (product-spec §8), so an edited
        runbook file neither stops the cadence nor sends unapproved words. Any exception
        but a store error blocks this incident (:meth:`_block`); the others go on."""
        incident_id = public_id(number)
        try:
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
                        "promised_at": _iso(promised),
                        "late_by_seconds": int(late.total_seconds()),
                        "catch_up": late >= cadence,
                        "next_update_at": _iso(current.next_update_at),
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
        log.info("incident.automatic_update", incident=incident_id, promised_at=_iso(promised))
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
        title, body = blocked_text(incident, problem)
        items = [
            Outgoing(
                key=f"blocked:{name}",
                channel=channel,
                title=title,
                body=fit_text(body, channel),
                idempotency_key=_stable_key("blocked", incident.id, now.isoformat(), name),
            )
            for name, channel in sorted(internal.items())
        ]
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

    # --- reminders -----------------------------------------------------------------

    def _reminder_leads(self, conn: Connection) -> dict[repo.RunbookVersion, timedelta]:
        """Runbook version -> its ``reminder:`` lead, for the runbook versions pinned on
        open incidents that have one (from the file for incidents declared before pinning;
        a runbook that cannot be read has none: its incidents are blocked)."""
        leads: dict[repo.RunbookVersion, timedelta] = {}
        for runbook_id, sha256 in repo.open_runbook_versions(conn):
            try:
                runbook = (
                    self.project.runbook(runbook_id).runbook
                    if sha256 is None
                    else self.orchestrator.pinned_version(conn, sha256)
                )
            except (OutagecommsError, ValueError):
                continue
            if runbook is not None and runbook.reminder is not None:
                leads[(runbook_id, sha256)] = runbook.reminder
        return leads

    def _remind(
        self, incident: IncidentRecord, lead: timedelta, now: datetime, report: StepReport
    ) -> None:
        """Nudge the incident's internal channels, once per promise (decided in a write
        transaction, so one worker sends it). Best effort: not retried. A promise that
        needs no reminder (no internal channel, or a cadence no longer than the lead) is
        marked as handled too, so it is not looked at again."""
        promise = incident.next_update_at
        assert promise is not None
        internal: dict[str, Channel] = {}
        problem = None
        if lead < _cadence_of(self.orchestrator, incident):
            try:
                targets = self.orchestrator.channels_for(incident.channels)
            except OutagecommsError as exc:
                problem = f"{incident.id}: reminder not sent: {exc}"
            else:
                internal = {n: c for n, c in targets.items() if c.audience is Audience.INTERNAL}
        with self.store.write() as conn:
            if not repo.mark_reminded(conn, incident.number, promise):
                return  # another worker took it, or the promise changed meanwhile
        if problem is not None:
            report.problems.append(problem)
        if not internal:
            return
        title, body = reminder_text(incident, promise, now)
        items = [
            Outgoing(
                key=f"reminder:{name}",
                channel=channel,
                title=title,
                body=body,
                idempotency_key=_stable_key("reminder", incident.id, promise.isoformat(), name),
            )
            for name, channel in sorted(internal.items())
        ]
        outcomes = self.orchestrator.send_now(items)
        with self.store.write() as conn:
            repo.add_event(
                conn,
                incident=incident.number,
                at=now,
                kind="reminder.sent",
                actor=WORKER_ACTOR,
                detail={
                    "for": _iso(promise),
                    "channels": {
                        o.key.removeprefix("reminder:"): o.error or "sent" for o in outcomes
                    },
                },
            )
        report.reminders.append(incident.id)

    # --- deliveries ----------------------------------------------------------------

    def _deliver_due(self, clock: Callable[[], datetime], report: StepReport) -> bool:
        """Claim one batch of due deliveries, send it, record it. False when nothing was
        left to claim or cancel."""
        now = clock()
        with self.store.write() as conn:
            claim = repo.claim_due(
                conn,
                owner=self.id,
                now=now,
                lease_until=now + self.lease,
                limit=self.batch,
            )
            if claim.claimed:
                self._crash_point("claimed")
            for record, reason in claim.cancelled:
                repo.add_event(
                    conn,
                    incident=claim.incident_of[record.id],
                    at=now,
                    kind="delivery.cancelled",
                    actor=WORKER_ACTOR,
                    detail={"channel": record.channel, "message": record.message_id, "why": reason},
                )
            for record in claim.claimed:
                if record.id in claim.taken_over:
                    repo.add_event(
                        conn,
                        incident=claim.incident_of[record.id],
                        at=now,
                        kind="delivery.taken_over",
                        actor=WORKER_ACTOR,
                        detail={
                            "channel": record.channel,
                            "from": claim.taken_over[record.id],
                            "worker": self.id,
                        },
                    )
        report.cancelled += len(claim.cancelled)
        report.taken_over += len(claim.taken_over)
        if not claim.claimed:
            return bool(claim.cancelled)
        self._crash_point("sending")
        try:
            outcomes, blocked = self._send(claim.claimed)
        except StoreError:
            raise
        except Exception as exc:  # a bug while sending: nothing is known to have left
            outcomes, blocked = {}, {r.id: f"not sent: {problem_text(exc)}" for r in claim.claimed}
        self._crash_point("sent")
        now = clock()
        try:
            with self.store.write() as conn:
                for record in claim.claimed:
                    self._record(conn, claim, record, outcomes, blocked, now)
                self._crash_point("recorded")
        except StoreError:
            raise
        except Exception:  # a bug recording one of them: record them one at a time
            for record in claim.claimed:
                self._record_alone(claim, record, outcomes, blocked, now, report)
        with self.store.read() as conn:
            states = {
                d.id: d.state
                for d in repo.deliveries_of(conn, {d.message_id for d in claim.claimed})
            }
            sent_messages = {
                m: repo.get_message(conn, m) for m in {d.message_id for d in claim.claimed}
            }
        self._announce(claim.claimed, states, sent_messages)
        self._tell_staff_of_held_back(claim, blocked, now)
        for record in claim.claimed:
            state = states.get(record.id)
            if state == "sent":
                report.sent += 1
            elif state == "retry":
                report.retrying += 1
            elif state == "failed":
                report.failed += 1
        return True

    def _announce(
        self,
        records: Sequence[DeliveryRecord],
        states: Mapping[int, str],
        sent_messages: Mapping[int, MessageRecord],
    ) -> None:
        """One line per message of this batch: who got it, who waits for a retry."""
        by_message: dict[int, list[DeliveryRecord]] = {}
        for record in records:
            by_message.setdefault(record.message_id, []).append(record)
        for message_id, group in sorted(by_message.items()):
            message = sent_messages[message_id]
            incident = public_id(message.incident_number)
            outcome: dict[str, list[str]] = {}
            for record in sorted(group, key=lambda d: d.channel):
                state = states.get(record.id, "unknown")
                outcome.setdefault(ANNOUNCED_STATES.get(state, state), []).append(record.channel)
            log.info(
                "worker.message",
                incident=incident,
                seq=message.seq,
                phase=message.phase,
                origin=message.origin,
                **{label.replace(" ", "_"): names for label, names in outcome.items()},
            )
            if self.on_message is not None:
                what = "; ".join(f"{label}: {', '.join(names)}" for label, names in outcome.items())
                origin = "automatic " if message.origin != "human" else ""
                self.on_message(f"{incident} #{message.seq} {origin}{message.phase}: {what}")

    def _record(
        self,
        conn: Connection,
        claim: repo.Claim,
        record: DeliveryRecord,
        outcomes: Mapping[int, Outcome],
        blocked: Mapping[int, str],
        now: datetime,
    ) -> None:
        """Record what happened to one claimed delivery: held back, or its attempt."""
        number = claim.incident_of[record.id]
        if record.id in blocked:
            self._hold_back(conn, number, record, blocked[record.id], now)
        else:
            self.orchestrator.record_attempt(conn, number, record, outcomes.get(record.id), now)

    def _record_alone(
        self,
        claim: repo.Claim,
        record: DeliveryRecord,
        outcomes: Mapping[int, Outcome],
        blocked: Mapping[int, str],
        now: datetime,
        report: StepReport,
    ) -> None:
        """:meth:`_record` in a transaction of its own. When even that fails, a delivery
        that never left is held back without counting the attempt; one that may have left
        keeps its claim, and is taken over as possibly duplicated when the lease ends."""
        try:
            with self.store.write() as conn:
                self._record(conn, claim, record, outcomes, blocked, now)
            return
        except StoreError:
            raise
        except Exception as exc:
            problem = f"{record.channel}: not recorded: {problem_text(exc)}"
        report.problems.append(problem)
        outcome = outcomes.get(record.id)
        if outcome is not None and (outcome.ok or outcome.maybe_sent):
            return
        with self.store.write() as conn:
            self._hold_back(conn, claim.incident_of[record.id], record, problem, now)

    def _hold_back(
        self, conn: Connection, number: int, record: DeliveryRecord, problem: str, now: datetime
    ) -> None:
        """Release the claim on ``record`` without counting the attempt (it never left),
        blocked until :data:`BLOCKED_RETRY` from ``now``, with the reason; an event the
        first time."""
        log.error(
            "worker.delivery_blocked",
            incident=public_id(number),
            channel=record.channel,
            problem=problem,
        )
        released = repo.release_blocked(
            conn, record.id, owner=self.id, now=now, until=now + BLOCKED_RETRY, reason=problem
        )
        if released and record.last_error != problem:
            repo.add_event(
                conn,
                incident=number,
                at=now,
                kind="delivery.blocked",
                actor=WORKER_ACTOR,
                detail={"channel": record.channel, "problem": problem},
            )

    def _tell_staff_of_held_back(
        self, claim: repo.Claim, blocked: dict[int, str], now: datetime
    ) -> None:
        """The first time a delivery is held back, its incident's internal channels hear it
        (once per incident and problem), like a blocked incident."""
        told: set[tuple[int, str]] = set()
        for record in claim.claimed:
            problem = blocked.get(record.id)
            number = claim.incident_of[record.id]
            if problem is None or record.last_error == problem or (number, problem) in told:
                continue
            told.add((number, problem))
            with self.store.read() as conn:
                incident = repo.get_incident(conn, number)
            if incident is not None:
                self._tell_staff(incident, f"{record.channel}: {problem}", now)

    def _send(self, records: Sequence[DeliveryRecord]) -> tuple[dict[int, Outcome], dict[int, str]]:
        """Send ``records``: the outcome of each one sent, and the ones held back without
        an attempt (their channel file is broken): id -> why."""
        channels = self.project.usable_channels() if records else {}
        broken = self.project.broken_channels() if records else {}
        items: list[Outgoing] = []
        missing: dict[int, Outcome] = {}
        blocked: dict[int, str] = {}
        for record in records:
            loaded = channels.get(record.channel)
            if loaded is None and record.channel in broken:
                blocked[record.id] = f"channel file broken: {broken[record.channel]}"
                continue
            if loaded is None:
                missing[record.id] = Outcome(
                    str(record.id),
                    False,
                    f"channel {record.channel!r} is no longer in {self.project.channels_dir}",
                    0.0,
                )
                continue
            items.append(_outgoing(record, loaded.channel))
        outcomes = {int(o.key): o for o in self.orchestrator.send_now(items)}
        return {**outcomes, **missing}, blocked

    # --- the loop --------------------------------------------------------------------

    def next_wake(self, now: datetime) -> datetime:
        """The next moment something is due: a delivery, a lease's end, an incident's
        promise, a reminder, a blocked incident's next try, or the next heartbeat. A few
        aggregate queries, whatever the number of open incidents."""
        candidates = [now + self.heartbeat_every]
        if self._last_beat is not None:
            candidates.append(self._last_beat + self.heartbeat_every)
        with self.store.read() as conn:
            due = repo.next_due(conn, owner=self.id)
            promise = repo.next_promise(conn)
            remind = repo.next_reminder(conn, leads=self._reminder_leads(conn), now=now)
        candidates.extend(moment for moment in (due, promise, remind) if moment is not None)
        return min(candidates)

    def stop(self) -> None:
        """Ask :meth:`serve` to finish the step in progress and return (signal-safe)."""
        self._stop.set()
        if self._wakeup is not None:
            self._wakeup.poke()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def serve(self, wakeup: Wakeup | None = None) -> None:
        """Run until :meth:`stop`: a step, then sleep until the next due moment or a
        wake-up. A store error (database down) is logged and retried with backoff; so is
        any other failure of a step as a whole (one incident's or one delivery's failure
        only blocks that item, inside the step)."""
        self._wakeup = wakeup or wakeup_for(self.store)
        failures = 0
        log.info("worker.started", worker=self.id, database=self.store.shown_url)
        try:
            try:
                self.heartbeat(self.clock(), force=True)  # seen at once, even if stopped now
            except StoreError as exc:
                log.error("worker.store_error", error=str(exc))
            while not self._stop.is_set():
                try:
                    self.run_once()
                    now = self.clock()
                    timeout = (self.next_wake(now) - now).total_seconds()
                    failures = 0
                except StoreError as exc:
                    failures += 1
                    timeout = float(min(60, 2**failures))
                    log.error("worker.store_error", error=str(exc), retry_in=timeout)
                except Exception as exc:  # a bug outside one item's handling: never exit
                    failures += 1
                    timeout = float(min(60, 2**failures))
                    log.exception("worker.step_failed", error=problem_text(exc), retry_in=timeout)
                if self._stop.is_set():
                    break
                if timeout <= 0:
                    timeout = MIN_SLEEP
                self._wakeup.wait(min(timeout, self.heartbeat_every.total_seconds()))
        finally:
            self._wakeup.close()
            self._wakeup = None
            try:
                with self.store.write() as conn:
                    repo.worker_stopped(conn, worker=self.id, now=self.clock())
            except StoreError:  # pragma: no cover - the database went away as we stopped
                pass
            log.info("worker.stopped", worker=self.id)


# --------------------------------------------------------------------------- wake-ups


class Wakeup:
    """Sleeps until a timeout, or less when poked (by :meth:`Worker.stop` or new work)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def poke(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """True when woken before ``timeout`` seconds passed."""
        woken = self._event.wait(max(timeout, 0.0))
        self._event.clear()
        return woken

    def close(self) -> None:
        """Release what the wake-up holds (a connection, a thread)."""


class SqliteWakeup(Wakeup):
    """Wakes when another connection commits to the SQLite file: ``PRAGMA data_version``
    (read from SQLite's shared memory, not the tables) checked every ``poll`` seconds."""

    def __init__(self, path: str, poll: float = DEFAULT_POLL_INTERVAL) -> None:
        super().__init__()
        self.poll = poll
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if super().wait(min(self.poll, remaining)):
                return True
            version = self._version()
            if version != self._seen:
                self._seen = version
                return True

    def close(self) -> None:
        self._conn.close()


class PostgresWakeup(Wakeup):
    """Wakes on ``NOTIFY outagecomms_work``, which every commit of new work sends; a
    thread of its own holds a ``LISTEN`` connection (reconnecting after a failure)."""

    def __init__(self, conninfo: str) -> None:
        super().__init__()
        self.conninfo = conninfo
        self._closed = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="outagecomms-listen", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        import psycopg

        while not self._closed.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {repo.WORK_CHANNEL}")
                    if self.listening.is_set():
                        self.poke()  # reconnected: a notification may have been missed
                    self.listening.set()
                    while not self._closed.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.poke()
            except psycopg.Error as exc:
                log.warning("worker.listen_failed", error=str(exc).splitlines()[0])
                self._closed.wait(5.0)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)


def wakeup_for(store: Store, *, poll: float = DEFAULT_POLL_INTERVAL) -> Wakeup:
    """The wake-up that suits the store's database."""
    url = store.url
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresWakeup(conninfo)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteWakeup(str(url.database), poll)
    return Wakeup()


# --------------------------------------------------------------------------- liveness


def last_worker_seen(store: Store) -> datetime | None:
    with store.read() as conn:
        return repo.last_worker_seen(conn)


def worker_warnings(orchestrator: Orchestrator, incidents: Sequence[IncidentRecord]) -> list[str]:
    """One warning when open ``incidents`` promise updates and no worker has been seen
    within :data:`STALE_AFTER` (empty when a worker is alive or nothing is promised)."""
    promising = [i for i in incidents if i.is_open and i.next_update_at is not None]
    if not promising:
        return []
    seen = last_worker_seen(orchestrator.store)
    now = orchestrator.clock()
    if seen is not None and now - seen <= STALE_AFTER:
        return []
    cadences = sorted({format_duration(_cadence_of(orchestrator, i)) for i in promising})
    since = (
        "no worker has ever run on this database"
        if seen is None
        else f"the last worker was seen at {seen.astimezone(UTC):%Y-%m-%d %H:%M UTC}"
    )
    return [
        f"updates promised every {' / '.join(cadences)} will not be sent: no worker is "
        f'running ({since}); start `outagecomms worker` (README: "The worker")'
    ]


# --------------------------------------------------------------------------- helpers


def reminder_text(incident: IncidentRecord, promise: datetime, now: datetime) -> tuple[str, str]:
    """The nudge to staff: (title, body)."""
    at = promise.astimezone(UTC).strftime("%H:%M UTC")
    minutes = max(0, int((promise - now).total_seconds()) // 60)
    title = f"{incident.id}: automatic update at {at}"
    body = (
        f"[{incident.id} · reminder] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f'In {minutes} min ({at}) customers get the automatic "still working on it" '
        "update. If there is real news, post it first; any update resets the clock:\n"
        f"outagecomms update {incident.id} --phase identified|monitoring|update --var ..."
    )
    return title, body


def _cadence(incident: IncidentRecord, runbook: Runbook) -> timedelta:
    return incident.cadence_override or runbook.cadence_for(Severity(incident.severity))


def _cadence_of(orchestrator: Orchestrator, incident: IncidentRecord) -> timedelta:
    if incident.cadence_override is not None:
        return incident.cadence_override
    try:
        return _cadence(incident, orchestrator.runbook_of(incident))
    except (OutagecommsError, ValueError):
        return timedelta(hours=1)


MAX_PROBLEM_LENGTH = 300


def problem_text(exc: BaseException) -> str:
    """One line saying what went wrong: an outagecomms error's own message (it names the
    fix), or the exception's type and first line for anything else (a template that
    divides by zero, an overflow in the sandbox, a bug)."""
    if isinstance(exc, OutagecommsError):
        text = str(exc)
    else:
        first = (str(exc).strip().splitlines() or [""])[0]
        text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    text = " ".join(text.split())
    if len(text) > MAX_PROBLEM_LENGTH:
        text = text[: MAX_PROBLEM_LENGTH - 1] + "…"
    return text


def blocked_text(incident: IncidentRecord, problem: str) -> tuple[str, str]:
    """The notice to staff that the worker holds an incident or a delivery back."""
    title = f"{incident.id}: customers are NOT being updated"
    body = (
        f"[{incident.id} · blocked] {incident.runbook_id} · {incident.severity} · "
        f"{incident.phase}\n"
        f"The worker could not send: {problem}\n"
        f"It tries again every {format_duration(BLOCKED_RETRY)}. Fix the cause, or post the "
        f"update yourself: outagecomms update {incident.id} --phase update "
        f"(--runbook-version latest after approving a fixed runbook)."
    )
    return title, body


def _outgoing(record: DeliveryRecord, channel: Channel) -> Outgoing:
    return Outgoing(
        key=str(record.id),
        channel=channel,
        title=record.title,
        body=record.body,
        idempotency_key=record.idempotency_key,
    )


def _stable_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
