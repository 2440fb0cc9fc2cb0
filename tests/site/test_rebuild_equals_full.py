"""A rebuild after a message reads less than a full build (the window's resolved incidents
without a page: their latest update, and the updates the feed shows), but every file it
writes is byte for byte the one a full build at the same moment writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.site import feed
from outagecomms.site.build import build_sites
from outagecomms.site.languages import site_configs
from outagecomms.store import Store
from tests.incidents.conftest import Clock
from tests.site.conftest import IMPACT, RUNBOOK

FEED_ENTRIES = 5
"""Fewer than the window's updates, so the feed keeps some of them and leaves others."""


@pytest.fixture
def history(orchestrator: Orchestrator, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four incidents resolved a day apart (two updates each, one with an extra update),
    then INC-5 declared: more updates in the window than the feed carries."""
    monkeypatch.setattr(feed, "MAX_ENTRIES", FEED_ENTRIES)
    for number in range(1, 5):
        orchestrator.declare(RUNBOOK, variables={"impact": f"trouble {number}"})
        clock.advance(minutes=5)
        if number == 2:
            orchestrator.update(f"INC-{number}", phase=Phase.IDENTIFIED)
            clock.advance(minutes=5)
        orchestrator.resolve(f"INC-{number}")
        clock.advance(days=1)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})


def assert_same_files(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    message: str,
) -> None:  # fmt: skip
    project = Project(root)
    rebuilt, full = tmp_path / "rebuilt", tmp_path / "full"
    build_sites(project, store, rebuilt, site_configs(project, now=clock()))
    clock.advance(minutes=10)
    if message == "update":
        orchestrator.update("INC-5", phase=Phase.IDENTIFIED)
    else:
        orchestrator.resolve("INC-5")
    configs = site_configs(project, now=clock())
    written = build_sites(project, store, rebuilt, configs, changed={5}).files
    build_sites(project, store, full, configs)
    assert "index.html" in written and "fa/feed.atom" in written
    for relative in written:
        assert (rebuilt / relative).read_bytes() == (full / relative).read_bytes(), relative


@pytest.mark.usefixtures("history")
def test_a_rebuild_after_an_update_writes_what_a_full_build_writes(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    assert_same_files(root, store, tmp_path, clock, orchestrator, "update")


@pytest.mark.usefixtures("history")
def test_a_rebuild_after_a_resolution_writes_what_a_full_build_writes(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    assert_same_files(root, store, tmp_path, clock, orchestrator, "resolve")
