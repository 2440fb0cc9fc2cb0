"""`show` prints what customers were told: each channel's text, channels that got the same
words folded together; `--channel` narrows it."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.sinks import HttpSink
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel


def declared(cli: CliRunner, root: Path) -> None:
    result = cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", str(root))
    assert result.exit_code == 0, result.stderr


def show(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli("show", "INC-1", "--project", str(root), *args)


def test_show_prints_the_text_each_channel_received(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared(cli, project_root)
    [post] = http.wait_for(1, path="/x")
    out = show(cli, project_root).stdout
    assert "Told on x-posts (en):" in out
    assert post.json["message"].split(" https://")[0] in " ".join(out.split())
    assert "Subject: Online payments are failing" in out
    assert "Told on team-slack" not in out  # the internal copy only with --channel


def test_channels_that_received_the_same_words_are_printed_once(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    write_channel(project_root, "x-backup", kind="x", url=http.url("/x2"))
    declared(cli, project_root)
    out = show(cli, project_root).stdout
    assert "Told on x-backup, x-posts (en):" in out


def test_each_text_says_its_language_and_one_languages_texts_come_together(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    write_channel(project_root, "telegram-fa", kind="telegram", language="fa",
                  url=http.url("/tg"))  # fmt: skip
    declared(cli, project_root)
    headings = [line for line in show(cli, project_root).stdout.splitlines()
                if line.startswith("Told on")]  # fmt: skip
    assert headings[-1] == "Told on telegram-fa (fa):"
    assert all(heading.endswith("(en):") for heading in headings[:-1])


def test_channel_narrows_show_to_what_that_channel_got(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    out = show(cli, project_root, "--channel", "team-slack").stdout
    assert "Told on team-slack (en):" in out
    assert "[INC-1 · internal]" in out
    assert "Told on customers-email" not in out and "Subject:" not in out


def test_channel_narrows_the_json_timeline(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    shown = json.loads(show(cli, project_root, "--channel", "x-posts", "--json").stdout)
    [message] = shown["timeline"]
    assert [d["channel"] for d in message["deliveries"]] == ["x-posts"]


def test_a_channel_the_incident_never_used_is_not_found(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = show(cli, project_root, "--channel", "sms-nowhere")
    assert result.exit_code == 3
    assert "sent nothing to channel 'sms-nowhere'" in result.stderr
