"""The incident rules that need no store: lifecycle checks, flapping, overdue promises,
clean inputs, what a pinned runbook records, and the fields that clear a block."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from outagecomms.approvals import content_hash
from outagecomms.errors import (
    PARAMETER,
    RefusedError,
    UsageError,
)
from outagecomms.inputs import check_value
from outagecomms.limits import ACTOR_MAX_LENGTH
from outagecomms.logs import get_logger
from outagecomms.models import Phase, Runbook, Severity
from outagecomms.runbook_content import runbook_content
from outagecomms.store.records import (
    IncidentRecord,
    IncidentStatus,
)

log = get_logger(__name__)


def pin(runbook: Runbook) -> dict[str, Any]:
    """The incident columns that pin ``runbook`` (README "When things go wrong"): its
    content hash, the same one ``approvals.lock`` records, and the content itself."""
    return {
        "runbook_sha256": content_hash(runbook),
        "runbook_content": runbook_content(runbook),
    }


class _Duplicate(Exception):
    def __init__(self, incident: IncidentRecord) -> None:
        super().__init__(incident.id)
        self.incident = incident


def _must(incident: IncidentRecord | None) -> IncidentRecord:
    assert incident is not None, "the incident vanished inside its own transaction"
    return incident


def _non_blank(value: str | None, when_blank: str, parameter: str) -> str | None:
    """``value`` stripped; ``None`` stays ``None``; only blanks is a usage error about
    ``parameter``."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise UsageError(when_blank, parameter=parameter)
    return value


def _clean_key(key: str | None) -> str | None:
    key = _non_blank(
        key,
        f"{PARAMETER} is empty; pass a stable name such as 'ci-payments-check'",
        "dedupe_key",
    )
    if key is not None and len(key) > ACTOR_MAX_LENGTH:
        raise UsageError(
            f"{PARAMETER} is longer than 255 characters; shorten it", parameter="dedupe_key"
        )
    return None if key is None else check_value(key, "dedupe_key")


def _clean_reason(reason: str | None) -> str | None:
    return _non_blank(
        reason,
        f"{PARAMETER} is empty; say why the unapproved runbook must go out now",
        "unapproved_reason",
    )


def _flapped(
    incident: IncidentRecord, runbook_id: str, window: timedelta | None, now: datetime
) -> bool:
    """Whether a declare now is a flap of ``incident``: same runbook, resolved (without a
    postmortem yet) no longer than ``window`` ago."""
    return (
        window is not None
        and window > timedelta(0)
        and incident.runbook_id == runbook_id
        and incident.status == IncidentStatus.RESOLVED.value
        and incident.phase == Phase.RESOLVED.value
        and incident.resolved_at is not None
        and now - incident.resolved_at <= window
    )


def _follow_up_changes(
    incident: IncidentRecord,
    runbook: Runbook,
    phase: Phase,
    given: Mapping[str, str],
    now: datetime,
    severity: Severity | None = None,
) -> dict[str, Any]:
    """The columns posting ``phase`` on ``incident`` at ``now`` changes (``severity``: a
    change of course, whose cadence the next promise follows)."""
    changes: dict[str, Any] = {"variables": dict(given), "updated_at": now}
    if phase is Phase.RESOLVED:
        changes.update(
            status=IncidentStatus.RESOLVED.value,
            phase=phase.value,
            next_update_at=None,
            open_dedupe_key=None,
            resolved_at=now,
        )
    elif phase is Phase.POSTMORTEM:
        changes.update(phase=phase.value)
    elif phase is not Phase.CORRECTION:  # a correction keeps the phase and the promise
        chosen = severity or Severity(incident.severity)
        cadence = incident.cadence_override or runbook.cadence_for(chosen)
        changes["next_update_at"] = now + cadence
        if phase is not Phase.UPDATE:
            changes["phase"] = phase.value
    return changes


def _check_lifecycle(incident: IncidentRecord, phase: Phase) -> None:
    if phase is Phase.POSTMORTEM:
        if incident.is_open:
            raise RefusedError(
                f"{incident.id} is still open; a postmortem follows the resolution "
                f"(`outagecomms resolve {incident.id}` first)"
            )
        return
    if not incident.is_open:
        raise RefusedError(
            f"{incident.id} is already resolved; after resolution only "
            f"`outagecomms postmortem {incident.id}` may be sent "
            "(declare a new incident if the problem is back)"
        )
