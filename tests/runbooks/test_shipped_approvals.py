"""The shipped runbooks are approved as they are, so this repository's own pull-request
workflow (`outagecomms lint --require-approval`) passes, and an edit without a new
approval fails here first."""

from __future__ import annotations

from outagecomms.approvals import approval_state
from outagecomms.project import Project
from tests.conftest import REPO


def test_every_shipped_runbook_is_approved_as_it_is() -> None:
    project = Project(REPO)
    states = {rid: approval_state(project, loaded) for rid, loaded in project.runbooks().items()}
    assert states and set(states.values()) == {"approved"}, (
        f"re-approve with `outagecomms approve ... --by NAME`: {states}"
    )
