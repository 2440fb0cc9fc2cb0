"""The statuses a component can be in (Statuspage's five), their order from best to worst,
and the status a runbook's severity puts a component in when no status is named."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from outagecomms.vocabulary import Severity

COMPONENT_ID = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")
"""A component's id (``components.yaml``): lowercase letters, digits, ``-`` or ``_``."""


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


ORDER = tuple(ComponentStatus)
"""Best first: the worst of several statuses is the one latest in this order."""

IMPACTS = tuple(s for s in ComponentStatus if s is not ComponentStatus.OPERATIONAL)
"""The statuses an incident may put a component in."""

BY_SEVERITY = {
    Severity.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
    Severity.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Severity.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
}
"""``declare --component ID`` without a status, for a component the runbook does not name."""


def worst(statuses: Iterable[str | ComponentStatus]) -> ComponentStatus:
    """The worst of ``statuses``; ``operational`` when there are none."""
    found = [ComponentStatus(s) for s in statuses]
    return max(found, key=ORDER.index, default=ComponentStatus.OPERATIONAL)


def parse_status(text: str, *, impact_only: bool = False) -> ComponentStatus:
    """``text`` as a status; a ``ValueError`` naming the choices otherwise."""
    allowed = IMPACTS if impact_only else ORDER
    try:
        status = ComponentStatus(text.strip())
    except ValueError:
        status = None
    if status is None or status not in allowed:
        raise ValueError(f"{text!r} is not a component status; use one of {', '.join(allowed)}")
    return status
