"""A channel in a language the runbook lacks (a Persian channel on an English-only
runbook) is a lint warning naming the channel, not silent English."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_channel, write_runbook


def findings(cli: CliRunner, root: Path) -> list[dict[str, object]]:
    result = cli("lint", "--project", str(root), "--json")
    assert result.exit_code == 0, result.stdout
    return [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "channel-language"]


def test_a_persian_channel_on_an_english_only_runbook_is_a_warning(
    cli: CliRunner, empty_project: Path
) -> None:
    write_runbook(empty_project, runbook_data())
    write_channel(empty_project, name="email-en", kind="email", url="mailto://127.0.0.1:9")
    write_channel(empty_project, name="sms-de", kind="sms", language="de",
                  url="json://127.0.0.1:9/sms", enabled=False)  # fmt: skip
    write_channel(empty_project, name="telegram-fa", kind="telegram", language="fa",
                  timezone="Asia/Tehran", url="tgram://1/2")  # fmt: skip
    [warning] = findings(cli, empty_project)  # not the English one, not the disabled one
    assert warning["severity"] == "warning"
    assert "'telegram-fa' is in 'fa'" in str(warning["message"])
    assert str(warning["file"]).endswith("sample.yaml")
