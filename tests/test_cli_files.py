"""`preview`, `runbooks`, `channels` and `schema` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.models import ChannelKind
from tests.conftest import CliRunner
from tests.factories import runbook_data, write_channel, write_runbook


def project_with_runbook(root: Path) -> Path:
    write_runbook(root, runbook_data(languages=("en", "fa")))
    return root


def test_runbooks_json_lists_id_title_languages_approval_and_variables(
    cli: CliRunner, empty_project: Path
) -> None:
    project_with_runbook(empty_project)
    result = cli("runbooks", "--json", "--project", str(empty_project))
    assert result.exit_code == 0
    [row] = json.loads(result.stdout)
    assert row["id"] == "sample"
    assert row["title"] == "Sample outage"
    assert row["languages"] == ["en", "fa"]
    assert row["approval"] in {"approved", "changed", "never"}
    assert row["variables"]["impact"] == {
        "required": True,
        "kind": "text",
        "example": "checkout fails",
        "max_length": 80,
    }


def test_runbooks_human_output_is_a_table(cli: CliRunner, empty_project: Path) -> None:
    project_with_runbook(empty_project)
    result = cli("runbooks", "--project", str(empty_project))
    assert "sample" in result.stdout and "Sample outage" in result.stdout


def test_broken_runbook_fails_with_one_line_and_exit_5(cli: CliRunner, empty_project: Path) -> None:
    write_runbook(empty_project, "id: sample\ntitle: [\n")
    result = cli("runbooks", "--project", str(empty_project))
    assert result.exit_code == 5
    assert result.stderr.startswith("outagecomms: error: ")
    assert "runbooks/sample.yaml:3: invalid YAML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_channels_hide_literal_secrets(cli: CliRunner, empty_project: Path) -> None:
    write_channel(
        empty_project,
        name="ops-email",
        kind="email",
        url="mailtos://alerts:hunter2secret@example.com?to=ops@example.com",
    )
    result = cli("channels", "--json", "--project", str(empty_project))
    assert result.exit_code == 0
    assert "hunter2secret" not in result.stdout
    [row] = json.loads(result.stdout)
    assert row["url"].startswith("mailtos://alerts:")


def test_channels_show_environment_references_not_values(
    cli: CliRunner, empty_project: Path, monkeypatch: object
) -> None:
    import os

    os.environ["TG_TOKEN_FOR_TEST"] = "123456:SECRETVALUE"
    try:
        write_channel(
            empty_project, name="tg", kind="telegram", url="tgram://${TG_TOKEN_FOR_TEST}/42"
        )
        result = cli("channels", "--project", str(empty_project))
    finally:
        del os.environ["TG_TOKEN_FOR_TEST"]
    assert "SECRETVALUE" not in result.stdout
    assert "${TG_TOKEN_FOR_TEST}" in result.stdout


def test_channels_json_has_kind_audience_and_limit(cli: CliRunner, empty_project: Path) -> None:
    write_channel(empty_project, name="status-x", kind="x", url="json://127.0.0.1:9/x")
    [row] = json.loads(cli("channels", "--json", "--project", str(empty_project)).stdout)
    assert (row["name"], row["kind"], row["audience"], row["format"]) == (
        "status-x",
        "x",
        "customers",
        "short",
    )
    assert row["limit"]


def test_preview_renders_every_phase_for_each_channel(cli: CliRunner, empty_project: Path) -> None:
    project_with_runbook(empty_project)
    write_channel(empty_project, name="status-x", kind="x", url="json://127.0.0.1:9/x")
    result = cli("preview", "sample", "--json", "--project", str(empty_project))
    assert result.exit_code == 0
    messages = json.loads(result.stdout)["messages"]
    assert [m["phase"] for m in messages] == [
        "investigating",
        "identified",
        "monitoring",
        "update",
        "resolved",
        "postmortem",
    ]
    assert {m["channel"] for m in messages} == {"status-x"}
    assert all(m["fits"] for m in messages)
    assert "checkout fails" in messages[0]["body"]


def test_preview_with_var_and_lang_filters(cli: CliRunner, empty_project: Path) -> None:
    project_with_runbook(empty_project)
    result = cli(
        "preview", "sample", "--all-kinds", "--lang", "fa", "--phase", "update",
        "--var", "impact.fa=ورود انجام نمی‌شود", "--json", "--project", str(empty_project),
    )  # fmt: skip
    messages = json.loads(result.stdout)["messages"]
    assert {m["lang"] for m in messages} == {"fa"}
    assert len(messages) == len(ChannelKind)  # one sample channel of every kind
    assert all("ورود انجام نمی‌شود" in m["body"] for m in messages)


def test_preview_human_output_shows_length_against_limit(
    cli: CliRunner, empty_project: Path
) -> None:
    project_with_runbook(empty_project)
    result = cli("preview", "sample", "--all-kinds", "--lang", "en", "--phase", "investigating",
                 "--channel", "x", "--project", str(empty_project))  # fmt: skip
    assert result.exit_code == 0
    assert "x-en" in result.stdout
    assert "/280" in result.stdout
    assert "fits" in result.stdout


def test_preview_unknown_phase_is_a_usage_error(cli: CliRunner, empty_project: Path) -> None:
    project_with_runbook(empty_project)
    result = cli("preview", "sample", "--phase", "exploded", "--project", str(empty_project))
    assert result.exit_code == 2
    assert "unknown phase 'exploded'; use one of: investigating" in result.stderr


def test_preview_unknown_runbook_exits_3(cli: CliRunner, empty_project: Path) -> None:
    result = cli("preview", "nope", "--project", str(empty_project))
    assert result.exit_code == 3


def test_preview_bad_var_syntax_exits_2(cli: CliRunner, empty_project: Path) -> None:
    project_with_runbook(empty_project)
    result = cli("preview", "sample", "--var", "impact", "--project", str(empty_project))
    assert result.exit_code == 2
    assert "is not name=value" in result.stderr


def test_schema_describes_runbooks_and_channels(cli: CliRunner) -> None:
    result = cli("schema")
    schema = json.loads(result.stdout)
    assert {"Runbook", "Channel"} <= set(schema["$defs"])
    assert "messages" in schema["$defs"]["Runbook"]["properties"]
    assert schema["$defs"]["Runbook"]["additionalProperties"] is False


def test_schema_validates_a_runbook_as_data(cli: CliRunner) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(cli("schema").stdout)
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(runbook_data()))
    assert errors == []
