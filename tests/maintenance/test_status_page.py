"""The status page publishes the windows: maintenance.ics (read back with the real
icalendar parser), summary.json's scheduled_maintenances, and the index."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import jsonschema

from outagecomms.maintenance import Maintenance
from outagecomms.project import Project
from outagecomms.site.build import build_site
from outagecomms.site.state import SiteConfig
from outagecomms.site.summary import schema
from outagecomms.store import Store
from tests.incidents.conftest import Clock
from tests.maintenance.conftest import IMPACT, RUNBOOK


def _site(project_root: Path, store: Store, clock: Clock, out: Path) -> Path:
    project = Project(project_root)
    build_site(project, store, out, SiteConfig.for_project(project, now=clock(), lang="en"))
    return out


def _events(out: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical((out / "maintenance.ics").read_bytes())
    return list(calendar.walk("VEVENT"))


def _schedule(maintenance: Maintenance) -> str:
    return maintenance.schedule(
        RUNBOOK, start="+2h", end="+4h", variables={"impact": IMPACT}, components=["api"]
    ).window.ref


def test_the_calendar_parses_with_one_event_per_window_in_utc(
    maintenance: Maintenance, project_root: Path, store: Store, clock: Clock, tmp_path: Path
) -> None:
    _schedule(maintenance)
    (event,) = _events(_site(project_root, store, clock, tmp_path / "out"))
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 0
    assert (event["DTEND"].dt - event["DTSTART"].dt).total_seconds() == 2 * 3600
    assert "UTC" in str(event["SUMMARY"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(
    maintenance: Maintenance, project_root: Path, store: Store, clock: Clock, tmp_path: Path
) -> None:
    ref = _schedule(maintenance)
    (before,) = _events(_site(project_root, store, clock, tmp_path / "one"))
    maintenance.reschedule(ref, start="+5h", end="+6h")
    (after,) = _events(_site(project_root, store, clock, tmp_path / "two"))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_a_cancelled_window_is_cancelled_in_the_calendar(
    maintenance: Maintenance, project_root: Path, store: Store, clock: Clock, tmp_path: Path
) -> None:
    ref = _schedule(maintenance)
    maintenance.cancel(ref)
    (event,) = _events(_site(project_root, store, clock, tmp_path / "out"))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_summary_lists_upcoming_windows_in_statuspage_shape(
    maintenance: Maintenance, project_root: Path, store: Store, clock: Clock, tmp_path: Path
) -> None:
    ref = _schedule(maintenance)
    out = _site(project_root, store, clock, tmp_path / "out")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, schema())
    (window,) = summary["scheduled_maintenances"]
    assert (window["id"], window["status"], window["impact"]) == (ref, "scheduled", "maintenance")
    assert {"id": "api", "status": "under_maintenance"} in window["components"]
    assert summary["incidents"] == []  # a window is not an incident before it starts


def test_the_index_lists_the_upcoming_window(
    maintenance: Maintenance, project_root: Path, store: Store, clock: Clock, tmp_path: Path
) -> None:
    ref = _schedule(maintenance)
    index = (_site(project_root, store, clock, tmp_path / "out") / "index.html").read_text()
    assert f'id="{ref}"' in index
    assert 'href="maintenance.ics"' in index
