"""Sending what is due: claimed under a lease, sent through the senders by kind, recorded
with the retry policy; a delivery whose channel is broken is held back.

A pipeline (:mod:`outagecomms.worker.pipeline`): claimed deliveries go at once to a
long-lived pool of ``concurrency`` sender threads, one send per delivery (the channel
kinds with a sender of their own, such as the status page, one send per claim, one at a
time); as sends end they are recorded together (:func:`~outagecomms.outbox.attempts.
batched_attempts`) and the freed slots are refilled by the next claim, so a slow provider
holds its own slot and nothing else. On a stop no more is claimed; every send in flight
is recorded before the step returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy.engine import Connection

from outagecomms.delivery import DEFAULT_TIMEOUT, SOCKET_GRACE, Outcome, Outgoing
from outagecomms.errors import StoreError
from outagecomms.models import ChannelKind
from outagecomms.outbox.attempts import batched_attempts, release_unsent
from outagecomms.outbox.claims import Claim, claim_due
from outagecomms.store import repository as repo
from outagecomms.store.events_repo import add_events
from outagecomms.store.records import DeliveryRecord, MessageRecord, public_id
from outagecomms.store.wakeups import work_waiting
from outagecomms.worker.cadence import KeepingCadence
from outagecomms.worker.pipeline import Flight, SendPool, Sent
from outagecomms.worker.report import StepReport
from outagecomms.worker.settings import (
    ANNOUNCED_STATES,
    BLOCKED_RETRY,
    MAX_CLAIM_ROUNDS,
    WORKER_ACTOR,
)
from outagecomms.worker.texts import (
    _outgoing,
    problem_text,
)

log = structlog.get_logger(__name__)

CLAIM_AHEAD = 4
"""Batches claimed before the threads are free to send them (see :meth:`_claim_ahead`);
a claim is made once two batches' room is free."""
LEASE_MARGIN = timedelta(seconds=10)
MESSAGES_KEPT = 10_000
"""Messages remembered for the line per message (a message's seq, phase and origin never
change); forgotten all at once beyond this."""


