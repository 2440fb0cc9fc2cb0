"""What every request of one service process shares: its settings, the store (a pool of
connections), and how to wake the worker. No state of the incidents lives here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outagecomms.incidents import Orchestrator, open_project_store
from outagecomms.project import Project, Signature, files_signature
from outagecomms.store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY = 1_048_576
"""Bytes a request body may have (413 beyond)."""
DEFAULT_RATE_LIMIT = 600
"""Requests per minute per token (and per client address without a valid token)."""


@dataclass(frozen=True)
class ServiceSettings:
    project_root: Path
    database_url: str | None = None
    public_url: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    rate_limit: int = DEFAULT_RATE_LIMIT
    orchestrator_options: dict[str, Any] = field(default_factory=dict)
    """Extra :class:`Orchestrator` options (a test's clock or sender)."""


class Service:
    """One process's shared parts. ``poke`` wakes the embedded worker (if any) when a hook
    left deliveries to it."""

    def __init__(self, settings: ServiceSettings, store: Store | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._project: tuple[Signature, Project] | None = None
        self.store = store or open_project_store(self.project(), settings.database_url)
        self._owns_store = store is None
        self.poke: Callable[[], None] = lambda: None

    def project(self) -> Project:
        """The project as its files are now: read again when a file under ``runbooks/`` or
        ``channels/``, ``routes.yaml`` or the settings changed (a ``git pull`` of the
        runbooks repo), else the snapshot already parsed."""
        root = self.settings.project_root
        signature = files_signature(root)
        with self._lock:
            if self._project is None or self._project[0] != signature:
                self._project = (signature, Project(root))
            return self._project[1]

    def orchestrator(self, actor: str, *, deliver: bool = True) -> Orchestrator:
        return Orchestrator(
            self.project(),
            self.store,
            actor=actor,
            deliver=deliver,
            **self.settings.orchestrator_options,
        )

    def close(self) -> None:
        if self._owns_store:
            self.store.close()
