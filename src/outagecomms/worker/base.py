"""The worker's state: the incident side it works for, its lease, heartbeat and id."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from outagecomms.project import Project, Signature
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.wakeups import (
    Wakeup,
)
from outagecomms.worker.service import IncidentService, ScheduledSteps
from outagecomms.worker.settings import (
    CRASH_STEPS,
    FORGET_AFTER,
    HEARTBEAT_EVERY,
)

log = structlog.get_logger(__name__)


class WorkerBase:
    """One worker on one store. ``orchestrator`` supplies the project, the store, the
    clock, the sender, the retry policy and this worker's lease owner id."""

    def __init__(
        self,
        orchestrator: IncidentService,
        *,
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
        lease: timedelta | None = None,
        reload_project: bool = True,
        on_message: Callable[[str], None] | None = None,
        scheduled: ScheduledSteps | None = None,
    ) -> None:
        self.orchestrator = orchestrator
        self.scheduled = scheduled
        """Maintenance windows' steps, taken at their time (None: none)."""
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
        self._project_files: Signature | None = None
        """The project files' signature when the project was last parsed."""
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
