"""Incidents: the use cases (declare, update, correct, resolve, postmortem, status, show) in
:mod:`~outagecomms.incidents.service`, built on the outbox (:mod:`outagecomms.outbox`).

``from outagecomms.incidents import Orchestrator, Report, ...`` is the stable import; the
modules behind it are :mod:`.defaults`, :mod:`.views`, :mod:`.rules`, :mod:`.messaging`,
:mod:`.reopen` and :mod:`.service`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from outagecomms.lazy import lazy_names

if TYPE_CHECKING:
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

_MODULES: dict[str, str] = {
    "Composition": "outagecomms.fanout",
    "ACTOR_ENV": "outagecomms.incidents.defaults",
    "LATEST_VERSION": "outagecomms.incidents.defaults",
    "UPDATE_PHASES": "outagecomms.incidents.defaults",
    "WAITING_STATES": "outagecomms.incidents.defaults",
    "ApprovalGate": "outagecomms.incidents.defaults",
    "database_url": "outagecomms.incidents.defaults",
    "default_actor": "outagecomms.incidents.defaults",
    "open_project_store": "outagecomms.incidents.defaults",
    "utcnow": "outagecomms.incidents.defaults",
    "_check_lifecycle": "outagecomms.incidents.rules",
    "_clean_key": "outagecomms.incidents.rules",
    "_clean_reason": "outagecomms.incidents.rules",
    "_flapped": "outagecomms.incidents.rules",
    "pin": "outagecomms.incidents.rules",
    "Orchestrator": "outagecomms.incidents.service",
    "IncidentDetail": "outagecomms.incidents.views",
    "IncidentSummary": "outagecomms.incidents.views",
    "Report": "outagecomms.incidents.views",
    "TimelineEntry": "outagecomms.incidents.views",
    "blocked_json": "outagecomms.incidents.views",
    "broken_channel_json": "outagecomms.incidents.views",
    "delivery_json": "outagecomms.incidents.views",
    "incident_json": "outagecomms.incidents.views",
    "pinning_json": "outagecomms.incidents.views",
    "Posted": "outagecomms.outbox.posting",
    "Sender": "outagecomms.outbox.sending",
    "UNBLOCKED": "outagecomms.store.repository",
}
"""Where each name lives: importing a module of this package (``views``, ``overview``) does
not import the service, the composer or the outbox; a name is imported when it is used."""


__getattr__ = lazy_names(globals(), _MODULES)

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