class Delivering(KeepingCadence):
    """Every delivery that is due: claimed, sent, recorded."""

    _senders: SendPool | None = None
    _messages: dict[int, MessageRecord] | None = None

    def _deliver_due(self, clock: Callable[[], datetime], report: StepReport) -> bool:
        """Send everything due (claimed as slots free, recorded as sends end) until
        nothing is left to claim and nothing is in flight, or a stop. False when nothing
        was claimed or cancelled."""
        flight = self._sender_pool().flight(self._stop)
        claims = 0
        worked = False
        may_claim = True
        ahead = self._claim_ahead()
        room = self.batch * ahead
        try:
            while True:
                free = room - flight.deliveries
                refill = flight.deliveries == 0 or free >= self.batch * max(1, ahead // 2)
                if may_claim and refill and not self._stop.is_set() and claims < MAX_CLAIM_ROUNDS:
                    claims += 1
                    claim = self._claim(clock, report, free)
                    worked = worked or bool(claim.claimed or claim.cancelled)
                    if claim.claimed:
                        self._crash_point("sending")
                        self._dispatch(flight, claim, claims)
                    elif not claim.cancelled:
                        may_claim = False  # nothing claimable until something is recorded
                    continue
                if flight.sends == 0:
                    return worked
                ready = flight.wait()
                if ready:
                    self._crash_point("sent")
                    self._record_sent(
                        [sent for claimed in ready for sent in claimed], clock, report
                    )
                    may_claim = True
        finally:
            while flight.sends:  # leaving on an error: record what is still in flight
                ready = flight.wait()
                try:
                    self._record_sent(
                        [sent for claimed in ready for sent in claimed], clock, report
                    )
                except Exception as exc:  # their leases run out; taken over as possibly sent
                    log.error("worker.not_recorded", error=problem_text(exc))

    def _claim_ahead(self) -> int:
        """How many batches of ``concurrency`` may be claimed at once: :data:`CLAIM_AHEAD`
        (one sending, the next ones waiting for free threads, so that no thread waits for
        a claim) when a delivery's lease outlasts waiting for the sends ahead of it and
        its own send; else one. On a stop, the ones claimed ahead that have not begun
        are released, not sent."""
        timeout = timedelta(seconds=(self.orchestrator.timeout or DEFAULT_TIMEOUT) + SOCKET_GRACE)
        return CLAIM_AHEAD if self.lease > CLAIM_AHEAD * timeout + LEASE_MARGIN else 1

    def _sender_pool(self) -> SendPool:
        """The long-lived sender threads (made at the first send, ended by :meth:`close`)."""
        if self._senders is None or self._senders.size != self.batch:
            if self._senders is not None:
                self._senders.close()
            self._senders = SendPool(self.batch)
        return self._senders

    def close_senders(self) -> None:
        """End the sender threads once idle (a new pool is made if the worker sends again)."""
        if self._senders is not None:
            self._senders.close()
            self._senders = None

    def _claim(self, clock: Callable[[], datetime], report: StepReport, limit: int) -> Claim:
        """Claim up to ``limit`` due deliveries under this worker's lease (and cancel the
        superseded ones met on the way), with their events, in one transaction."""
        now = clock()
        with self.store.write() as conn:
            claim = claim_due(
                conn, owner=self.id, now=now, lease_until=now + self.lease, limit=limit
            )
            if claim.claimed:
                self._crash_point("claimed")
                self._messages_of(conn, {record.message_id for record in claim.claimed})
            rows = [
                {
                    "incident_id": claim.incident_of[record.id], "at": now,
                    "kind": "delivery.cancelled", "actor": WORKER_ACTOR,
                    "detail": {"channel": record.channel, "message": record.message_id,
                               "why": reason},
                }
                for record, reason in claim.cancelled
            ]  # fmt: skip
            rows += [
                {
                    "incident_id": claim.incident_of[record.id], "at": now,
                    "kind": "delivery.taken_over", "actor": WORKER_ACTOR,
                    "detail": {"channel": record.channel,
                               "from": claim.taken_over[record.id], "worker": self.id},
                }
                for record in claim.claimed
                if record.id in claim.taken_over
            ]  # fmt: skip
            add_events(conn, rows)
        report.cancelled += len(claim.cancelled)
        report.taken_over += len(claim.taken_over)
        return claim

    def _dispatch(self, flight: Flight, claim: Claim, number: int) -> None:
        """Hand the claimed deliveries to the sender threads: one send each, but the kinds
        with a sender of their own together, up to ``concurrency`` a send (one SMTP session
        for many emails), and the status page's one claim at a time (one rebuild)."""
        own = self.orchestrator.senders
        self.project.broken_channels()  # the channel files are read here, not in a race
        groups: dict[ChannelKind, list[DeliveryRecord]] = {}
        for record in claim.claimed:
            kind = _kind(record.kind)
            if kind is not None and kind in own:
                groups.setdefault(kind, []).append(record)
            else:
                flight.submit(self._send, Sent([record], number, self._incidents(claim, [record])))
        for kind, group in groups.items():
            size = len(group) if kind is ChannelKind.SITE else self.batch
            for start in range(0, len(group), size):
                part = group[start : start + size]
                sent = Sent(part, number, self._incidents(claim, part))
                flight.submit(self._send, sent, serial=kind is ChannelKind.SITE)

    @staticmethod
    def _incidents(claim: Claim, records: Sequence[DeliveryRecord]) -> dict[int, int]:
        return {record.id: claim.incident_of[record.id] for record in records}

    def _record_sent(
        self,
        done: Sequence[Sent],
        clock: Callable[[], datetime],
        report: StepReport,
    ) -> None:
        """Record the sends of the claims that ended, in one transaction (each alone if
        that fails), then say what became of each message."""
        for sent in done:
            if isinstance(sent.error, StoreError):
                raise sent.error
            if sent.error is not None:  # a bug while sending: nothing is known to have left
                why = f"not sent: {problem_text(sent.error)}"
                sent.outcomes, sent.blocked = {}, {r.id: why for r in sent.records}
        now = clock()
        unsent = [record.id for sent in done if sent.unsent for record in sent.records]
        done = [sent for sent in done if not sent.unsent]
        states: dict[int, str] = {}
        try:
            with self.store.write() as conn:
                release_unsent(conn, unsent, owner=self.id, now=now)  # stopped before them
                with batched_attempts(conn) as batch:
                    for sent in done:
                        for record in sent.records:
                            if self._record(conn, sent, record, now):
                                states[record.id] = "blocked"
                self._crash_point("recorded")
            states.update(batch.states)
        except StoreError:
            raise
        except Exception:  # a bug recording one of them: record them one at a time
            states = {}
            for sent in done:
                for record in sent.records:
                    self._record_alone(sent, record, now, report)
        records = [record for sent in done for record in sent.records]
        unknown = [record.id for record in records if record.id not in states]
        ids = {record.message_id for record in records}
        messages = self._known_messages(ids)  # read when they were claimed
        if unknown or messages is None:
            with self.store.read() as conn:
                if unknown:  # recorded another way (or not): as the store has it
                    found = repo.deliveries_by_id(conn, unknown)
                    states.update((d.id, d.state) for d in found)
                messages = self._messages_of(conn, ids)
        self._announce(records, states, messages)
        self._tell_staff_of_held_back(done, now)
        for record in records:
            state = states.get(record.id)
            if state == "sent":
                report.sent += 1
            elif state == "retry":
                report.retrying += 1
            elif state == "failed":
                report.failed += 1

    def _messages_of(self, conn: Connection, ids: set[int]) -> dict[int, MessageRecord]:
        """These messages, read once and remembered (what the line per message says of
        them never changes)."""
        if self._messages is None or len(self._messages) > MESSAGES_KEPT:
            self._messages = {}
        known = self._messages
        known.update(repo.messages_by_id(conn, ids - known.keys()))
        return {m: known[m] for m in ids}

    def _known_messages(self, ids: set[int]) -> dict[int, MessageRecord] | None:
        """These messages if all are remembered, else None."""
        known = self._messages or {}
        if not ids <= known.keys():
            return None
        return {m: known[m] for m in ids}

    def _announce(
        self,
        records: Sequence[DeliveryRecord],
        states: Mapping[int, str],
        sent_messages: Mapping[int, MessageRecord],
    ) -> None:
        """One line per message of this batch: who got it, who waits for a retry."""
        logger = log.bind()  # once for the batch: the lazy proxy binds anew at every call
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
            logger.info(
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

    def _record(self, conn: Connection, sent: Sent, record: DeliveryRecord, now: datetime) -> bool:
        """Record what happened to one claimed delivery: held back (True), or its attempt."""
        number = sent.incident_of[record.id]
        if record.id in sent.blocked:
            return self._hold_back(conn, number, record, sent.blocked[record.id], now)
        self.orchestrator.record_attempt(conn, number, record, sent.outcomes.get(record.id), now)
        return False

    def _record_alone(
        self, sent: Sent, record: DeliveryRecord, now: datetime, report: StepReport
    ) -> None:
        """:meth:`_record` in a transaction of its own. When even that fails, a delivery
        that never left is held back without counting the attempt; one that may have left
        keeps its claim, and is taken over as possibly duplicated when the lease ends."""
        try:
            with self.store.write() as conn, batched_attempts(conn):
                self._record(conn, sent, record, now)
            return
        except StoreError:
            raise
        except Exception as exc:
            problem = f"{record.channel}: not recorded: {problem_text(exc)}"
        report.problems.append(problem)
        outcome = sent.outcomes.get(record.id)
        if outcome is not None and (outcome.ok or outcome.maybe_sent):
            return
        with self.store.write() as conn:
            self._hold_back(conn, sent.incident_of[record.id], record, problem, now)

    def _hold_back(
        self, conn: Connection, number: int, record: DeliveryRecord, problem: str, now: datetime
    ) -> bool:
        """Release the claim on ``record`` without counting the attempt (it never left),
        blocked until :data:`BLOCKED_RETRY` from ``now``, with the reason; an event the
        first time. Whether this worker still held it."""
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
        return released

    def _tell_staff_of_held_back(self, done: Sequence[Sent], now: datetime) -> None:
        """The first time a delivery is held back, its incident's internal channels hear it
        (once per incident and problem), like a blocked incident."""
        told: set[tuple[int, str]] = set()
        for sent, record in ((one, record) for one in done for record in one.records):
            problem = sent.blocked.get(record.id)
            if problem is None:
                continue
            number = sent.incident_of[record.id]
            if record.last_error == problem or (number, problem) in told:
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


def _kind(value: str) -> ChannelKind | None:
    try:
        return ChannelKind(value)
    except ValueError:  # a kind this version does not know: sent through apprise
        return None
