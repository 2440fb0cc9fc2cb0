"""`declare` warns, naming the channel, when a channel's language is one the runbook lacks."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.sinks import HttpSink
from tests.conftest import CliRunner
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel


def test_declare_warns_naming_the_channel_whose_language_the_runbook_lacks(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    write_channel(project_root, "telegram-de", kind="telegram", language="de",
                  timezone="Europe/Berlin", url=http.url("/tg-de"))  # fmt: skip
    result = cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--json",
                 "--project", str(project_root))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "warning: channel 'telegram-de' is in 'de', which runbook" in result.stderr
    assert result.stderr.count("which runbook") == 1  # the English channels are fine
    warnings = json.loads(result.stdout)["warnings"]
    assert any("telegram-de" in w for w in warnings)
