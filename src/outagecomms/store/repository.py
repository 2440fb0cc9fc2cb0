"""Small query functions over the store, each taking an open :class:`Connection` so the
caller decides the transaction (one transaction per outbox write, see README "Delivery
semantics").

One module per table: :mod:`.incidents_repo`, :mod:`.messages_repo`,
:mod:`.deliveries_repo`, :mod:`.events_repo`, :mod:`.workers_repo`; ``from
outagecomms.store import repository as repo`` reaches them all. The hot path's queries
(SQL text, :mod:`outagecomms.store.sql`) are imported at once; the worker's, still written
with SQLAlchemy Core, on first use, so a declare on the lite store never imports
SQLAlchemy."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from outagecomms.store.delivery_rows import (
    POSTMORTEM_PHASE,
    RESOLVED_PHASE,
    WAITING_FOR_EARLIER,
    deliveries_by_id,
    deliveries_of,
    insert_delivery,
    start_sending,
)
from outagecomms.store.events_repo import add_event, events_of
from outagecomms.store.incident_rows import (
    UNBLOCKED,
    expected_incident_number,
    get_incident,
    insert_incident,
    latest_incident_by_dedupe_key,
    list_incidents,
    lock_incident,
    open_incident_by_dedupe_key,
    update_incident,
    version_content,
)
from outagecomms.store.messages_repo import (
    get_message,
    insert_message,
    latest_message,
    messages_by_id,
    messages_of,
    next_message_seq,
)
from outagecomms.store.workers_repo import (
    forget_workers,
    heartbeat,
    last_worker_seen,
    worker_stopped,
)

if TYPE_CHECKING:
    from outagecomms.store.deliveries_repo import (
        delivery_counts,
        next_due,
        release_blocked,
        release_claims,
    )
    from outagecomms.store.incidents_repo import (
        INCIDENT_COLUMNS,
        RunbookVersion,
        mark_reminded,
        next_promise,
        next_reminder,
        open_runbook_versions,
        overdue_incidents,
        reminders_due,
        reopen_incident,
    )

_LAZY = {
    "delivery_counts": "deliveries_repo", "next_due": "deliveries_repo",
    "release_blocked": "deliveries_repo", "release_claims": "deliveries_repo",
    "INCIDENT_COLUMNS": "incidents_repo", "RunbookVersion": "incidents_repo",
    "mark_reminded": "incidents_repo", "next_promise": "incidents_repo",
    "next_reminder": "incidents_repo", "open_runbook_versions": "incidents_repo",
    "overdue_incidents": "incidents_repo", "reminders_due": "incidents_repo",
    "reopen_incident": "incidents_repo",
}  # fmt: skip
"""The functions written with SQLAlchemy Core, by module: imported when first asked for."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    found = getattr(import_module(f"outagecomms.store.{module}"), name)
    globals()[name] = found
    return found


__all__ = [
    "INCIDENT_COLUMNS",
    "POSTMORTEM_PHASE",
    "RESOLVED_PHASE",
    "UNBLOCKED",
    "WAITING_FOR_EARLIER",
    "RunbookVersion",
    "add_event",
    "deliveries_by_id",
    "deliveries_of",
    "delivery_counts",
    "events_of",
    "expected_incident_number",
    "forget_workers",
    "get_incident",
    "get_message",
    "heartbeat",
    "insert_delivery",
    "insert_incident",
    "insert_message",
    "last_worker_seen",
    "latest_incident_by_dedupe_key",
    "latest_message",
    "list_incidents",
    "lock_incident",
    "mark_reminded",
    "messages_by_id",
    "messages_of",
    "next_due",
    "next_message_seq",
    "next_promise",
    "next_reminder",
    "open_incident_by_dedupe_key",
    "open_runbook_versions",
    "overdue_incidents",
    "release_blocked",
    "release_claims",
    "reminders_due",
    "reopen_incident",
    "start_sending",
    "update_incident",
    "version_content",
    "worker_stopped",
]
