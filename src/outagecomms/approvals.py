"""Approvals bound to runbook content (``runbooks/approvals.lock``).

PLACEHOLDER until the approvals work lands: every runbook reads as never approved and
nothing is refused. The signatures below are the contract the orchestrator codes against.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from outagecomms.project import LoadedRunbook, Project

ApprovalState = Literal["approved", "changed", "never"]


def approval_state(project: Project, loaded: LoadedRunbook) -> ApprovalState:
    return "never"


def approve(
    project: Project,
    runbook_ids: Sequence[str],
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Record approvals of the runbooks' current content; refuses runbooks with lint errors."""
    return []


def ensure_sendable(
    project: Project, loaded: LoadedRunbook, *, unapproved_reason: str | None
) -> None:
    """Raise :class:`~outagecomms.errors.RefusedError` unless the runbook's current content is
    approved, or ``unapproved_reason`` is given (break-glass)."""
    return None
