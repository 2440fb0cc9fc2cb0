"""``outagecomms measure`` through the CLI: human line, --json, stdin, exit codes."""

from __future__ import annotations

import json

from tests.conftest import CliRunner


def test_fitting_text_prints_one_line_and_exits_0(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "x", "Payments are failing. 日本")
    assert result.exit_code == 0
    assert result.stdout == "26/280 weighted: fits\n"


def test_text_that_does_not_fit_exits_1(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "email", "S" * 79)
    assert result.exit_code == 1
    assert result.stdout == "79/78 chars: does not fit\n"


def test_sms_line_shows_the_segments(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "sms", "--segments", "2", "a" * 161)
    assert (result.exit_code, result.stdout) == (0, "161/306 gsm7, 2/2 segments: fits\n")


def test_sms_defaults_to_three_segments(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "sms", "Платежі не проходять")
    assert result.stdout == "20/201 ucs2, 1/3 segments: fits\n"


def test_sms_needing_more_segments_than_allowed_exits_1(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "sms", "--segments", "1", "a" * 161)
    assert (result.exit_code, result.stdout) == (1, "161/160 gsm7, 2/1 segment: does not fit\n")


def test_json_prints_exactly_the_documented_fields(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "sms", "--json", "Down 😷")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "kind": "sms",
        "length": 7,
        "limit": 201,
        "fits": True,
        "unit": "ucs2",
        "segments": 1,
    }


def test_json_still_exits_1_when_it_does_not_fit(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "bluesky", "--json", "👨‍👩‍👧" * 301)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["fits"] is False
    assert json.loads(result.stdout)["length"] == 301


def test_dash_reads_the_text_from_stdin_without_its_final_newline(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "telegram", "--json", "-", stdin="Down 😷\n")
    assert json.loads(result.stdout)["length"] == 7


def test_stdin_keeps_the_line_breaks_inside_the_text(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "discord", "-", stdin="line one\nline two\n")
    assert result.stdout == "17/2000 chars: fits\n"


def test_webhook_has_no_limit(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "webhook", "anything")
    assert (result.exit_code, result.stdout) == (0, "8 chars: fits (no limit)\n")


def test_slack_over_readable_length_fits_with_a_note(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "slack", "a" * 3001)
    assert result.exit_code == 0
    assert (
        result.stdout == "3001/40000 chars: fits (longer than the 3000 chars that stay readable)\n"
    )


def test_segments_for_another_kind_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("measure", "--kind", "x", "--segments", "2", "hello")
    assert result.exit_code == 2
    assert "--segments" in result.stderr
    assert "sms only" in result.stderr
