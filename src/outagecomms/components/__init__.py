"""Components: the parts of the product customers see a status for (``components.yaml``),
the status incidents put them in, and their history (README "Components").

- :mod:`.statuses` the five statuses and their order;
- :mod:`.catalog` ``components.yaml``, validated with ``file:line`` errors;
- :mod:`.impact` which components an incident affects (runbook, ``--component``), and
  the store writes at declare, resolve and ``PATCH /api/v1/components/{id}``;
- :func:`incident_components` the ids one incident affects (for audiences).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outagecomms.components.catalog import Catalog, Component, load_catalog
    from outagecomms.components.statuses import ComponentStatus
    from outagecomms.store.components_repo import incident_components

__all__ = ["Catalog", "Component", "ComponentStatus", "incident_components", "load_catalog"]

_HOMES = {
    "Catalog": "outagecomms.components.catalog",
    "Component": "outagecomms.components.catalog",
    "load_catalog": "outagecomms.components.catalog",
    "ComponentStatus": "outagecomms.components.statuses",
    "incident_components": "outagecomms.store.components_repo",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
