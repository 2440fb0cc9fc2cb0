"""``preview RUNBOOK --html OUT``: the approver's gallery as a file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import REPO, CliRunner
from tests.incidents.conftest import write_channel
from tests.site.conftest import RUNBOOK


def gallery(cli: CliRunner, root: Path, out: Path, *args: str) -> str:
    result = cli("preview", RUNBOOK, "--html", str(out), "--project", str(root), *args)
    assert result.exit_code == 0, result.stderr
    target = out if out.suffix == ".html" else out / "index.html"
    return target.read_text(encoding="utf-8")


def test_gallery_is_one_self_contained_file_without_script(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    html = gallery(cli, root, tmp_path / "g.html", "--all-kinds")
    assert "<style>" in html
    assert "<script" not in html
    assert '<link rel="stylesheet"' not in html


def test_gallery_has_a_card_for_every_phase_channel_and_language(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    result = cli("preview", RUNBOOK, "--all-kinds", "--json", "--project", str(root))
    expected = len(json.loads(result.stdout)["messages"])
    html = gallery(cli, root, tmp_path / "g.html", "--all-kinds")
    assert html.count('<article class="card ') == expected


def test_gallery_into_a_directory_writes_index_html(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    gallery(cli, root, tmp_path / "gallery-dir")
    assert (tmp_path / "gallery-dir" / "index.html").is_file()


def test_gallery_marks_a_message_that_does_not_fit(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    write_channel(root, "tiny-email", kind="email", url="mailto://127.0.0.1:9", limit=10)
    html = gallery(cli, root, tmp_path / "g.html", "--channel", "tiny-email")
    assert 'class="verdict bad" role="alert"' in html
    assert "TOO LONG" in html


def test_preview_json_names_the_gallery_it_wrote(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "g.html"
    result = cli("preview", RUNBOOK, "--html", str(out), "--json", "--project", str(root))
    assert json.loads(result.stdout)["gallery"] == str(out)


def test_gallery_escapes_variable_values(cli: CliRunner, root: Path, tmp_path: Path) -> None:
    html = gallery(cli, root, tmp_path / "g.html", "--var", "impact=<b>bold</b> claims")
    assert "&lt;b&gt;bold&lt;/b&gt; claims" in html
    assert "<b>bold</b>" not in html


def test_pages_workflow_example_builds_and_deploys_the_site() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "status-page-pages.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = " ".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "") for step in steps]
    assert "outagecomms site build --out _site" in runs
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
