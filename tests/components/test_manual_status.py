"""A status set by hand (``set_status``, behind ``PATCH /api/v1/components/{id}`` and
``outagecomms components set``): kept in the history with who and why, refused with the
choices for an unknown id or status, and the status page of every enabled ``site`` channel
rebuilt at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outagecomms.components.impact import set_status
from outagecomms.errors import ExitStatus, UnknownNameError, UsageError
from outagecomms.project import Project
from outagecomms.store import Store, components_repo
from tests.incidents.conftest import T0, write_channel


@pytest.fixture
def site_channel(project_root: Path) -> Path:
    """An enabled site channel publishing into ``public/`` in the project."""
    write_channel(project_root, "status-page", kind="site", url="public", enabled=True)
    return project_root / "public"


def test_a_status_set_by_hand_is_kept_with_who_and_why(project_root: Path, store: Store) -> None:
    view = set_status(
        Project(project_root), store, "api", "under_maintenance",
        now=T0, actor="dana", reason="database upgrade",
    )  # fmt: skip
    assert (view.id, view.status, view.updated_at) == ("api", "under_maintenance", T0)
    with store.read() as conn:
        [change] = components_repo.changes_since(conn, T0)
    assert (change.source, change.actor, change.reason) == ("manual", "dana", "database upgrade")


def test_an_unknown_id_is_a_usage_error_naming_the_known_ones(
    project_root: Path, store: Store
) -> None:
    with pytest.raises(UnknownNameError, match=r"no component 'apx'.*known: payments, login") as e:
        set_status(Project(project_root), store, "apx", "major_outage", now=T0, actor="dana")
    assert e.value.exit_status is ExitStatus.USAGE


def test_an_unknown_status_is_a_usage_error_naming_the_five(
    project_root: Path, store: Store
) -> None:
    with pytest.raises(UsageError, match="use one of operational, under_maintenance, "
                       "degraded_performance, partial_outage, major_outage"):  # fmt: skip
        set_status(Project(project_root), store, "api", "down", now=T0, actor="dana")


def test_a_status_set_by_hand_rebuilds_the_site_channels_index_and_summary(
    project_root: Path, store: Store, site_channel: Path
) -> None:
    set_status(Project(project_root), store, "api", "major_outage", now=T0, actor="dana")
    summary = json.loads((site_channel / "summary.json").read_text(encoding="utf-8"))
    assert {c["id"]: c["status"] for c in summary["components"]}["api"] == "major_outage"
    assert summary["status"]["indicator"] == "critical"
    index = (site_channel / "index.html").read_text(encoding="utf-8")
    assert 'id="component-api"' in index and "API (Major outage)" in index


def test_without_a_site_channel_nothing_is_written(project_root: Path, store: Store) -> None:
    set_status(Project(project_root), store, "api", "major_outage", now=T0, actor="dana")
    assert not (project_root / "public").exists()


def test_a_disabled_site_channel_is_not_rebuilt(project_root: Path, store: Store) -> None:
    write_channel(project_root, "status-page", kind="site", url="public", enabled=False)
    set_status(Project(project_root), store, "api", "major_outage", now=T0, actor="dana")
    assert not (project_root / "public").exists()


def test_a_page_that_cannot_be_written_leaves_the_status_set(
    project_root: Path, store: Store
) -> None:
    (project_root / "blocked").write_text("a file, not a directory\n")
    write_channel(project_root, "status-page", kind="site", url="blocked", enabled=True)
    view = set_status(Project(project_root), store, "api", "major_outage", now=T0, actor="dana")
    assert view.status == "major_outage"
    with store.read() as conn:
        assert components_repo.current_status(conn, "api") == "major_outage"


def test_a_page_that_cannot_be_written_is_one_line_naming_the_channel(
    project_root: Path, store: Store
) -> None:
    from outagecomms.components.page import rebuild_status_pages

    (project_root / "blocked").write_text("a file, not a directory\n")
    write_channel(project_root, "status-page", kind="site", url="blocked", enabled=True)
    [problem] = rebuild_status_pages(Project(project_root), store, now=T0)
    assert problem.startswith("status page of channel 'status-page' not rebuilt: cannot write")
    assert "\n" not in problem
