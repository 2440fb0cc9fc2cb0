"""``site build``: what the pages say, in which language and direction, and how they are
written."""

from __future__ import annotations

import gc
import json
import re
import shutil
from pathlib import Path

import pytest

from outagecomms.errors import ConfigError
from outagecomms.incidents import Orchestrator
from outagecomms.site.manifest import Manifest
from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.incidents.conftest import Clock
from tests.site.conftest import IMPACT, RUNBOOK, build

PAGES = ("index.html", "incidents/INC-1.html")


def test_build_writes_index_incident_pages_feed_and_summary(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    result = build(root, store, tmp_path / "out")
    assert sorted(result.files) == [
        "feed.atom", "incidents/INC-1.html", "index.html", "maintenance.ics", "summary.json",
    ]  # fmt: skip
    assert all((tmp_path / "out" / name).is_file() for name in result.files)


def test_index_lists_open_incidents_before_history(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": "old trouble"})
    orchestrator.resolve("INC-1")
    clock.advance(minutes=5)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    build(root, store, tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text()
    assert index.index('id="INC-2"') < index.index('id="history-heading"')
    assert index.index('id="history-heading"') < index.index("incidents/INC-1.html")


def test_message_texts_are_escaped_never_markup(
    root: Path, store: Store, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": "<script>alert(1)</script> fails"})
    build(root, store, tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fails" in index
    assert "<script" not in index


def test_pages_have_no_script(root: Path, store: Store, incident: str, tmp_path: Path) -> None:
    build(root, store, tmp_path / "out")
    for name in PAGES:
        assert "<script" not in (tmp_path / "out" / name).read_text().lower()


def test_internal_channel_copy_never_reaches_the_site(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    for name in (*PAGES, "feed.atom", "summary.json"):
        text = (tmp_path / "out" / name).read_text()
        assert "Declared by" not in text
        assert "Customers were told" not in text


def test_persian_site_pages_are_right_to_left(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out", lang="fa")
    for name in PAGES:
        assert '<html lang="fa" dir="rtl">' in (tmp_path / "out" / name).read_text()


def test_persian_site_shows_the_persian_text_sent_to_persian_customers(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out", lang="fa")
    index = (tmp_path / "out" / "index.html").read_text()
    assert "پرداخت آنلاین: علت مشکل را پیدا کردیم" in index
    assert '<article class="update" id="update-2" lang="fa" dir="rtl">' in index


def test_message_in_another_language_keeps_its_own_lang_and_dir(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out", lang="de")
    index = (tmp_path / "out" / "index.html").read_text()
    assert '<html lang="de" dir="ltr">' in index
    assert re.search(
        r'<article class="update" id="update-2" lang="(en|fa)" dir="(ltr|rtl)">', index
    )


def test_english_site_prefers_the_site_channels_own_text(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out", lang="en")
    index = (tmp_path / "out" / "index.html").read_text()
    assert '<h4 class="update-title">Online payments: we found the cause</h4>' in index


def test_index_shows_scope_phase_and_next_update_in_the_sites_time_zone(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out", timezone="Europe/Riga")
    index = (tmp_path / "out" / "index.html").read_text()
    assert '<dd class="scope">customers in Europe</dd>' in index
    assert '<dd class="phase">Identified</dd>' in index
    # identified at 12:10 UTC, major cadence 60m: 13:10 UTC is 16:10 in Riga (EEST)
    assert re.search(r'<dd class="next-update"><time datetime="2024-06-01T13:10:00\+00:00">'
                     r"1 June, 16:10 EEST</time></dd>", index)  # fmt: skip


def test_resolved_incident_moves_to_history_without_next_update(
    root: Path, store: Store, orchestrator: Orchestrator, incident: str, tmp_path: Path
) -> None:
    orchestrator.resolve(incident)
    build(root, store, tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text()
    assert "All systems are working normally." in index
    assert 'class="incident resolved"' in index
    assert "next-update" not in index


def test_rebuild_removes_its_own_stale_files_and_keeps_others(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(root, store, out)
    (out / "incidents" / "INC-99.html").write_text("old")
    (out / "history").mkdir(exist_ok=True)
    (out / "history" / "2001-01.html").write_text("old")
    manifest = Manifest.read(out)
    manifest.place("INC-99", "2001-01")
    assert manifest.shape is not None
    manifest.write(out, manifest.shape, manifest.trees, {*manifest.files, "history/2001-01.html"})
    (out / "CNAME").write_text("status.example.com\n")
    build(root, store, out)
    assert not (out / "incidents" / "INC-99.html").exists()
    assert not (out / "history" / "2001-01.html").exists()
    assert (out / "CNAME").read_text() == "status.example.com\n"


def test_build_leaves_no_temporary_files(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(root, store, out)
    build(root, store, out)
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".outagecomms-build-")]
    assert leftovers == []


def test_a_build_leaves_the_cycle_collector_running_even_when_it_fails(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    """It pauses the collector while it runs (site/build.py), never for longer."""
    out = tmp_path / "out"
    build(root, store, out)
    shutil.rmtree(out / "incidents")
    (out / "incidents").symlink_to(tmp_path)  # refused while the pages are written
    with pytest.raises(ConfigError):
        build(root, store, out)
    assert gc.isenabled()


def test_site_build_command_prints_what_it_wrote(
    cli: CliRunner, root: Path, incident: str, tmp_path: Path
) -> None:
    out = tmp_path / "cli-out"
    result = cli("site", "build", "--out", str(out), "--project", str(root), "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["open"], document["lang"]) == (1, "en")
    assert (out / "index.html").is_file()


def test_site_build_refuses_an_unknown_time_zone(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    result = cli(
        "site", "build", "--out", str(tmp_path / "o"), "--timezone", "Mars/Base",
        "--project", str(root),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Mars/Base" in result.stderr
