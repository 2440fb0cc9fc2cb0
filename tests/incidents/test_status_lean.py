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
from outagecomms.store.overview_reads import _OTHERS_COUNTED, _SUBSCRIBERS_COUNTED
from outagecomms.testing import FakeClock
from outagecomms.vocabulary import Phase
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
@pytest.mark.parametrize("query", [_OTHERS_COUNTED, _SUBSCRIBERS_COUNTED])
def test_the_counts_walk_the_covering_index_without_a_sort(
    orchestrator: Orchestrator, project_root: Path, include_resolved: bool, query: str
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    where, params = listed_condition(include_resolved)
    params = {**params, "subscribers": "subscribers"}
    with sqlite3.connect(project_root / ".outagecomms" / "state.db") as conn:
        plan = [
            step
            for *_, step in conn.execute(f"EXPLAIN QUERY PLAN {query.format(where=where)}", params)
        ]
    index = "USING COVERING INDEX ix_deliveries_message_id_audience_channel_state"
    searches = [step for step in plan if "deliveries" in step and "SEARCH" in step]
    assert searches and all(index in step for step in searches), plan
    assert not any("TEMP B-TREE" in step or "SCAN deliveries" in step for step in plan), plan


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


def _many_deliveries(orchestrator: Orchestrator, store: Store) -> None:
    """Three incidents (one resolved) with messages to subscribers on two channels and to
    other audiences (one sorting after ``subscribers``), in every state."""
    from outagecomms.store.records import DeliveryState
    from outagecomms.store.tables import deliveries, messages

    for _ in range(3):
        orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    orchestrator.update("INC-2", phase=Phase.IDENTIFIED)
    orchestrator.resolve("INC-3")
    states = [state.value for state in DeliveryState]
    with store.write() as conn:
        ids = [row[0] for row in conn.execute(messages.select().with_only_columns(messages.c.id))]
        now = orchestrator.clock()
        rows = []
        for n, (message, audience, channel) in enumerate(
            (m, a, c)
            for m in ids
            for a, c in (("subscribers", "subs-mail"), ("subscribers", "subs-sms"),
                         ("customers", "page"), ("zz-later", "other"))
        ):  # fmt: skip
            for k in range(1 + (n * 7) % 23):
                rows.append({
                    "message_id": message, "channel": channel, "kind": "email",
                    "audience": audience, "body": "b", "length": 1, "unit": "chars",
                    "state": states[(n + k) % len(states)], "attempts": 0,
                    "possibly_duplicate": False, "idempotency_key": f"k-{n}-{k}",
                    "created_at": now, "updated_at": now, "recipient": f"r{k}@example.com",
                })  # fmt: skip
        conn.execute(deliveries.insert(), rows)


def _counted_one_by_one(store: Store, include_resolved: bool) -> tuple[object, object]:
    from outagecomms.store.tables import deliveries, incidents, messages

    listed = ("open", "resolved") if include_resolved else ("open",)
    counts: dict[int, dict[str, int]] = {}
    subscribers: dict[int, dict[str, dict[str, int]]] = {}
    with store.read() as conn:
        for number, status in conn.execute(incidents.select().with_only_columns(
            incidents.c.id, incidents.c.status
        )):  # fmt: skip
            if status in listed:
                counts[number] = {}
        query = deliveries.join(messages, messages.c.id == deliveries.c.message_id).select()
        for row in conn.execute(query.with_only_columns(
            messages.c.incident_id, deliveries.c.audience, deliveries.c.channel,
            deliveries.c.state,
        )):  # fmt: skip
            number, audience, channel, state = row
            if number not in counts:
                continue
            counts[number][state] = counts[number].get(state, 0) + 1
            if audience == "subscribers":
                per = subscribers.setdefault(number, {}).setdefault(channel, {})
                per[state] = per.get(state, 0) + 1
    return counts, subscribers


@pytest.mark.parametrize("include_resolved", [False, True])
def test_the_counts_are_every_delivery_counted_one_by_one(
    orchestrator: Orchestrator, store: Store, include_resolved: bool
) -> None:
    from outagecomms.store.overview_reads import read_listed

    _many_deliveries(orchestrator, store)
    with store.read() as conn:
        listed = read_listed(conn, include_resolved=include_resolved)
    assert (listed.counts, listed.subscribers) == _counted_one_by_one(store, include_resolved)
    assert listed.subscribers and len(listed.counts) == (3 if include_resolved else 2)


@pytest.mark.postgres
def test_the_counts_are_every_delivery_counted_one_by_one_on_postgresql(
    project_root: Path, fake_channels: list[str], postgres_url: str, clock: FakeClock,
    sender: FakeSender, approvals: object,
) -> None:  # fmt: skip
    from outagecomms.project import Project
    from outagecomms.store import open_store
    from outagecomms.store.overview_reads import read_listed

    with open_store(postgres_url) as store:
        orchestrator = Orchestrator(
            Project(project_root),
            store,
            clock=clock,
            sender=sender,
            gate=approvals,  # type: ignore[arg-type]
        )
        _many_deliveries(orchestrator, store)
        for include_resolved in (False, True):
            with store.read() as conn:
                listed = read_listed(conn, include_resolved=include_resolved)
            expected = _counted_one_by_one(store, include_resolved)
            assert (listed.counts, listed.subscribers) == expected


def test_a_listed_incident_says_what_its_record_says(
    orchestrator: Orchestrator, store: Store, sender: FakeSender, clock: FakeClock
) -> None:
    from outagecomms.store.incident_rows import get_incident, update_incident
    from outagecomms.store.listed_incidents import IncidentFacts, list_listed

    sender.failing = {"x-posts"}
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, cadence=timedelta(minutes=20))
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT}, dedupe_key="db")
    orchestrator.resolve("INC-2")
    with store.write() as conn:
        update_incident(conn, 1, blocked_reason="broken", blocked_at=clock(),
                        blocked_until=clock() + timedelta(minutes=1))  # fmt: skip
    facts = [name for name in dir(IncidentFacts) if not name.startswith("_")]
    with store.read() as conn:
        where, params = listed_condition(True)
        listed = list_listed(conn, where, params)
        records = [get_incident(conn, n) for n in (1, 2)]
    assert len(listed) == 2 and len(facts) == 16
    for one, record in zip(listed, records, strict=True):
        assert {n: getattr(one, n) for n in facts} == {n: getattr(record, n) for n in facts}
    assert listed[0].blocked_reason == "broken" and listed[1].resolved_at is not None
