"""Sending what is due: claimed under a lease, sent through the senders by kind, recorded
with the retry policy; a delivery whose channel is broken is held back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import structlog
from sqlalchemy.engine import Connection

from outagecomms.delivery import Outcome, Outgoing
from outagecomms.errors import StoreError
from outagecomms.outbox.claims import Claim, claim_due
from outagecomms.store import repository as repo
from outagecomms.store.records import DeliveryRecord, MessageRecord, public_id
from outagecomms.store.wakeups import work_waiting
from outagecomms.worker.cadence import KeepingCadence
from outagecomms.worker.report import StepReport
from outagecomms.worker.settings import (
    ANNOUNCED_STATES,
    BLOCKED_RETRY,
    WORKER_ACTOR,
)
from outagecomms.worker.texts import (
    _outgoing,
    problem_text,
)

log = structlog.get_logger(__name__)


class Delivering(KeepingCadence):
    """Every delivery that is due: claimed, sent, recorded."""

    def _deliver_due(self, clock: Callable[[], datetime], report: StepReport) -> bool:
        """Claim one batch of due deliveries, send it, record it. False when nothing was
        left to claim or cancel."""
        now = clock()
        with self.store.write() as conn:
            claim = claim_due(
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
            states = {  # only this batch's deliveries: not every delivery of their messages
                d.id: d.state for d in repo.deliveries_by_id(conn, [d.id for d in claim.claimed])
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
        claim: Claim,
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
        claim: Claim,
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
        work_waiting(conn)  # the held-back delivery is due again at its block's end
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
        self, claim: Claim, blocked: dict[int, str], now: datetime
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
