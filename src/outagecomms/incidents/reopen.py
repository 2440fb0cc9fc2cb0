"""Declares that are not new incidents: a dedupe key already open answers with it; one
resolved within the flap window is reopened (spec: deduplication and flapping)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from outagecomms.components.impact import follow_incident
from outagecomms.errors import (
    NotFoundError,
)
from outagecomms.incidents.messaging import Messaging
from outagecomms.incidents.rules import (
    _Duplicate,
    _flapped,
    _must,
    pin,
)
from outagecomms.incidents.views import (
    Report,
)
from outagecomms.inputs import check_variables
from outagecomms.logs import get_logger
from outagecomms.models import Phase, Severity
from outagecomms.project import LoadedRunbook
from outagecomms.store import repository as repo
from outagecomms.store.lite import integrity_errors
from outagecomms.store.records import (
    IncidentRecord,
    iso_utc,
)
from outagecomms.store.repository import UNBLOCKED

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


class Reopening(Messaging):
    """Deduplicated declares: the open incident with the same key, or a resolved one
    reopened within the flap window."""

    def _reopen(
        self,
        incident: IncidentRecord,
        key: str,
        loaded: LoadedRunbook,
        window: timedelta | None,
        severity: Severity | None,
        variables: Mapping[str, str],
        cadence: timedelta | None,
        reason: str | None,
        actor: str,
    ) -> Report | None:
        """A flap: open the resolved ``incident`` again and post the runbook's ``update``
        ("still working on it") instead of a new ``investigating`` burst.

        The one exception to "after resolved nothing but postmortem is sent". The incident
        goes back to ``investigating`` with its variables (``variables`` add or override),
        channels and cadence, and ``incident.reopened`` is logged. None when, re-checked
        under the write lock, it is no longer a flap (then declare opens a new incident).
        """
        targets = self.channels_for(incident.channels)
        check_variables(variables, self.project.limits)  # the new ones: stored ones stay
        given = {**incident.variables, **variables}
        self._check_values(loaded.runbook, given)
        try:
            with self.store.write() as conn:
                current = _must(repo.get_incident(conn, incident.number))
                now = self.clock()
                chosen = severity or Severity(current.severity)
                interval = cadence or current.cadence_override
                changes: dict[str, Any] = {
                    "severity": chosen.value,
                    "phase": Phase.INVESTIGATING.value,
                    "next_update_at": now + (interval or loaded.runbook.cadence_for(chosen)),
                    "variables": given,
                    "updated_at": now,
                    **pin(loaded.runbook),  # a re-open is a declare: the approved file now
                    **UNBLOCKED,
                }
                if cadence is not None:
                    changes["cadence_seconds"] = int(cadence.total_seconds())
                if reason is not None:
                    changes["break_glass_reason"] = reason
                if not (
                    _flapped(current, loaded.id, window, now)
                    and repo.reopen_incident(conn, current.number, key, **changes)
                ):
                    # no flap any more: a racing declare re-opened it, or a postmortem went out
                    existing = repo.open_incident_by_dedupe_key(conn, key)
                    if existing is None:
                        return None
                    raise _Duplicate(existing)
                reopened = _must(repo.get_incident(conn, current.number))
                repo.add_event(
                    conn,
                    incident=current.number,
                    at=now,
                    kind="incident.reopened",
                    actor=actor,
                    detail={
                        "dedupe_key": key,
                        "resolved_at": iso_utc(current.resolved_at),
                        "cooldown": None if window is None else int(window.total_seconds()),
                        "severity": chosen.value,
                        "break_glass_reason": reason,
                    },
                )
                follow_incident(conn, current.number, now, actor, source="reopen")
                posted = self.post_message(
                    conn, reopened, loaded.runbook, Phase.UPDATE, targets, given, actor, now
                )
        except _Duplicate as duplicate:
            return self._deduplicated(duplicate.incident, actor)
        except integrity_errors():
            # a racing declare opened a new incident with the key first
            with self.store.read() as conn:
                existing = repo.open_incident_by_dedupe_key(conn, key)
            if existing is None:
                raise
            return self._deduplicated(existing, actor)
        log.warning("incident.reopened", incident=incident.id, dedupe_key=key)
        return replace(self._deliver(incident.number, posted), reopened=True)

    def _deduplicated(self, incident: IncidentRecord, actor: str, *, record: bool = True) -> Report:
        with self.store.write() as conn:
            if record:
                repo.add_event(
                    conn,
                    incident=incident.number,
                    at=self.clock(),
                    kind="incident.deduplicated",
                    actor=actor,
                    detail={"dedupe_key": incident.dedupe_key},
                )
            latest = repo.latest_message(conn, incident.number)
            delivered = (
                [] if latest is None else repo.deliveries_of(conn, [latest.id], subscribers=False)
            )
        log.info("incident.deduplicated", incident=incident.id, dedupe_key=incident.dedupe_key)
        return Report(incident, delivered, latest, deduplicated=True)

    def _ref_by_dedupe_key(self, key: str) -> str:
        with self.store.read() as conn:
            found = repo.open_incident_by_dedupe_key(conn, key) or (
                repo.latest_incident_by_dedupe_key(conn, key)
            )
        if found is None:
            raise NotFoundError(
                f"no incident with dedupe key {key!r}; nothing to resolve "
                "(`outagecomms status` lists the open ones)"
            )
        return found.id

    def _existing(self, conn: Connection, number: int, ref: str) -> IncidentRecord:
        incident = repo.get_incident(conn, number)
        if incident is None:
            raise NotFoundError(
                f"no incident {ref!r} in {self.store.shown_url}; "
                "`outagecomms status --all` lists them"
            )
        return incident
