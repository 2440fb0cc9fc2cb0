"""The worker: keeps every open incident's update cadence and sends what is due
(:mod:`.loop`; one step per :meth:`Worker.run_once`). It works for the incident side
through :class:`~outagecomms.worker.service.IncidentService` and never imports it.

``from outagecomms.worker import Worker, wakeup_for, worker_warnings, ...`` is the stable
import; the modules behind it are :mod:`.settings`, :mod:`.report`, :mod:`.service`,
:mod:`.texts`, :mod:`.liveness`, :mod:`.base`, :mod:`.cadence`, :mod:`.deliveries`,
:mod:`.reminders` and :mod:`.loop`; wake-ups are :mod:`outagecomms.store.wakeups`.

The names are loaded when first used, so ``declare`` (which asks only whether a worker
is alive) does not import the worker loop.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE: dict[str, str] = {
    "DEFAULT_POLL_INTERVAL": "outagecomms.store.wakeups",
    "PostgresWakeup": "outagecomms.store.wakeups",
    "SqliteWakeup": "outagecomms.store.wakeups",
    "Wakeup": "outagecomms.store.wakeups",
    "wakeup_for": "outagecomms.store.wakeups",
    "last_worker_seen": "outagecomms.worker.liveness",
    "worker_warnings": "outagecomms.worker.liveness",
    "Worker": "outagecomms.worker.loop",
    "StepReport": "outagecomms.worker.report",
    "IncidentService": "outagecomms.worker.service",
    "ANNOUNCED_STATES": "outagecomms.worker.settings",
    "BLOCKED_RETRY": "outagecomms.worker.settings",
    "CRASH_STEPS": "outagecomms.worker.settings",
    "FORGET_AFTER": "outagecomms.worker.settings",
    "HEARTBEAT_EVERY": "outagecomms.worker.settings",
    "MAX_CLAIM_ROUNDS": "outagecomms.worker.settings",
    "MIN_SLEEP": "outagecomms.worker.settings",
    "PROMISE_BATCH": "outagecomms.worker.settings",
    "STALE_AFTER": "outagecomms.worker.settings",
    "WORKER_ACTOR": "outagecomms.worker.settings",
    "blocked_text": "outagecomms.worker.texts",
    "problem_text": "outagecomms.worker.texts",
    "reminder_text": "outagecomms.worker.texts",
}
"""Each public name -> the module that defines it."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
