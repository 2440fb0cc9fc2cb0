"""``summary.json``'s components in Atlassian Statuspage's shape: ``id``, ``name``,
``status``, ``created_at``, ``updated_at``, ``position``, ``description``, ``showcase``,
``start_date``, ``group_id``, ``page_id``, ``group``, ``only_show_if_degraded``; each group
of ``components.yaml`` is a component of its own with ``group: true`` and ``components``
(its members' ids), its status the worst of theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outagecomms.components.statuses import ComponentStatus
from outagecomms.site.components import SiteComponent, grouped
from outagecomms.site.page_id import page_id
from outagecomms.store.records import iso_utc

if TYPE_CHECKING:
    from outagecomms.site.state import SiteState

INDICATOR_OF_STATUS = {
    ComponentStatus.OPERATIONAL.value: "none",
    ComponentStatus.UNDER_MAINTENANCE.value: "none",
    ComponentStatus.DEGRADED_PERFORMANCE.value: "minor",
    ComponentStatus.PARTIAL_OUTAGE.value: "major",
    ComponentStatus.MAJOR_OUTAGE.value: "critical",
}
"""The overall indicator a component's status raises the page to."""


def _page_id(state: SiteState) -> str:
    return page_id(state.config.base_url)


def component_json(component: SiteComponent, state: SiteState) -> dict[str, Any]:
    at = iso_utc(component.updated_at or state.config.now)
    return {
        "id": component.id,
        "name": component.name,
        "status": component.status,
        "created_at": at,
        "updated_at": at,
        "position": component.position,
        "description": None,
        "showcase": True,
        "start_date": None,
        "group_id": component.group,
        "page_id": _page_id(state),
        "group": False,
        "only_show_if_degraded": False,
    }


def components_json(state: SiteState) -> list[dict[str, Any]]:
    """Every component, and each group before its members."""
    found: list[dict[str, Any]] = []
    for group in grouped(state.components):
        if group.id is not None:
            newest = max((c.updated_at for c in group.components if c.updated_at), default=None)
            at = iso_utc(newest or state.config.now)
            found.append(
                {
                    "id": group.id,
                    "name": group.name or group.id,
                    "status": group.status,
                    "created_at": at,
                    "updated_at": at,
                    "position": group.components[0].position,
                    "description": None,
                    "showcase": False,
                    "start_date": None,
                    "group_id": None,
                    "page_id": _page_id(state),
                    "group": True,
                    "only_show_if_degraded": False,
                    "components": [c.id for c in group.components],
                }
            )
        found += [component_json(c, state) for c in group.components]
    return found
