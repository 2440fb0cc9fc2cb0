"""Rendering: sandboxed, strict, values are data, dates read naturally in each language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outagecomms.errors import UsageError
from outagecomms.localdates import LocalMoment, format_elapsed
from outagecomms.models import Channel, Phase, Runbook, Severity
from outagecomms.ranges import format_range, parse_range
from outagecomms.templates import IncidentFacts, context, render_message, resolve_values
from tests.factories import runbook_data

NOW = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)


def make_runbook(**changes: object) -> Runbook:
    data = runbook_data(languages=("en", "fa", "uk", "lv"))
    data.update(changes)
    return Runbook.model_validate(data)


def facts(next_in: timedelta = timedelta(minutes=30)) -> IncidentFacts:
    return IncidentFacts(
        incident_id="INC-7",
        severity=Severity.MAJOR,
        started_at=NOW - timedelta(minutes=65),
        now=NOW,
        next_update_at=NOW + next_in,
        status_url="https://status.example.com",
        sender={"en": "Ana from Support", "fa": "آنا از پشتیبانی"},
    )


def render(runbook: Runbook, source: str, lang: str = "en", tz: str = "UTC", **given: str) -> str:
    runbook.messages[Phase.UPDATE].chat[lang] = source  # type: ignore[index]
    values = resolve_values(runbook, {"impact": "checkout fails", **given}, lang)
    ctx = context(runbook, facts(), values, lang=lang, zone=ZoneInfo(tz), phase=Phase.UPDATE)
    channel_format = Channel(name="c", kind="telegram", url="json://x").effective_format
    return render_message(runbook, Phase.UPDATE, channel_format, lang, ctx).body


def test_a_variable_value_is_data_not_template_code() -> None:
    runbook = make_runbook()
    assert render(runbook, "{{ impact }}", impact="{{ 7 * 7 }} {% if 1 %}x{% endif %}") == (
        "{{ 7 * 7 }} {% if 1 %}x{% endif %}"
    )


def test_templates_cannot_reach_python_internals() -> None:
    runbook = make_runbook()
    with pytest.raises(UsageError):
        render(runbook, "{{ impact.__class__.__mro__[1].__subclasses__() }}")


def test_missing_required_variable_names_the_flag_to_pass() -> None:
    with pytest.raises(UsageError, match="pass --var impact='checkout fails'"):
        resolve_values(make_runbook(), {}, "en")


def test_unknown_variable_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"did you mean 'impact'.*variables are: impact"):
        resolve_values(make_runbook(), {"impct": "x", "impact": "y"}, "en")


def test_value_over_max_length_is_refused() -> None:
    with pytest.raises(UsageError, match="81 characters, more than its max_length 80"):
        resolve_values(make_runbook(), {"impact": "x" * 81}, "en")


def test_language_specific_value_overrides_the_general_one() -> None:
    given = {"impact": "checkout fails", "impact.fa": "پرداخت انجام نمی‌شود"}
    runbook = make_runbook()
    assert resolve_values(runbook, given, "fa")["impact"] == "پرداخت انجام نمی‌شود"
    assert resolve_values(runbook, given, "en")["impact"] == "checkout fails"


def test_optional_variable_without_value_renders_empty() -> None:
    data = runbook_data()
    data["variables"]["workaround"] = {"max_length": 50}
    runbook = Runbook.model_validate(data)
    assert render(runbook, "[{{ workaround }}]") == "[]"


def test_localized_default_is_used_per_language() -> None:
    data = runbook_data(languages=("en", "fa"))
    data["variables"]["scope"] = {"default": {"en": "all customers", "fa": "همه مشتریان"}}
    runbook = Runbook.model_validate(data)
    assert resolve_values(runbook, {"impact": "x"}, "fa")["scope"] == "همه مشتریان"


def test_range_variable_is_rendered_in_each_language() -> None:
    value = parse_range("2-4 hours")
    assert [format_range(value, lang) for lang in ("en", "fa", "uk", "lv")] == [
        "2–4 hours",
        "۲ تا ۴ ساعت",
        "2–4 години",
        "2–4 stundas",
    ]


def test_an_exact_time_is_not_a_range() -> None:
    with pytest.raises(ValueError, match="is not a range"):
        parse_range("5 minutes")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "12:35 UTC"),
        ("fa", "۱۲:۳۵ (UTC)"),
        ("uk", "12:35 за UTC"),
        ("lv", "plkst. 12.35 pēc UTC laika"),
    ],
)
def test_next_update_time_today_in_each_language(lang: str, expected: str) -> None:
    moment = LocalMoment(NOW + timedelta(minutes=30), ZoneInfo("UTC"), lang, NOW)
    assert str(moment) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "24 November, 09:05 EET"),
        ("fa", "۳ آذر، ۰۹:۰۵ (وقت لتونی)"),
        ("uk", "24 листопада о 09:05 за ризьким часом"),
        ("lv", "24. novembrī plkst. 09.05 pēc Rīgas laika"),
    ],
)
def test_next_update_on_another_day_shows_the_date(lang: str, expected: str) -> None:
    moment = LocalMoment(NOW + timedelta(hours=19), ZoneInfo("Europe/Riga"), lang, NOW)
    assert str(moment) == expected


def test_persian_dates_use_the_solar_hijri_calendar() -> None:
    moment = LocalMoment(
        datetime(2026, 3, 21, 12, 0, tzinfo=UTC), ZoneInfo("Asia/Tehran"), "fa", NOW
    )
    assert moment.date == "۱ فروردین"


def test_time_zone_without_abbreviation_uses_the_offset() -> None:
    moment = LocalMoment(NOW, ZoneInfo("Asia/Tehran"), "en", NOW)
    assert str(moment) == "15:35 UTC+3:30"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "1 hour 5 minutes"),
        ("fa", "۱ ساعت و ۵ دقیقه"),
        ("uk", "1 година 5 хвилин"),
        ("lv", "1 stunda 5 minūtes"),
    ],
)
def test_elapsed_time_reads_naturally(lang: str, expected: str) -> None:
    assert format_elapsed(timedelta(minutes=65), lang) == expected


@pytest.mark.parametrize("lang", ["en", "fa", "uk", "lv"])
def test_every_language_renders_the_next_update_in_the_channel_zone(lang: str) -> None:
    text = render(make_runbook(), "{{ next_update_at }}", lang=lang, tz="Europe/Riga")
    clock = {"fa": "۱۴:۳۵", "lv": "14.35"}.get(lang, "14:35")
    assert clock in text


def test_sender_is_localized() -> None:
    assert render(make_runbook(), "{{ sender }}", lang="fa") == "آنا از پشتیبانی"


def test_blank_lines_left_by_optional_blocks_collapse() -> None:
    data = runbook_data()
    data["variables"]["workaround"] = {"max_length": 50}
    runbook = Runbook.model_validate(data)
    assert render(runbook, "A\n\n{% if workaround %}W{% endif %}\n\nB") == "A\n\nB"
