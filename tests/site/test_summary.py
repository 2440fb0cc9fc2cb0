"""``summary.json``: the Statuspage summary shape, checked against the shipped schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from outagecomms.incidents import Orchestrator
from outagecomms.models import Severity
from outagecomms.site.summary import schema
from outagecomms.store import Store
from tests.incidents.conftest import Clock
from tests.site.conftest import IMPACT, RUNBOOK, build


def summary(root: Path, store: Store, tmp_path: Path) -> Any:
    build(root, store, tmp_path / "out")
    return json.loads((tmp_path / "out" / "summary.json").read_text())


def validate(document: Any) -> None:
    jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_shipped_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_summary_with_an_open_incident_matches_the_schema(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    validate(summary(root, store, tmp_path))


def test_summary_with_nothing_open_matches_the_schema(
    root: Path, store: Store, incident: str, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.resolve(incident)
    document = summary(root, store, tmp_path)
    validate(document)
    assert document["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert document["incidents"] == []


def test_indicator_is_the_highest_severity_open(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, severity=Severity.MINOR)
    clock.advance(minutes=1)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, severity=Severity.CRITICAL)
    assert summary(root, store, tmp_path)["status"]["indicator"] == "critical"


def test_open_incident_has_its_updates_newest_first(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    [found] = summary(root, store, tmp_path)["incidents"]
    assert (found["id"], found["status"], found["impact"]) == ("INC-1", "identified", "major")
    assert [u["status"] for u in found["incident_updates"]] == ["identified", "investigating"]
    assert found["next_update_at"] == "2024-06-01T13:10:00+00:00"
    assert found["shortlink"] == "https://status.example.com/incidents/INC-1.html"


def test_schema_rejects_an_unknown_indicator(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    document = summary(root, store, tmp_path)
    document["status"]["indicator"] = "down"
    try:
        validate(document)
    except jsonschema.ValidationError:
        return
    raise AssertionError("an unknown indicator passed the schema")
