"""``site build`` writes only inside its output directory: never through a planted
symbolic link (the manifest's old temporary name, ``incidents/``, the lock file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner, Result
from tests.hostile.conftest import RUNBOOK


@pytest.fixture
def root(project_root: Path, cli: CliRunner) -> Path:
    """A project with one open incident (so the site has an incident page)."""
    result = cli(
        "declare", RUNBOOK, "--var", "impact=cards fail", "--unapproved", "--reason", "test",
        "--timeout", "1", "--project", str(project_root),
    )  # fmt: skip
    assert result.exit_code in (0, 6), result.stderr
    return project_root


def build(cli: CliRunner, root: Path, out: Path) -> Result:
    return cli("site", "build", "--out", str(out), "--project", str(root))


def test_a_planted_link_at_the_manifests_temporary_name_is_not_followed(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site-out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("precious", encoding="utf-8")
    (out / ".outagecomms-site.json.tmp").symlink_to(elsewhere)
    assert build(cli, root, out).exit_code == 0
    assert elsewhere.read_text(encoding="utf-8") == "precious"
    assert (out / ".outagecomms-site.json").is_file()


def test_a_link_in_place_of_a_page_is_replaced_not_followed(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site-out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("precious", encoding="utf-8")
    (out / "index.html").symlink_to(elsewhere)
    assert build(cli, root, out).exit_code == 0
    assert elsewhere.read_text(encoding="utf-8") == "precious"
    assert not (out / "index.html").is_symlink()


def test_a_symlinked_incidents_directory_is_refused(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site-out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "incidents").symlink_to(outside, target_is_directory=True)
    result = build(cli, root, out)
    assert result.exit_code == 5
    assert "incidents is a symbolic link; outagecomms writes only inside" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_symlinked_lock_file_is_refused_and_its_target_not_created(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site-out"
    out.mkdir()
    target = tmp_path / "created-by-the-link"
    (out / ".outagecomms-site.lock").symlink_to(target)
    result = build(cli, root, out)
    assert result.exit_code == 5
    assert ".outagecomms-site.lock is a symbolic link" in result.stderr
    assert not target.exists()
