"""The status page at the scale of years: the index, the feed and the summary hold a window
(the open incidents and those resolved in the last ``site_window_days``), older incidents
are on the history page of their month, and a message rewrites only the files that show
its incident."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.site import build as site_build
from outagecomms.site.build import build_site
from outagecomms.site.manifest import Manifest
from outagecomms.site.state import SiteConfig
from outagecomms.store import Store
from outagecomms.store.tables import incidents
from tests.incidents.conftest import Clock
from tests.site.conftest import IMPACT, RUNBOOK, build

Writes = list[str]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Writes:
    """Every file the site builds write: ``public/index.html`` (the directory's name, then
    the file's path in it)."""
    written: Writes = []
    real: Callable[..., Path] = site_build.write_file

    def logged(root: Path, relative: str, content: bytes, *args: Any) -> Path:
        written.append(f"{root.name}/{relative}")
        return real(root, relative, content, *args)

    monkeypatch.setattr(site_build, "write_file", logged)
    return written


def declare_and_resolve(orchestrator: Orchestrator, impact: str = "old trouble") -> str:
    report = orchestrator.declare(RUNBOOK, variables={"impact": impact})
    incident_id = report.incident.id
    orchestrator.resolve(incident_id)
    return incident_id


def in_tree(writes: Writes, tree: str) -> list[str]:
    """The files written into one language tree (``public/``, ``public/fa/``), but the
    manifest."""
    inside = [w.removeprefix(tree) for w in writes if w.startswith(tree)]
    return [w for w in inside if not w.startswith(("fa/", "en/", "."))]


def hrefs(page: Path) -> list[str]:
    return re.findall(r'href="([^"#]+)', page.read_text(encoding="utf-8"))


def test_a_message_rewrites_its_incident_page_index_feed_summary_and_nothing_else(
    root: Path, orchestrator: Orchestrator, clock: Clock, writes: Writes
) -> None:
    declare_and_resolve(orchestrator)
    clock.advance(days=1)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    writes.clear()
    clock.advance(minutes=10)
    orchestrator.update("INC-2", phase=Phase.IDENTIFIED)
    # maintenance.ics is rendered too, but with the same bytes: it is not rewritten
    assert set(in_tree(writes, "public/")) == {
        "feed.atom", "incidents/INC-2.html", "index.html", "summary.json",
    }  # fmt: skip
    assert set(in_tree(writes, "public/fa/")) == set(in_tree(writes, "public/"))


def test_resolving_rewrites_the_history_page_of_its_month(
    root: Path, orchestrator: Orchestrator, clock: Clock, writes: Writes
) -> None:
    declare_and_resolve(orchestrator)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    writes.clear()
    clock.advance(minutes=10)
    orchestrator.resolve("INC-2")
    # maintenance.ics: the same bytes, not rewritten
    assert set(in_tree(writes, "public/")) == {
        "feed.atom", "incidents/INC-2.html", "index.html", "summary.json",
        "history/2024-06.html",
    }  # fmt: skip
    month = (root / "public" / "history" / "2024-06.html").read_text()
    assert "incidents/INC-1.html" in month and "incidents/INC-2.html" in month


def test_incidents_beyond_the_window_are_on_the_history_page_of_their_month(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    clock.advance(days=120)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    out = tmp_path / "out"
    build(root, store, out, now=clock())
    index = (out / "index.html").read_text()
    recent = index[index.index('id="history-heading"') : index.index('id="archive-heading"')]
    assert "INC-1" not in recent
    month = (out / "history" / "2024-06.html").read_text()
    assert 'href="../incidents/INC-1.html"' in month
    assert "June 2024" in month


def test_the_index_links_to_every_months_history_page_and_they_exist(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    clock.advance(days=45)
    declare_and_resolve(orchestrator)
    out = tmp_path / "out"
    build(root, store, out, now=clock())
    months = [h for h in hrefs(out / "index.html") if h.startswith("history/")]
    assert months == ["history/2024-07.html", "history/2024-06.html"]
    for month in months:
        links = [h for h in hrefs(out / month) if h.startswith("../incidents/")]
        assert links and all((out / "history" / link).resolve().is_file() for link in links)


def test_a_full_build_writes_every_history_month(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    clock.advance(days=300)
    declare_and_resolve(orchestrator)
    result = build(root, store, tmp_path / "out", now=clock())
    assert {f for f in result.files if f.startswith("history/")} == {
        "history/2024-06.html", "history/2025-03.html",
    }  # fmt: skip


def test_site_window_days_sets_how_long_resolved_incidents_stay_on_the_index(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    with (root / "outagecomms.toml").open("a") as settings:
        settings.write("site_window_days = 7\n")
    declare_and_resolve(orchestrator)
    clock.advance(days=10)
    out = tmp_path / "out"
    build(root, store, out, now=clock())
    index = (out / "index.html").read_text()
    assert "No incidents in the last 7 days." in index
    assert 'href="history/2024-06.html"' in index


def test_the_window_also_bounds_the_feed(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    clock.advance(days=120)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    out = tmp_path / "out"
    build(root, store, out, now=clock())
    feed = (out / "feed.atom").read_text()
    assert "INC-2" in feed and "INC-1" not in feed


def test_a_rebuild_into_a_directory_without_an_earlier_build_writes_everything(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    project = Project(root)
    config = SiteConfig.for_project(project, lang="en", now=clock())
    result = build_site(project, store, tmp_path / "out", config, changed={2})
    assert {"incidents/INC-1.html", "history/2024-06.html"} <= set(result.files)


def test_a_reopened_incident_leaves_the_history_page_of_its_month(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    declare_and_resolve(orchestrator)
    project = Project(root)
    out = tmp_path / "out"
    build_site(project, store, out, SiteConfig.for_project(project, lang="en", now=clock()))
    with store.write() as conn:
        conn.execute(update(incidents).values(status="open", resolved_at=None))
    config = SiteConfig.for_project(project, lang="en", now=clock())
    build_site(project, store, out, config, changed={1})
    assert not (out / "history" / "2024-06.html").exists()
    assert "history/" not in (out / "index.html").read_text()
    manifest = Manifest.read(out)
    assert "history/2024-06.html" not in manifest.files
    assert manifest.months() == set()
    assert manifest.month("INC-1") is None and manifest.has("INC-1")
