"""outagecomms: outage communications from pre-approved runbooks.

The public Python API (the CLI is a thin layer over it; see README "Python API")::

    from outagecomms import Orchestrator, Project, open_store

    project = Project(".")
    with open_store(default_database_url(project.root)) as store:  # or a postgresql:// URL
        report = Orchestrator(project, store).declare("payments-outage", variables={...})

Names are imported on first use (a module ``__getattr__``), so ``import outagecomms`` and
``outagecomms --help`` stay fast and load neither SQLAlchemy, apprise nor pydantic. Fakes
and local sinks for your own tests are in :mod:`outagecomms.testing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from outagecomms.lazy import lazy_names

if TYPE_CHECKING:
    from outagecomms.approvals import approve
    from outagecomms.counting import measure
    from outagecomms.errors import (
        ConfigError,
        ExitStatus,
        FindingsError,
        NotFoundError,
        OutagecommsError,
        RefusedError,
        StoreError,
        UsageError,
    )
    from outagecomms.incidents import Orchestrator, Report
    from outagecomms.lint.runner import lint_paths, lint_text
    from outagecomms.maintenance import Maintenance
    from outagecomms.preview import preview
    from outagecomms.project import Project
    from outagecomms.store import Store, default_database_url, open_store
    from outagecomms.worker import Worker

_WHERE = {
    "Orchestrator": "outagecomms.incidents",
    "Report": "outagecomms.incidents",
    "Worker": "outagecomms.worker",
    "Maintenance": "outagecomms.maintenance",
    "Project": "outagecomms.project",
    "Store": "outagecomms.store",
    "open_store": "outagecomms.store",
    "default_database_url": "outagecomms.store",
    "approve": "outagecomms.approvals",
    "lint_paths": "outagecomms.lint.runner",
    "lint_text": "outagecomms.lint.runner",
    "preview": "outagecomms.preview",
    "measure": "outagecomms.counting",
    "ExitStatus": "outagecomms.errors",
    "OutagecommsError": "outagecomms.errors",
    "UsageError": "outagecomms.errors",
    "NotFoundError": "outagecomms.errors",
    "RefusedError": "outagecomms.errors",
    "ConfigError": "outagecomms.errors",
    "StoreError": "outagecomms.errors",
    "FindingsError": "outagecomms.errors",
}
"""Each public name -> the module that defines it."""

__all__ = [
    "ConfigError",
    "ExitStatus",
    "FindingsError",
    "Maintenance",
    "NotFoundError",
    "Orchestrator",
    "OutagecommsError",
    "Project",
    "RefusedError",
    "Report",
    "Store",
    "StoreError",
    "UsageError",
    "Worker",
    "approve",
    "default_database_url",
    "lint_paths",
    "lint_text",
    "measure",
    "open_store",
    "preview",
]


__getattr__ = lazy_names(globals(), _WHERE)
"""Import a public name's module on first use (PEP 562)."""


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
