"""A rebuild after a message reads less than a full build (the window's resolved incidents
without a page: their latest update, and the updates the feed shows; nothing of those whose
list entries the last build kept as they still are), but every file it writes is byte for
byte the one a full build at the same moment writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.site import feed, listed
from outagecomms.site.build import build_sites
from outagecomms.site.languages import site_configs
from outagecomms.store import Store, site_repo
from tests.incidents.conftest import Clock, write_channel
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


def full_build(root: Path, store: Store, out: Path, clock: Clock) -> None:
    project = Project(root)
    build_sites(project, store, out, site_configs(project, now=clock()))


def rebuilt_after_update(
    root: Path, store: Store, out: Path, clock: Clock, orchestrator: Orchestrator,
    meanwhile: Callable[[], object] = lambda: None,
) -> None:  # fmt: skip
    """An update of INC-5 and the rebuild its site delivery triggers (``meanwhile`` called
    in between)."""
    clock.advance(minutes=10)
    orchestrator.update("INC-5", phase=Phase.IDENTIFIED)
    meanwhile()
    project = Project(root)
    build_sites(project, store, out, site_configs(project, now=clock()), changed={5})


def assert_same_as_full(root: Path, store: Store, rebuilt: Path, full: Path, clock: Clock) -> None:
    full_build(root, store, full, clock)
    for relative in ("index.html", "fa/index.html", "feed.atom", "fa/feed.atom"):
        assert (rebuilt / relative).read_bytes() == (full / relative).read_bytes(), relative


def spied_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The incidents whose list entries are rendered from now on (not kept)."""
    rendered: list[str] = []
    render = listed.TreeLists._render
    monkeypatch.setattr(
        listed.TreeLists, "_render",
        lambda self, incident: rendered.append(incident.id) or render(self, incident),
    )  # fmt: skip
    return rendered


@pytest.mark.usefixtures("history")
def test_a_rebuild_renders_no_list_entry_of_an_incident_that_did_not_change(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    full_build(root, store, tmp_path / "site", clock)
    spied: list[list[str]] = []
    spy = lambda: spied.append(spied_renders(monkeypatch))  # noqa: E731
    rebuilt_after_update(root, store, tmp_path / "site", clock, orchestrator, spy)
    assert spied == [[]]


@pytest.mark.usefixtures("history")
def test_a_kept_entry_of_an_incident_changed_since_is_rendered_again(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    """INC-1's postmortem is posted while its own rebuild has not run: the next rebuild
    (for INC-5) still lists it as it is now."""
    full_build(root, store, tmp_path / "rebuilt", clock)
    orchestrator.postmortem("INC-1")
    rebuilt_after_update(root, store, tmp_path / "rebuilt", clock, orchestrator)
    assert_same_as_full(root, store, tmp_path / "rebuilt", tmp_path / "full", clock)


def damaged_entries(kept: Path) -> None:
    """Every kept entry's updates replaced by something that is no list of updates."""
    document = json.loads(kept.read_text(encoding="utf-8"))
    for tree in document["trees"].values():
        for entry in tree.values():
            entry["shown"] = [["not a time", 1]]
    kept.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [lambda kept: kept.write_text("{not json", encoding="utf-8"), damaged_entries],
    ids=["not JSON", "entries damaged"],
)
@pytest.mark.usefixtures("history")
def test_a_rebuild_with_unreadable_kept_entries_renders_them_all(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    damage: Callable[[Path], object],
) -> None:  # fmt: skip
    full_build(root, store, tmp_path / "rebuilt", clock)
    damage(tmp_path / "rebuilt" / listed.LISTS_FILE)
    rebuilt_after_update(root, store, tmp_path / "rebuilt", clock, orchestrator)
    assert_same_as_full(root, store, tmp_path / "rebuilt", tmp_path / "full", clock)


@pytest.mark.usefixtures("history")
def test_kept_entries_are_rendered_again_when_a_channel_s_language_changes(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Which text a list shows depends on the channels' languages, which the build's
    shape (its languages and time zones) does not hold."""
    full_build(root, store, tmp_path / "rebuilt", clock)
    write_channel(root, "x-posts", kind="x", url="json://127.0.0.1:9/x", language="fa")
    rendered = spied_renders(monkeypatch)
    rebuilt_after_update(root, store, tmp_path / "rebuilt", clock, orchestrator)
    assert {"INC-1", "INC-4"} <= set(rendered)
    assert_same_as_full(root, store, tmp_path / "rebuilt", tmp_path / "full", clock)


@pytest.mark.usefixtures("history")
def test_a_rebuild_reads_no_message_of_an_incident_whose_entries_are_kept(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    full_build(root, store, tmp_path / "site", clock)
    read: list[int] = []
    messages_read = site_repo.timelines_of_messages

    def spy() -> None:
        monkeypatch.setattr(
            site_repo, "timelines_of_messages",
            lambda conn, ids: read.extend(ids) or messages_read(conn, ids),
        )  # fmt: skip

    rebuilt_after_update(root, store, tmp_path / "site", clock, orchestrator, spy)
    assert read == []


@pytest.mark.usefixtures("history")
def test_a_kept_incident_whose_update_enters_the_feed_is_read_again(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The last build's feed was shorter: the entries it did not show were not kept."""
    full_build(root, store, tmp_path / "rebuilt", clock)
    monkeypatch.setattr(feed, "MAX_ENTRIES", FEED_ENTRIES + 4)
    rebuilt_after_update(root, store, tmp_path / "rebuilt", clock, orchestrator)
    assert_same_as_full(root, store, tmp_path / "rebuilt", tmp_path / "full", clock)
