"""``summary.json``: the site's state in the shape status-page consumers already parse
(Atlassian Statuspage's ``/api/v2/summary.json``), checked by ``summary.schema.json``.

- ``page``: ``id`` (the status page's host), ``name``, ``url`` (this language's tree),
  ``time_zone``, ``updated_at``; extensions ``language`` and ``alternates`` (this summary in
  each of the site's languages: ``lang`` and ``url``).
- ``status``: ``indicator`` (``none``, ``minor``, ``major``, ``critical``: the highest severity
  among open incidents and components' statuses) and ``description``.
- ``incidents``: the OPEN incidents, the most recently updated first, as Statuspage lists
  unresolved ones: ``id``, ``name``, ``status`` (``investigating``, ``identified``,
  ``monitoring``), ``impact`` (the severity), ``created_at``, ``started_at``,
  ``updated_at``, ``monitoring_at``, ``resolved_at``, ``shortlink``, ``page_id``,
  ``components`` and ``incident_updates`` (newest first: ``id``, ``status``, ``body``,
  ``created_at``, ``updated_at``, ``display_at``, ``incident_id``). Extensions:
  ``next_update_at`` and ``scope`` on an incident, ``phase``, ``title`` and ``lang`` on an
  update.
- ``components``: the project's components (``components.yaml``) in Statuspage's shape,
  each group as a component with ``group: true`` and its members' ids
  (:mod:`outagecomms.site.components_summary`); an incident's ``components`` are the ones
  it affects. The ``status`` indicator counts them too.
- ``scheduled_maintenances``: the upcoming and running maintenance windows, the soonest
  first, in Statuspage's shape (site/maintenance.py); extensions ``sequence`` (as in
  ``maintenance.ics``) and ``incident``.
- ``updates_on_time`` on an incident (an extension): the promise record, ``on_time`` of
  ``due`` promises ("next update by") kept.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from outagecomms.site.components_summary import (
    INDICATOR_OF_STATUS,
    component_json,
    components_json,
)
from outagecomms.site.maintenance import scheduled_maintenance_json
from outagecomms.site.page_id import page_id
from outagecomms.site.state import SiteIncident, SiteState, Update
from outagecomms.store.records import iso_utc

SCHEMA_RESOURCE = "summary.schema.json"
SEVERITY_ORDER = ("none", "minor", "major", "critical")
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
"""Statuspage's own wording, which dashboards show verbatim."""


def indicator(state: SiteState) -> str:
    """The highest severity among open incidents, or of a component's status
    (:data:`~outagecomms.site.components_summary.INDICATOR_OF_STATUS`); ``none`` when nothing
    is open and every component works."""
    found = [i.record.severity for i in state.open if i.record.severity in SEVERITY_ORDER]
    found += [INDICATOR_OF_STATUS[c.status] for c in state.components]
    return max(found, key=SEVERITY_ORDER.index, default="none")


def _update(update: Update) -> dict[str, Any]:
    at = iso_utc(update.at)
    return {
        "id": update.id,
        "status": update.status,
        "body": update.body,
        "created_at": at,
        "updated_at": at,
        "display_at": at,
        "incident_id": update.incident_id,
        "affected_components": None,
        "phase": update.phase,
        "title": update.title,
        "lang": update.lang,
    }


def _incident(incident: SiteIncident, state: SiteState) -> dict[str, Any]:
    record = incident.record
    base = state.config.url
    return {
        "id": incident.id,
        "name": incident.title,
        "status": record.phase,
        "impact": record.severity,
        "created_at": iso_utc(record.started_at),
        "started_at": iso_utc(record.started_at),
        "updated_at": iso_utc(incident.updated_at),
        "monitoring_at": incident.status_at("monitoring"),
        "resolved_at": iso_utc(record.resolved_at),
        "shortlink": f"{base}/{incident.path}",
        "page_id": page_id(base),
        "components": [component_json(c, state) for c in incident.components],
        "incident_updates": [_update(u) for u in reversed(incident.updates)],
        "next_update_at": iso_utc(record.next_update_at) if incident.is_open else None,
        "scope": incident.scope,
        "updates_on_time": {"on_time": incident.on_time[0], "due": incident.on_time[1]},
    }


def summary(state: SiteState) -> dict[str, Any]:
    config = state.config
    level = indicator(state)
    return {
        "page": {
            "id": page_id(config.base_url),
            "name": config.name,
            "url": config.url,
            "time_zone": config.timezone,
            "updated_at": iso_utc(config.now),
            "language": config.lang,
            "alternates": [
                {"lang": lang, "url": f"{config.base_url}/{config.folder_of(lang)}summary.json"}
                for lang in config.site_languages
            ],
        },
        "status": {"indicator": level, "description": DESCRIPTIONS[level]},
        "components": components_json(state),
        "incidents": [_incident(i, state) for i in state.open],
        "scheduled_maintenances": [
            scheduled_maintenance_json(w, config.url, page_id(config.base_url))
            for w in state.windows
            if w.upcoming
        ],
    }


def summary_json(state: SiteState) -> str:
    return json.dumps(summary(state), ensure_ascii=False, indent=2) + "\n"


@cache
def schema_text() -> str:
    return (resources.files("outagecomms.site") / SCHEMA_RESOURCE).read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema ``summary.json`` follows (shipped as ``summary.schema.json``)."""
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded
