"""The worker: keeps every open incident's update cadence and sends what is due
(:mod:`.loop`; one step per :meth:`Worker.run_once`). It works for the incident side
through :class:`~outagecomms.worker.service.IncidentService` and never imports it.

``from outagecomms.worker import Worker, wakeup_for, worker_warnings, ...`` is the stable
import; the modules behind it are :mod:`.settings`, :mod:`.report`, :mod:`.service`,
:mod:`.texts`, :mod:`.liveness`, :mod:`.base`, :mod:`.cadence`, :mod:`.deliveries`,
:mod:`.reminders` and :mod:`.loop`; wake-ups are :mod:`outagecomms.store.wakeups`.
"""

from __future__ import annotations

from outagecomms.store.wakeups import (
    DEFAULT_POLL_INTERVAL,
    PostgresWakeup,
    SqliteWakeup,
    Wakeup,
    wakeup_for,
)
from outagecomms.worker.liveness import last_worker_seen, worker_warnings
from outagecomms.worker.loop import Worker
from outagecomms.worker.report import StepReport
from outagecomms.worker.service import IncidentService
from outagecomms.worker.settings import (
    ANNOUNCED_STATES,
    BLOCKED_RETRY,
    CRASH_STEPS,
    FORGET_AFTER,
    HEARTBEAT_EVERY,
    MAX_CLAIM_ROUNDS,
    MIN_SLEEP,
    PROMISE_BATCH,
    STALE_AFTER,
    WORKER_ACTOR,
)
from outagecomms.worker.texts import blocked_text, problem_text, reminder_text

__all__ = [
    "ANNOUNCED_STATES",
    "BLOCKED_RETRY",
    "CRASH_STEPS",
    "DEFAULT_POLL_INTERVAL",
    "FORGET_AFTER",
    "HEARTBEAT_EVERY",
    "MAX_CLAIM_ROUNDS",
    "MIN_SLEEP",
    "PROMISE_BATCH",
    "STALE_AFTER",
    "WORKER_ACTOR",
    "IncidentService",
    "PostgresWakeup",
    "SqliteWakeup",
    "StepReport",
    "Wakeup",
    "Worker",
    "blocked_text",
    "last_worker_seen",
    "problem_text",
    "reminder_text",
    "wakeup_for",
    "worker_warnings",
]
