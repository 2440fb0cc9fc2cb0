"""``status`` in a fresh process builds no file model: the project's root and database URL
come from :mod:`outagecomms.project_root`, each pinned runbook's cadences from content an
earlier process validated (:mod:`outagecomms.validated_cache`), and the counts from one
pass over migration 0011's covering index."""

from __future__ import annotations

import ast
import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from outagecomms import validated_cache
from outagecomms.cli.output import LONG_TABLE
from outagecomms.errors import ConfigError
from outagecomms.incidents import Orchestrator
from outagecomms.incidents.overview import overview, pinned_cadences
from outagecomms.project_root import (
    SETTINGS_FIELDS,
    configured_database_url,
    find_project_root,
    resolved_database_url,
)
from outagecomms.settings import Settings, load_settings
from outagecomms.store import Store
from outagecomms.store.incident_rows import listed_condition, version_content
from outagecomms.store.overview_reads import _COUNTED
from outagecomms.testing import FakeClock
from tests.incidents.conftest import IMPACT, RUNBOOK, FakeSender

STATUS = """
import contextlib, io, sys
from outagecomms.cli import run
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = run(sys.argv[1:])
print(repr((code, out.getvalue(), sorted(sys.modules))))
"""


def _fresh_status(root: Path, tmp: Path, *args: str) -> tuple[int, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env["TMPDIR"] = str(tmp)  # a validated-files cache of this test's own
    done = subprocess.run(
        [sys.executable, "-c", STATUS, "status", *args, "--project", str(root)],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    code, printed, modules = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return code, printed, modules


def _timeless(printed: str) -> str:
    return re.sub(r"[0-9]+", "#", printed)


@pytest.mark.parametrize("json_output", [False, True])
def test_a_second_fresh_status_imports_no_pydantic_and_prints_the_same(
    orchestrator: Orchestrator, sender: FakeSender, project_root: Path, tmp_path: Path,
    json_output: bool,
) -> None:  # fmt: skip
    sender.failing = {"x-posts"}
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, cadence=timedelta(minutes=20))
    cache = tmp_path / "tmp"
    cache.mkdir()
    args = ("--json",) if json_output else ()

    first = _fresh_status(project_root, cache, *args)
    second = _fresh_status(project_root, cache, *args)

    assert first[0] == second[0]
    assert _timeless(first[1]) == _timeless(second[1])  # ages and lateness move with the clock
    assert first[0] == 0 and "INC-2" in first[1]
    assert "pydantic" in first[2]  # the first validated the settings and the pinned runbook
    heavy = {"pydantic", "outagecomms.models", "outagecomms.project", "outagecomms.settings"}
    assert heavy & set(second[2]) == set()


def test_the_settings_fields_are_the_settings_models() -> None:
    assert tuple(Settings.model_fields) == SETTINGS_FIELDS


def test_the_database_url_is_the_validated_settings_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(validated_cache, "directory", lambda: folder)
    (tmp_path / "outagecomms.toml").write_text('database_url = "sqlite:///here.db"\n', "utf-8")
    for environ in ({}, {"OUTAGECOMMS_DATABASE_URL": "postgresql://db/x"}):
        expected = load_settings(tmp_path, environ).database_url
        assert configured_database_url(tmp_path, environ) == expected
        assert configured_database_url(tmp_path, environ) == expected  # kept
    url = resolved_database_url(tmp_path, "sqlite:///here.db", None)
    assert url == f"sqlite:///{(tmp_path / 'here.db').resolve()}"
    assert resolved_database_url(tmp_path, "sqlite:///here.db", "sqlite:////x.db") == (
        "sqlite:////x.db"
    )


def test_settings_that_do_not_validate_are_refused_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(validated_cache, "directory", lambda: folder)
    (tmp_path / "outagecomms.toml").write_text('timezone = "Mars/Olympus"\n', "utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="timezone"):
            configured_database_url(tmp_path, {})


def test_the_project_root_is_found_as_before(tmp_path: Path) -> None:
    from outagecomms import project

    (tmp_path / "runbooks").mkdir()
    assert find_project_root(tmp_path) == tmp_path == project.find_project_root(tmp_path)


def test_pinned_cadences_are_the_runbooks_and_kept(
    orchestrator: Orchestrator, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(validated_cache, "directory", lambda: folder)
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert report.incident.runbook_sha256 is not None
    with store.read() as conn:
        content = version_content(conn, report.incident.runbook_sha256)
    assert content is not None
    runbook = orchestrator.project.runbook(RUNBOOK).runbook
    expected = {severity.value: cadence for severity, cadence in runbook.cadence.items()}

    assert pinned_cadences(content) == expected
    kept = []
    real_keep = validated_cache.keep
    monkeypatch.setattr(
        validated_cache, "keep", lambda *args, **kw: kept.append(args) or real_keep(*args, **kw)
    )
    assert pinned_cadences(content) == expected
    assert kept == []  # the second came from the cache


def test_pinned_content_that_does_not_validate_is_a_value_error_and_kept_nowhere(
    orchestrator: Orchestrator, store: Store
) -> None:
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert report.incident.runbook_sha256 is not None
    with store.read() as conn:
        content = version_content(conn, report.incident.runbook_sha256)
    assert content is not None
    broken = {**content, "cadence": {"major": "soon"}}
    for _ in range(2):
        with pytest.raises(ValueError, match="cadence"):
            pinned_cadences(broken)


def test_the_overview_of_a_project_directory_is_the_overview_of_its_project(
    orchestrator: Orchestrator, sender: FakeSender, project_root: Path, clock: FakeClock
) -> None:
    sender.failing = {"x-posts"}
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    clock.advance(hours=3)
    assert overview(project_root, clock=clock) == overview(orchestrator.project, clock=clock)


@pytest.mark.parametrize("include_resolved", [False, True])
def test_the_counts_walk_the_covering_index_without_a_sort(
    orchestrator: Orchestrator, project_root: Path, include_resolved: bool
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    where, params = listed_condition(include_resolved)
    with sqlite3.connect(project_root / ".outagecomms" / "state.db") as conn:
        plan = [
            row[3]
            for row in conn.execute(f"EXPLAIN QUERY PLAN {_COUNTED.format(where=where)}", params)
        ]
    assert any(
        "USING COVERING INDEX ix_deliveries_message_id_audience_channel_state" in step
        for step in plan
    ), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_a_long_status_with_nobody_to_call_imports_no_rich_either(
    orchestrator: Orchestrator, project_root: Path, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    with sqlite3.connect(project_root / ".outagecomms" / "state.db") as conn:
        conn.execute("UPDATE incidents SET next_update_at = '2999-01-01 00:00:00.000000'")
        columns = [row[1] for row in conn.execute("PRAGMA table_info(incidents)")]
        copied = ", ".join(c for c in columns if c not in ("id", "open_dedupe_key"))
        for _ in range(LONG_TABLE):  # one more than a rich table shows
            conn.execute(f"INSERT INTO incidents ({copied}) SELECT {copied} FROM incidents LIMIT 1")
    cache = tmp_path / "tmp"
    cache.mkdir()

    _fresh_status(project_root, cache)
    code, printed, modules = _fresh_status(project_root, cache)

    assert code == 0
    lines = printed.splitlines()
    assert lines[0] == "Open incidents" and len(lines) == LONG_TABLE + 3
    assert lines[-1].startswith(f"INC-{LONG_TABLE + 1} ") and "needs a human" not in printed
    assert {m for m in modules if m.split(".")[0] in ("rich", "pydantic")} == set()
