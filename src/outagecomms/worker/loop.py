"""The worker: keeps every open incident's update cadence and sends what is due.

One step (:meth:`Worker.run_once`) does, at one moment ``now``:

1. a heartbeat (so ``declare`` and ``status`` can tell whether any worker is alive);
2. for every open incident whose ``next_update_at`` has passed without a human message,
   the runbook's ``update`` phase (origin ``cadence``) with the next promise from *now*:
   after downtime that is one catch-up update, then the cadence again. The decision is
   taken inside the write transaction, with the incident locked and re-checked, so two
   workers never both post one, and a resolution or a human update wins;
3. the internal channels' reminder, a runbook's ``reminder:`` before an automatic update;
4. every delivery that is due: claimed under a lease (:mod:`outagecomms.outbox.claims`), sent
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
recorded, recorded but not committed (:data:`CRASH_STEPS`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from outagecomms.errors import StoreError
from outagecomms.project import Project, files_signature
from outagecomms.store import repository as repo
from outagecomms.store.wakeups import (
    Wakeup,
    wakeup_for,
)
from outagecomms.worker.reminders import Reminding
from outagecomms.worker.report import StepReport
from outagecomms.worker.settings import (
    MIN_SLEEP,
    PROMISE_BATCH,
)
from outagecomms.worker.texts import (
    problem_text,
)

log = structlog.get_logger(__name__)


class Worker(Reminding):
    """One worker on one store. ``orchestrator`` supplies the project, the store, the
    clock, the sender, the retry policy and this worker's lease owner id."""

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
            signature = files_signature(old.root)
            if signature != self._project_files:  # parsed again only when a file changed
                self.orchestrator.project = Project(old.root, old.environ)
                self._project_files = signature
        report = StepReport(at=clock())
        self.heartbeat(clock())
        taken: set[int] = set()
        if self.scheduled is not None and not self.stopping:
            report.maintenance.extend(self.scheduled.run_due(clock()))
        while not self.stopping:
            if not self._keep_promises(clock, report, taken):
                break  # what is due is sent below, after the reminders (one claim less)
            self._deliver_all(clock, report)
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
        if fresh and not self.stopping:
            taken.update(incident.number for incident in fresh)
            report.updates.extend(self._cadence_updates(fresh, clock(), report))
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
        """Send what is due: :meth:`_deliver_due` claims until a claim finds nothing and
        nothing is in flight, so it is not asked again (that was one more empty claim,
        four queries, per batch of automatic updates); what falls due after it is the next
        step's."""
        if not self.stopping:
            self._deliver_due(clock, report)

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
        step = None if self.scheduled is None else self.scheduled.next_due()
        candidates.extend(moment for moment in (due, promise, remind, step) if moment is not None)
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
            self.close_senders()
            try:
                with self.store.write() as conn:
                    repo.worker_stopped(conn, worker=self.id, now=self.clock())
            except StoreError:  # pragma: no cover - the database went away as we stopped
                pass
            log.info("worker.stopped", worker=self.id)
