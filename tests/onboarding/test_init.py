"""`outagecomms init`: a working project in one command, that passes lint at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.ci.test_workflows import check_schema
from tests.conftest import CliRunner


def init(cli: CliRunner, root: Path, *args: str) -> None:
    result = cli("init", str(root), *args)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("langs", ["en", "fa", "en,fa", "uk,lv", "en,fa,uk,lv"])
def test_the_new_project_lints_with_no_findings_in_each_language_set(
    cli: CliRunner, tmp_path: Path, langs: str
) -> None:
    init(cli, tmp_path / "p", "--lang", langs)
    result = cli("lint", "--project", str(tmp_path / "p"), "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []


def test_lang_picks_the_runbook_languages_and_the_default_language(
    cli: CliRunner, tmp_path: Path
) -> None:
    init(cli, tmp_path / "p", "--lang", "fa", "--lang", "en")
    runbook = yaml.safe_load((tmp_path / "p/runbooks/service-disruption.yaml").read_text())
    assert runbook["languages"] == ["fa", "en"]
    assert set(runbook["messages"]["investigating"]["chat"]) == {"fa", "en"}
    assert 'default_language = "fa"' in (tmp_path / "p/outagecomms.toml").read_text()


def test_the_starter_runbook_has_every_phase(cli: CliRunner, tmp_path: Path) -> None:
    init(cli, tmp_path / "p")
    runbook = yaml.safe_load((tmp_path / "p/runbooks/service-disruption.yaml").read_text())
    assert list(runbook["messages"]) == [
        "investigating", "identified", "monitoring", "update", "resolved", "postmortem"
    ]  # fmt: skip


def test_channels_cover_the_common_kinds_with_secrets_as_variables(
    cli: CliRunner, tmp_path: Path
) -> None:
    init(cli, tmp_path / "p")
    channels = [yaml.safe_load(p.read_text()) for p in (tmp_path / "p/channels").glob("*.yaml")]
    kinds = {c["kind"] for c in channels}
    assert kinds >= {"email", "sms", "x", "telegram", "slack", "teams", "discord", "mastodon",
                     "bluesky", "webhook", "site"}  # fmt: skip
    for channel in channels:
        if channel["kind"] != "site":
            assert "${" in channel["url"], channel["name"]
            assert channel["enabled"] is False, channel["name"]


def test_the_state_directory_is_git_ignored(cli: CliRunner, tmp_path: Path) -> None:
    init(cli, tmp_path / "p")
    assert ".outagecomms/" in (tmp_path / "p/.gitignore").read_text().splitlines()


def test_the_runbook_workflow_is_a_valid_github_workflow(cli: CliRunner, tmp_path: Path) -> None:
    init(cli, tmp_path / "p")
    workflow = tmp_path / "p/.github/workflows/runbooks.yml"
    assert "outagecomms lint --require-approval" in workflow.read_text()
    result = check_schema("vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_codeowners_makes_the_comms_team_own_the_runbooks(cli: CliRunner, tmp_path: Path) -> None:
    init(cli, tmp_path / "p")
    assert "/runbooks/" in (tmp_path / "p/.github/CODEOWNERS").read_text()


def test_existing_files_are_kept_not_overwritten(cli: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "runbooks").mkdir(parents=True)
    (root / "outagecomms.toml").write_text('status_url = "https://status.mine.example"\n')
    result = cli("init", str(root), "--json")
    assert result.exit_code == 0
    assert "outagecomms.toml" in json.loads(result.stdout)["kept"]
    assert (root / "outagecomms.toml").read_text() == 'status_url = "https://status.mine.example"\n'
    assert (root / "runbooks/service-disruption.yaml").is_file()


def test_a_language_without_a_starter_text_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "p"), "--lang", "de")
    assert result.exit_code == 2
    assert "en, fa, uk, lv" in result.stderr
    assert not (tmp_path / "p").exists()


def test_the_output_says_what_to_do_next(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "p"))
    assert "outagecomms approve service-disruption" in result.stdout
    assert "--dry-run" in result.stdout
