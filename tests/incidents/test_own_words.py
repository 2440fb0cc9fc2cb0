"""`update --text|--text-file --reason`: the on-call's own words for what no runbook
foresaw, lint-gated, with the cadence promise added by the tool."""

from __future__ import annotations

import json
from pathlib import Path

from outagecomms.counting import measure
from outagecomms.models import ChannelKind
from outagecomms.sinks import HttpSink, SmtpSink
from tests.conftest import CliRunner, Result
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

WORDS = "Some customers still cannot check out; most payments work again"
REASON = "partial recovery that no runbook phase describes"


def declared(cli: CliRunner, root: Path) -> None:
    result = cli("declare", RUNBOOK, "--var", f"impact={IMPACT}", "--project", str(root))
    assert result.exit_code == 0, result.stderr


def own_words(cli: CliRunner, root: Path, *args: str) -> Result:
    return cli("update", "INC-1", "--project", str(root), "--timeout", "5", *args)


def test_own_words_reach_every_channel_with_the_promise_added_by_the_tool(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    smtp: SmtpSink,
) -> None:  # fmt: skip
    declared(cli, project_root)
    result = own_words(cli, project_root, "--text", WORDS, "--reason", REASON)
    assert result.exit_code == 0, result.stderr
    post = http.wait_for(2, path="/x")[1].json["message"]
    assert post.startswith(WORDS)
    assert "Next update by" in post and "https://status.example.com" in post
    mail = smtp.wait_for(2)[1]
    assert mail.subject == "Online payments failing"
    assert WORDS in mail.body and "Next update by" in mail.body


def test_lint_errors_refuse_own_words_and_nothing_is_sent(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared(cli, project_root)
    http.wait_for(1, path="/x")
    result = own_words(
        cli, project_root, "--text", "We apologize for any inconvenience", "--reason", REASON
    )
    assert result.exit_code == 1
    assert "cliche-apology" in result.stderr and "nothing was written or sent" in result.stderr
    shown = json.loads(cli("show", "INC-1", "--json", "--project", str(project_root)).stdout)
    assert len(shown["timeline"]) == 1
    assert len(http.requests) == 3


def test_own_words_need_a_reason(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = own_words(cli, project_root, "--text", WORDS)
    assert result.exit_code == 2
    assert "--reason" in result.stderr


def test_a_customer_channel_in_another_language_needs_its_own_text(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    write_channel(project_root, "telegram-fa", kind="telegram", language="fa",
                  url=http.url("/tg"))  # fmt: skip
    declared(cli, project_root)
    result = own_words(cli, project_root, "--text", WORDS, "--reason", REASON)
    assert result.exit_code == 2
    assert "telegram-fa (fa)" in result.stderr


def test_a_text_file_gives_the_words_per_format_and_language(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink,
    tmp_path: Path,
) -> None:  # fmt: skip
    write_channel(project_root, "telegram-fa", kind="telegram", language="fa",
                  url=http.url("/tg"))  # fmt: skip
    words = tmp_path / "words.yaml"
    words.write_text(
        "chat:\n"
        f"  en: {WORDS}\n"
        "  fa: پرداخت برای بیشتر مشتریان دوباره کار می‌کند\n"
        "short:\n"
        "  en: Some customers still cannot check out\n",
        encoding="utf-8",
    )
    declared(cli, project_root)
    result = own_words(cli, project_root, "--text-file", str(words), "--reason", REASON)
    assert result.exit_code == 0, result.stderr
    assert http.wait_for(2, path="/tg")[1].json["message"].startswith("پرداخت برای")
    assert (
        http.wait_for(2, path="/x")[1]
        .json["message"]
        .startswith("Some customers still cannot check out Next update by")
    )


def test_a_long_text_is_fitted_for_short_channels_keeping_the_promise(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], http: HttpSink
) -> None:
    declared(cli, project_root)
    long_words = " ".join([WORDS] * 5)
    result = own_words(cli, project_root, "--text", long_words, "--reason", REASON)
    assert result.exit_code == 0, result.stderr
    post = http.wait_for(2, path="/x")[1].json["message"]
    assert measure(post, ChannelKind.X).length <= 280
    assert "Next update by" in post


def test_show_marks_own_words_with_who_and_why(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    own_words(cli, project_root, "--text", WORDS, "--reason", REASON, "--by", "sam")
    out = cli("show", "INC-1", "--project", str(project_root)).stdout
    assert f"In sam's own words (not a runbook message): {REASON}" in " ".join(out.split())
    shown = json.loads(cli("show", "INC-1", "--json", "--project", str(project_root)).stdout)
    assert shown["timeline"][1]["origin"] == "own-words"


def test_the_status_page_history_marks_own_words(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str], tmp_path: Path
) -> None:
    write_channel(project_root, "status-page", kind="site", url=str(tmp_path / "site"))
    declared(cli, project_root)
    assert own_words(cli, project_root, "--text", WORDS, "--reason", REASON).exit_code == 0
    page = (tmp_path / "site" / "incidents" / "INC-1.html").read_text(encoding="utf-8")
    assert "written by our on-call team" in page
    assert "Some customers still cannot check out" in page


def test_a_dry_run_lints_own_words_too(
    cli: CliRunner, project_root: Path, sink_channels: dict[str, str]
) -> None:
    declared(cli, project_root)
    result = own_words(cli, project_root, "--text", "The DB is down", "--reason", REASON,
                       "--dry-run")  # fmt: skip
    assert result.exit_code == 1
    assert "jargon" in result.stderr
