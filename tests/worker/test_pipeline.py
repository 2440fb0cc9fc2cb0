"""The worker's sending pipeline (issue #20): a slow send holds only its own slot, and a
stop sends nothing it had not begun (the claims taken ahead go back to the queue)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

from outagecomms.delivery import Outgoing
from outagecomms.incidents import Orchestrator
from outagecomms.worker import Worker
from tests.incidents.conftest import IMPACT, RUNBOOK, T0, FakeSender
from tests.worker.test_never_silent import deliveries_of

RETRIES_DUE = T0 + timedelta(minutes=5)


def every_channel_waiting_for_a_retry(
    orchestrator: Orchestrator, sender: FakeSender, channels: list[str]
) -> None:
    sender.failing.update(channels)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    sender.failing.clear()
    sender.batches.clear()


def worker_sending(orchestrator: Orchestrator, sender: FakeSender, concurrency: int) -> Worker:
    return Worker(
        Orchestrator(
            orchestrator.project,
            orchestrator.store,
            clock=orchestrator.clock,
            sender=sender,
            gate=orchestrator.gate,
            concurrency=concurrency,
        )
    )


def test_a_slow_send_does_not_hold_the_sends_behind_it(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    every_channel_waiting_for_a_retry(orchestrator, sender, fake_channels)
    slow, *others = fake_channels
    others_sent = threading.Event()
    sent: list[str] = []
    slow_waited: list[bool] = []

    def during(items: Sequence[Outgoing]) -> None:
        for item in items:
            if item.channel.name == slow:  # answers only once every other one has gone
                slow_waited.append(others_sent.wait(timeout=30))
                continue
            sent.append(item.channel.name)
            if len(sent) == len(others):
                others_sent.set()

    sender.during = during
    report = worker_sending(orchestrator, sender, concurrency=2).run_once(RETRIES_DUE)
    assert (slow_waited, report.sent) == ([True], len(fake_channels))


def test_a_stop_puts_back_the_claims_taken_ahead_without_counting_an_attempt(
    orchestrator: Orchestrator, sender: FakeSender, fake_channels: list[str]
) -> None:
    every_channel_waiting_for_a_retry(orchestrator, sender, fake_channels)
    worker = worker_sending(orchestrator, sender, concurrency=1)
    sender.during = lambda _items: worker.stop()
    worker.run_once(RETRIES_DUE)
    rows = deliveries_of(orchestrator.store)
    put_back = {(d.state, d.attempts, d.possibly_duplicate) for d in rows if d.state != "sent"}
    assert (len(sender.sent), put_back) == (1, {("queued", 1, False)})
