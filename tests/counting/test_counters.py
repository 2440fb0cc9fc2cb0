"""Every other kind's counter: X, Telegram, Mastodon, Bluesky, Discord, Slack, Teams, email."""

from __future__ import annotations

import pytest

from outagecomms.counting import SLACK_READABLE, measure, soft_limit
from outagecomms.models import ChannelKind

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one emoji ZWJ sequence of 7 code points


# ------------------------------------------------------------------ X


def test_x_counts_latin_as_one() -> None:
    result = measure("Payments are failing.", ChannelKind.X)
    assert (result.length, result.limit, result.unit) == (21, 280, "weighted")


def test_x_counts_any_url_as_23() -> None:
    url = "https://status.example.com/incidents/2024-06-01-payments-failing"
    assert measure(f"Details: {url}", ChannelKind.X).length == 9 + 23


def test_x_counts_cjk_as_two() -> None:
    assert measure("日本語", ChannelKind.X).length == 6


def test_x_counts_persian_as_one() -> None:
    assert measure("پرداخت", ChannelKind.X).length == 6


def test_x_counts_an_emoji_zwj_sequence_as_two() -> None:
    assert measure(FAMILY, ChannelKind.X).length == 2


def test_x_281_weighted_does_not_fit() -> None:
    assert measure("a" * 280, ChannelKind.X).fits
    assert not measure("a" * 281, ChannelKind.X).fits


# ------------------------------------------------------------------ Telegram


def test_telegram_counts_utf16_code_units() -> None:
    result = measure("Down é 😷", ChannelKind.TELEGRAM)
    assert (result.length, result.limit, result.unit) == (9, 4096, "utf16")


def test_telegram_2049_emoji_do_not_fit_4096_units() -> None:
    assert measure("😷" * 2048, ChannelKind.TELEGRAM).fits
    assert not measure("😷" * 2049, ChannelKind.TELEGRAM).fits


# ------------------------------------------------------------------ Bluesky


def test_bluesky_counts_a_zwj_emoji_as_one_grapheme() -> None:
    result = measure(FAMILY, ChannelKind.BLUESKY)
    assert (result.length, result.limit, result.unit) == (1, 300, "graphemes")


def test_bluesky_counts_a_combining_mark_with_its_letter() -> None:
    assert measure("Cafe\u0301", ChannelKind.BLUESKY).length == 4


def test_bluesky_counts_a_flag_as_one_grapheme() -> None:
    assert measure("🇱🇻🇺🇦", ChannelKind.BLUESKY).length == 2


def test_bluesky_301_graphemes_do_not_fit() -> None:
    assert measure("e\u0301" * 300, ChannelKind.BLUESKY).fits
    assert not measure("e\u0301" * 301, ChannelKind.BLUESKY).fits


# ------------------------------------------------------------------ Mastodon


@pytest.mark.parametrize(
    "url",
    ["http://example.com/status", "https://status.example.com/incidents/2024-06-01-payments"],
)
def test_mastodon_counts_an_http_or_https_url_as_23(url: str) -> None:
    result = measure(f"See {url} now", ChannelKind.MASTODON)
    assert (result.length, result.limit, result.unit) == (4 + 23 + 4, 500, "chars")


def test_mastodon_counts_a_short_url_as_23_too() -> None:
    assert measure("http://x.co", ChannelKind.MASTODON).length == 23


def test_mastodon_counts_a_domain_without_protocol_as_characters() -> None:
    assert measure("status.example.com", ChannelKind.MASTODON).length == 18


def test_mastodon_501_characters_do_not_fit() -> None:
    assert measure("a" * 500, ChannelKind.MASTODON).fits
    assert not measure("a" * 501, ChannelKind.MASTODON).fits


# ------------------------------------------------------------------ Discord, Slack, Teams


def test_discord_counts_code_points() -> None:
    result = measure("Down 😷", ChannelKind.DISCORD)
    assert (result.length, result.limit, result.unit) == (6, 2000, "chars")


def test_discord_2001_characters_do_not_fit() -> None:
    assert not measure("a" * 2001, ChannelKind.DISCORD).fits


def test_slack_hard_limit_is_40000() -> None:
    assert measure("a" * 40000, ChannelKind.SLACK).fits
    assert not measure("a" * 40001, ChannelKind.SLACK).fits


def test_slack_soft_limit_is_3000_readable() -> None:
    assert SLACK_READABLE == 3000
    assert soft_limit(ChannelKind.SLACK) == 3000


def test_only_slack_has_a_soft_limit() -> None:
    assert [kind for kind in ChannelKind if soft_limit(kind) is not None] == [ChannelKind.SLACK]


def test_teams_limit_is_28000_characters() -> None:
    assert measure("a" * 28000, ChannelKind.TEAMS).fits
    assert not measure("a" * 28001, ChannelKind.TEAMS).fits


# ------------------------------------------------------------------ email, webhook


def test_email_subject_of_79_characters_does_not_fit_78() -> None:
    assert measure("S" * 78, ChannelKind.EMAIL).fits
    result = measure("S" * 79, ChannelKind.EMAIL)
    assert (result.limit, result.unit, result.fits) == (78, "chars", False)


def test_webhook_is_unbounded() -> None:
    result = measure("a" * 100_000, ChannelKind.WEBHOOK)
    assert (result.limit, result.unit, result.fits) == (None, "chars", True)
