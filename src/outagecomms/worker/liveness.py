"""Whether a worker is alive: the warning ``declare`` and ``status`` give when updates are
promised and no worker has been seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from outagecomms.durations import format_duration
from outagecomms.logs import get_logger
from outagecomms.store import Store
from outagecomms.store import repository as repo
from outagecomms.store.records import IncidentRecord
from outagecomms.worker.service import IncidentService, _cadence_of
from outagecomms.worker.settings import (
    STALE_AFTER,
)

log = get_logger(__name__)


def last_worker_seen(store: Store) -> datetime | None:
    with store.read() as conn:
        return repo.last_worker_seen(conn)


def worker_warnings(
    orchestrator: IncidentService, incidents: Sequence[IncidentRecord]
) -> list[str]:
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
