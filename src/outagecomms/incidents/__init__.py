"""Incidents: the use cases (declare, update, correct, resolve, postmortem, status, show) in
:mod:`~outagecomms.incidents.service`, built on the outbox (:mod:`outagecomms.outbox`).

``from outagecomms.incidents import Orchestrator, Report, ...`` is the stable import; the
modules behind it are :mod:`.defaults`, :mod:`.views`, :mod:`.rules`, :mod:`.messaging`,
:mod:`.reopen` and :mod:`.service`.
"""

from __future__ import annotations

from outagecomms.fanout import Composition
from outagecomms.incidents.defaults import (
    ACTOR_ENV,
    LATEST_VERSION,
    UPDATE_PHASES,
    WAITING_STATES,
    ApprovalGate,
    database_url,
    default_actor,
    open_project_store,
    utcnow,
)
from outagecomms.incidents.rules import (
    _check_lifecycle,
    _clean_key,
    _clean_reason,
    _flapped,
    pin,
)
from outagecomms.incidents.service import Orchestrator
from outagecomms.incidents.views import (
    IncidentDetail,
    IncidentSummary,
    Report,
    TimelineEntry,
    blocked_json,
    broken_channel_json,
    delivery_json,
    incident_json,
    pinning_json,
)
from outagecomms.outbox.posting import Posted
from outagecomms.outbox.sending import Sender
from outagecomms.store.repository import UNBLOCKED

__all__ = [
    "ACTOR_ENV",
    "LATEST_VERSION",
    "UNBLOCKED",
    "UPDATE_PHASES",
    "WAITING_STATES",
    "ApprovalGate",
    "Composition",
    "IncidentDetail",
    "IncidentSummary",
    "Orchestrator",
    "Posted",
    "Report",
    "Sender",
    "TimelineEntry",
    "_check_lifecycle",
    "_clean_key",
    "_clean_reason",
    "_flapped",
    "blocked_json",
    "broken_channel_json",
    "database_url",
    "default_actor",
    "delivery_json",
    "incident_json",
    "open_project_store",
    "pin",
    "pinning_json",
    "utcnow",
]
