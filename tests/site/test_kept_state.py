"""What a site directory keeps between builds (the manifest in parts, the kept list
entries) is read and written in proportion to what changed, and a rebuild converges to a
full build's files whatever a stopped build left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.site import build as site_build
from outagecomms.site import listed, manifest
from outagecomms.site.build import build_sites
from outagecomms.site.languages import site_configs
from outagecomms.site.manifest import MANIFEST, Manifest
from outagecomms.store import Store
from tests.incidents.conftest import Clock
from tests.site.conftest import IMPACT, RUNBOOK


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two incidents a part, so a handful of incidents spans several parts."""
    monkeypatch.setattr(manifest, "PART_SIZE", 2)


@pytest.fixture
def resolved(orchestrator: Orchestrator, clock: Clock) -> None:
    """INC-1 to INC-5 resolved a day apart (INC-5 in the next month), INC-6 open."""
    for number in range(1, 6):
        orchestrator.declare(RUNBOOK, variables={"impact": f"trouble {number}"})
        clock.advance(minutes=5)
        orchestrator.resolve(f"INC-{number}")
        clock.advance(days=1 if number < 4 else 31)
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})


def full(root: Path, store: Store, out: Path, clock: Clock) -> None:
    project = Project(root)
    build_sites(project, store, out, site_configs(project, now=clock()))


def rebuild(root: Path, store: Store, out: Path, clock: Clock, number: int) -> list[str]:
    project = Project(root)
    configs = site_configs(project, now=clock())
    return build_sites(project, store, out, configs, changed={number}).files


def site_files(out: Path) -> dict[str, bytes]:
    """Every published file (not the kept state)."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def part_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(manifest.PART_PREFIX))


def assert_converged(
    root: Path, store: Store, out: Path, tmp_path: Path, clock: Clock, written: list[str]
) -> None:
    """The files a full build into an empty directory writes, and no other; those the
    last rebuild wrote byte for byte (the others show what they showed when last
    written); and the manifest a full build's."""
    reference = tmp_path / f"reference-{clock().timestamp()}"
    full(root, store, reference, clock)
    mine, theirs = site_files(out), site_files(reference)
    assert mine.keys() == theirs.keys()
    assert written
    for name in written:
        assert mine[name] == theirs[name], name
    kept, made = Manifest.read(out), Manifest.read(reference)
    assert kept.every_file() == made.every_file()
    assert {m: n for m, n in kept.counts.items() if n} == made.counts


