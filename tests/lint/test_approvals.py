from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from outagecomms.approvals import (
    approval_state,
    approve,
    content_hash,
    ensure_sendable,
    read_lock,
)
from outagecomms.errors import RefusedError
from outagecomms.project import Project
from tests.conftest import CliRunner
from tests.factories import runbook_data, write_runbook

NOW = datetime(2025, 6, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def project(empty_project: Path) -> Project:
    write_runbook(empty_project, runbook_data())
    return Project(empty_project)


def fresh(project: Project) -> Project:
    return Project(project.root)


def edit(project: Project, old: str, new: str) -> None:
    path = project.runbooks_dir / "sample.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_runbook_starts_never_approved(project: Project) -> None:
    assert approval_state(project, project.runbook("sample")) == "never"


def test_approve_makes_it_approved(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    assert approval_state(project, fresh(project).runbook("sample")) == "approved"


def test_the_lock_records_approver_time_note_and_hash(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", note="first review", now=NOW)
    entry = yaml.safe_load((project.runbooks_dir / "approvals.lock").read_text())["approvals"][
        "sample"
    ]
    assert entry["approved_by"] == "Dana Kim"
    assert entry["approved_at"] == "2025-06-14T12:00:00Z"
    assert entry["note"] == "first review"
    assert entry["sha256"] == content_hash(project.runbook("sample").runbook)


def test_formatting_only_changes_keep_the_approval(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    path = project.runbooks_dir / "sample.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reformatted = "# a comment\n" + yaml.safe_dump(data, sort_keys=True, default_flow_style=True)
    path.write_text(reformatted, encoding="utf-8")
    assert approval_state(project, fresh(project).runbook("sample")) == "approved"


def test_spelling_out_a_default_keeps_the_approval(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    edit(project, "id: sample\n", "id: sample\nseverity: major\n")
    assert approval_state(project, fresh(project).runbook("sample")) == "approved"


def test_any_text_change_makes_it_changed(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    edit(project, "We are working on it.", "We are working on it now.")
    assert approval_state(project, fresh(project).runbook("sample")) == "changed"


def test_approve_refuses_a_runbook_with_lint_errors(project: Project) -> None:
    edit(project, "We are working on it.", "Sorry for the inconvenience.")
    with pytest.raises(RefusedError, match="cliche-apology"):
        approve(project, ["sample"], by="Dana Kim", now=NOW)
    assert not (project.runbooks_dir / "approvals.lock").exists()


def test_the_approval_records_allowed_exceptions(empty_project: Path) -> None:
    data = runbook_data()
    data["messages"]["update"]["chat"]["en"] = {
        "text": "Sorry for the inconvenience. Right now {{ impact }}. "
        "Next update by {{ next_update_at }}.",
        "allow": [{"rule": "cliche-apology", "reason": "required by the regulator"}],
    }
    write_runbook(empty_project, data)
    approve(Project(empty_project), ["sample"], by="Dana Kim", now=NOW)
    (entry,) = read_lock(Project(empty_project))["sample"].exceptions
    assert entry == {
        "where": "messages.update.chat.en",
        "rule": "cliche-apology",
        "reason": "required by the regulator",
    }


def test_ensure_sendable_refuses_a_never_approved_runbook(project: Project) -> None:
    with pytest.raises(RefusedError, match=r"never approved.*outagecomms approve sample"):
        ensure_sendable(project, project.runbook("sample"), unapproved_reason=None)


def test_ensure_sendable_refuses_a_changed_runbook_naming_the_approver(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    edit(project, "We are working on it.", "We are working on it now.")
    with pytest.raises(RefusedError, match="changed since Dana Kim approved it"):
        ensure_sendable(project, fresh(project).runbook("sample"), unapproved_reason=None)


def test_the_refusal_names_the_codeowners_of_runbooks(project: Project) -> None:
    (project.root / ".github").mkdir()
    (project.root / ".github" / "CODEOWNERS").write_text("/runbooks/ @acme/comms\n")
    with pytest.raises(RefusedError, match="@acme/comms"):
        ensure_sendable(project, project.runbook("sample"), unapproved_reason=None)


def test_ensure_sendable_allows_an_approved_runbook(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    ensure_sendable(project, fresh(project).runbook("sample"), unapproved_reason=None)


def test_break_glass_with_a_reason_sends_anyway(project: Project) -> None:
    ensure_sendable(project, project.runbook("sample"), unapproved_reason="P1, comms asleep")


def test_a_blank_break_glass_reason_is_still_refused(project: Project) -> None:
    with pytest.raises(RefusedError):
        ensure_sendable(project, project.runbook("sample"), unapproved_reason="  ")


def test_approve_command_writes_the_lock(cli: CliRunner, project: Project) -> None:
    result = cli("approve", "sample", "--by", "Dana Kim", "--project", str(project.root))
    assert result.exit_code == 0
    assert "sample" in read_lock(project)


def test_approve_command_exits_4_on_lint_errors(cli: CliRunner, project: Project) -> None:
    edit(project, "We are working on it.", "Our provider went down.")
    result = cli("approve", "sample", "--by", "Dana Kim", "--project", str(project.root))
    assert result.exit_code == 4
    assert "blame-shift" in result.stderr


def test_runbooks_lists_the_approval_state(cli: CliRunner, project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    edit(project, "We are working on it.", "We are working on it now.")
    result = cli("runbooks", "--json", "--project", str(project.root))
    assert [row["approval"] for row in json.loads(result.stdout)] == ["changed"]


def test_require_approval_fails_an_unapproved_runbook(cli: CliRunner, project: Project) -> None:
    result = cli("lint", "--require-approval", "--json", "--project", str(project.root))
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["approval"]


def test_require_approval_passes_an_approved_runbook(cli: CliRunner, project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    result = cli("lint", "--require-approval", "--project", str(project.root))
    assert result.exit_code == 0


def test_an_approval_withdrawn_on_disk_is_seen_at_the_next_check(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    loaded = fresh(project).runbook("sample")
    assert approval_state(project, loaded) == "approved"
    (project.runbooks_dir / "approvals.lock").write_text("version: 1\napprovals: {}\n")
    assert approval_state(project, loaded) == "never"


def test_a_lock_read_twice_can_be_changed_by_its_caller_without_harm(project: Project) -> None:
    approve(project, ["sample"], by="Dana Kim", now=NOW)
    read_lock(project).clear()
    assert list(read_lock(project)) == ["sample"]
