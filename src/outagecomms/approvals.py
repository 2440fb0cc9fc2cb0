"""Approvals bound to runbook content (``runbooks/approvals.lock``).

PLACEHOLDER until the approvals work lands: every runbook reads as never approved.
"""

from __future__ import annotations

from typing import Literal

from outagecomms.project import LoadedRunbook, Project

ApprovalState = Literal["approved", "changed", "never"]


def approval_state(project: Project, loaded: LoadedRunbook) -> ApprovalState:
    return "never"
