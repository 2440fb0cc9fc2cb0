"""The worker's fixed intervals, batch sizes and names."""

from __future__ import annotations

from datetime import timedelta

from outagecomms.logs import get_logger

log = get_logger(__name__)


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
MIN_SLEEP = 1.0
"""The shortest sleep when something is due that the worker cannot take yet (a delivery
under another process's live lease): never a busy loop."""
MAX_CLAIM_ROUNDS = 10_000
PROMISE_BATCH = 50
"""Overdue promises (or due reminders) taken up per round of a step, before the
deliveries they queued are sent and the next round is taken."""
CRASH_STEPS = frozenset({"claimed", "sending", "sent", "recorded"})
"""Where ``OUTAGECOMMS_TEST_CRASH_AT`` may kill the worker (tests only)."""
