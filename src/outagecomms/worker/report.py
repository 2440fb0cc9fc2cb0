"""What one step of the worker did (``worker --once --json`` prints it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass
class StepReport:
    """What one :meth:`Worker.run_once` did."""

    at: datetime
    updates: list[str] = field(default_factory=list)
    """Incidents that got an automatic update."""
    reminders: list[str] = field(default_factory=list)
    maintenance: list[str] = field(default_factory=list)
    """Maintenance windows' steps taken (``MW-3 start``)."""
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    taken_over: int = 0
    problems: list[str] = field(default_factory=list)

    def note_broken_channels(self, broken: Mapping[str, str]) -> None:
        """A channel file that is broken is one problem per step, not one per incident."""
        for name, problem in sorted(broken.items()):
            line = f"channel {name} not reached: {problem}"
            if line not in self.problems:
                self.problems.append(line)

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "automatic_updates": self.updates,
            "reminders": self.reminders,
            "maintenance": self.maintenance,
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "taken_over": self.taken_over,
            "problems": self.problems,
        }