@pytest.mark.usefixtures("resolved")
def test_a_declare_s_rebuild_reads_and_writes_only_its_incident_s_part(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    out = tmp_path / "site"
    full(root, store, out, clock)
    assert len(part_files(out)) == 4  # INC-1 in part 0, 2-3, 4-5, 6-7 (INC-6)
    kept = (out / listed.LISTS_FILE).stat()
    clock.advance(minutes=10)
    orchestrator.declare(RUNBOOK, variables={"impact": "more trouble"})  # INC-7
    read: list[int] = []
    read_part = Manifest._read_part
    monkeypatch.setattr(
        Manifest, "_read_part", lambda self, part: read.append(part) or read_part(self, part)
    )
    before = set(part_files(out))
    written = rebuild(root, store, out, clock, 7)
    assert read == [3]
    assert "incidents/INC-7.html" in written
    assert len(set(part_files(out)) - before) == 1  # part 3, under the new generation
    assert len(part_files(out)) == 4  # its previous file removed
    now = (out / listed.LISTS_FILE).stat()  # a new open incident changes no kept entry
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    monkeypatch.setattr(Manifest, "_read_part", read_part)
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.usefixtures("resolved")
def test_a_resolution_s_rebuild_writes_the_kept_entries_and_converges(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    out = tmp_path / "site"
    full(root, store, out, clock)
    kept = (out / listed.LISTS_FILE).read_bytes()
    clock.advance(minutes=10)
    orchestrator.update("INC-6", phase=Phase.IDENTIFIED)
    rebuild(root, store, out, clock, 6)
    clock.advance(minutes=10)
    orchestrator.resolve("INC-6")
    written = rebuild(root, store, out, clock, 6)
    assert (out / listed.LISTS_FILE).read_bytes() != kept  # INC-6 is listed now
    assert Manifest.read(out).month("INC-6") is not None
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.usefixtures("resolved")
def test_a_rebuild_stopped_before_its_manifest_s_head_leaves_the_last_one_whole(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The stopped build wrote its pages and its parts, not the head: the head still
    refers to the parts it was written with, and the retried rebuild converges."""
    out = tmp_path / "site"
    full(root, store, out, clock)
    before = (out / MANIFEST).read_bytes()
    real_write = manifest.write_file

    def stop_at_the_head(root_dir: Path, relative: str, content: bytes) -> Path:
        if relative == MANIFEST:
            raise KeyboardInterrupt
        return real_write(root_dir, relative, content)

    clock.advance(minutes=10)
    orchestrator.resolve("INC-6")
    monkeypatch.setattr(manifest, "write_file", stop_at_the_head)
    with pytest.raises(KeyboardInterrupt):
        rebuild(root, store, out, clock, 6)
    monkeypatch.setattr(manifest, "write_file", real_write)
    assert (out / MANIFEST).read_bytes() == before
    head = Manifest.read(out)
    assert head.month("INC-6") is None and head.has("INC-6")  # the last build's view
    clock.advance(minutes=1)
    written = rebuild(root, store, out, clock, 6)  # the delivery's retry
    assert_converged(root, store, out, tmp_path, clock, written)
    full(root, store, out, clock)  # and a full build removes the stopped one's part
    referred = Manifest.read(out).parts
    assert part_files(out) == sorted(manifest.part_name(p, g) for p, g in referred.items())


@pytest.mark.usefixtures("resolved")
def test_a_rebuild_stopped_among_its_pages_converges_when_retried(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    out = tmp_path / "site"
    full(root, store, out, clock)
    real_write = site_build.write_file

    def stop_at_the_index(root_dir: Path, relative: str, content: bytes) -> Path:
        if relative == "index.html":
            raise KeyboardInterrupt
        return real_write(root_dir, relative, content)

    clock.advance(minutes=10)
    orchestrator.resolve("INC-6")
    monkeypatch.setattr(site_build, "write_file", stop_at_the_index)
    with pytest.raises(KeyboardInterrupt):
        rebuild(root, store, out, clock, 6)
    monkeypatch.setattr(site_build, "write_file", real_write)
    written = rebuild(root, store, out, clock, 6)
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.usefixtures("resolved")
def test_a_manifest_of_the_earlier_single_file_layout_is_read_and_rewritten(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    out = tmp_path / "site"
    full(root, store, out, clock)
    head = Manifest.read(out)
    every = head.every_file()
    months = {
        f"INC-{n}": month for n in range(1, 7) if (month := head.month(f"INC-{n}")) is not None
    }
    for name in part_files(out):
        (out / name).unlink()
    earlier = {"files": sorted(every), "months": months, "shape": head.shape}
    (out / MANIFEST).write_text(json.dumps(earlier), encoding="utf-8")
    clock.advance(minutes=10)
    orchestrator.resolve("INC-6")
    written = rebuild(root, store, out, clock, 6)
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["format"] == manifest.FORMAT
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.parametrize("damage", ["{not json", '{"format": 2, "shape": "x"}'])
@pytest.mark.usefixtures("resolved")
def test_an_unreadable_manifest_makes_the_next_rebuild_a_full_one(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator,
    damage: str,
) -> None:  # fmt: skip
    out = tmp_path / "site"
    full(root, store, out, clock)
    (out / MANIFEST).write_text(damage, encoding="utf-8")
    clock.advance(minutes=10)
    orchestrator.resolve("INC-6")
    written = rebuild(root, store, out, clock, 6)
    assert "incidents/INC-1.html" in written  # every page
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.usefixtures("resolved")
def test_a_missing_part_is_an_empty_one_and_a_full_build_restores_it(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    out = tmp_path / "site"
    full(root, store, out, clock)
    for name in part_files(out):
        (out / name).unlink()
    clock.advance(minutes=10)
    orchestrator.postmortem("INC-5")  # resolved: its month counted it already
    rebuild(root, store, out, clock, 5)  # writes what it changed; the rest stays unknown
    month = Manifest.read(out).month("INC-5")
    assert month is not None
    full(root, store, tmp_path / "reference", clock)
    expected = Manifest.read(tmp_path / "reference").counts[month]
    assert Manifest.read(out).counts[month] == expected  # counted from the store, not +1
    full(root, store, out, clock)
    written = list(site_files(out))
    assert_converged(root, store, out, tmp_path, clock, written)


@pytest.mark.usefixtures("resolved")
def test_a_rebuild_leaves_the_files_whose_bytes_it_would_not_change(
    root: Path, store: Store, tmp_path: Path, clock: Clock, orchestrator: Orchestrator
) -> None:
    out = tmp_path / "site"
    full(root, store, out, clock)
    calendar, index = (out / "maintenance.ics").stat(), (out / "index.html").stat()
    clock.advance(minutes=10)
    orchestrator.update("INC-6", phase=Phase.IDENTIFIED)
    written = rebuild(root, store, out, clock, 6)
    assert {"maintenance.ics", "index.html"} <= set(written)
    now = (out / "maintenance.ics").stat()
    assert (now.st_ino, now.st_mtime_ns) == (calendar.st_ino, calendar.st_mtime_ns)
    assert (out / "index.html").stat().st_ino != index.st_ino  # it shows the update


@pytest.mark.usefixtures("resolved")
def test_a_link_to_a_file_with_the_same_bytes_is_still_replaced(
    root: Path, store: Store, tmp_path: Path, clock: Clock
) -> None:
    out = tmp_path / "site"
    full(root, store, out, clock)
    elsewhere = tmp_path / "elsewhere.ics"
    elsewhere.write_bytes((out / "maintenance.ics").read_bytes())
    (out / "maintenance.ics").unlink()
    (out / "maintenance.ics").symlink_to(elsewhere)
    full(root, store, out, clock)
    assert not (out / "maintenance.ics").is_symlink()
    assert (out / "maintenance.ics").read_bytes() == elsewhere.read_bytes()
