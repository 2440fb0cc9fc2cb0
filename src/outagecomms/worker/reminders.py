"""Reminders: a runbook's ``reminder:`` lead before an automatic update, sent once per
promise to the incident's internal channels."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.engine import Connection

from outagecomms.errors import OutagecommsError
from outagecomms.models import Audience, Channel
from outagecomms.store import repository as repo
from outagecomms.store.records import IncidentRecord, iso_utc
from outagecomms.worker.deliveries import Delivering
from outagecomms.worker.report import StepReport
from outagecomms.worker.service import _cadence_of
from outagecomms.worker.settings import (
    WORKER_ACTOR,
)
from outagecomms.worker.texts import notice_items, reminder_text

log = structlog.get_logger(__name__)


class Reminding(Delivering):
    """The internal channels' reminder before an automatic update."""

    def _reminder_leads(self, conn: Connection) -> dict[repo.RunbookVersion, timedelta]:
        """Runbook version -> its ``reminder:`` lead, for the runbook versions pinned on
        open incidents that have one (from the file for incidents declared before pinning;
        a runbook that cannot be read has none: its incidents are blocked)."""
        leads: dict[repo.RunbookVersion, timedelta] = {}
        for runbook_id, sha256 in repo.open_runbook_versions(conn):
            try:
                runbook = (
                    self.project.runbook(runbook_id).runbook
                    if sha256 is None
                    else self.orchestrator.pinned_version(conn, sha256)
                )
            except (OutagecommsError, ValueError):
                continue
            if runbook is not None and runbook.reminder is not None:
                leads[(runbook_id, sha256)] = runbook.reminder
        return leads

    def _remind(
        self, incident: IncidentRecord, lead: timedelta, now: datetime, report: StepReport
    ) -> None:
        """Nudge the incident's internal channels, once per promise (decided in a write
        transaction, so one worker sends it). Best effort: not retried. A promise that
        needs no reminder (no internal channel, or a cadence no longer than the lead) is
        marked as handled too, so it is not looked at again."""
        promise = incident.next_update_at
        assert promise is not None
        internal: dict[str, Channel] = {}
        problem = None
        if lead < _cadence_of(self.orchestrator, incident):
            try:
                targets = self.orchestrator.channels_for(incident.channels)
            except OutagecommsError as exc:
                problem = f"{incident.id}: reminder not sent: {exc}"
            else:
                internal = {n: c for n, c in targets.items() if c.audience is Audience.INTERNAL}
        with self.store.write() as conn:
            if not repo.mark_reminded(conn, incident.number, promise):
                return  # another worker took it, or the promise changed meanwhile
        if problem is not None:
            report.problems.append(problem)
        if not internal:
            return
        notice = reminder_text(incident, promise, now)
        items = notice_items("reminder", notice, internal, incident.id, promise.isoformat())
        outcomes = self.orchestrator.send_now(items)
        with self.store.write() as conn:
            repo.add_event(
                conn,
                incident=incident.number,
                at=now,
                kind="reminder.sent",
                actor=WORKER_ACTOR,
                detail={
                    "for": iso_utc(promise),
                    "channels": {
                        o.key.removeprefix("reminder:"): o.error or "sent" for o in outcomes
                    },
                },
            )
        report.reminders.append(incident.id)
