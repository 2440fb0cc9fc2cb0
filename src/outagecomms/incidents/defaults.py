"""What an orchestrator uses when not told otherwise: the actor, the clock, the store of the
project, and the shape of the approval gate."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol

from outagecomms.logs import get_logger
from outagecomms.models import Phase
from outagecomms.project import LoadedRunbook, Project
from outagecomms.project_root import resolved_database_url
from outagecomms.store import Store, open_store
from outagecomms.store.records import DeliveryState

log = get_logger(__name__)


ACTOR_ENV = "OUTAGECOMMS_ACTOR"
WAITING_STATES = frozenset({DeliveryState.QUEUED, DeliveryState.RETRY, DeliveryState.SENDING})
"""Delivery states that still lead to a send."""
UPDATE_PHASES = (Phase.IDENTIFIED, Phase.MONITORING, Phase.UPDATE)
"""What ``update`` may post; ``update`` is the "still working on it" message."""
LATEST_VERSION = "latest"
"""``update --runbook-version latest``: move the incident to the newest approved runbook."""


class ApprovalGate(Protocol):
    """Refuses a runbook that may not be sent (:func:`outagecomms.approvals.ensure_sendable`,
    or a test's stand-in): raises :class:`~outagecomms.errors.RefusedError`."""

    def __call__(
        self, project: Project, loaded: LoadedRunbook, *, unapproved_reason: str | None
    ) -> None: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_actor(environ: Mapping[str, str] | None = None) -> str:
    """``OUTAGECOMMS_ACTOR``, else the OS user, else ``unknown``."""
    env = os.environ if environ is None else environ
    if env.get(ACTOR_ENV):
        return env[ACTOR_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - a container without a passwd entry
        return "unknown"


def database_url(project: Project, override: str | None = None) -> str:
    """``--database-url``, then ``OUTAGECOMMS_DATABASE_URL`` / ``outagecomms.toml``, then the
    project's SQLite file. A relative SQLite path is relative to the project directory."""
    configured = None if override else project.settings.database_url
    return resolved_database_url(project.root, configured, override)


def open_project_store(project: Project, override: str | None = None) -> Store:
    return open_store(database_url(project, override))
