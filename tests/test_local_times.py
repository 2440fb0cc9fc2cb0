"""``{{ next_update_at }}`` (and ``started_at``, ``now``) as readers of each language say a
time: the whole expression without a preposition, in the channel's zone, the date first
when it is not the same local day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.localdates import LocalMoment
from outagecomms.project import Project
from outagecomms.store import Store
from tests.incidents import conftest as incidents_fixtures
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, Clock, FakeSender, write_channel

# the fixtures shared with tests/incidents/ (named, not star-imported)
approvals = incidents_fixtures.approvals
cli_orchestrator_options = incidents_fixtures.cli_orchestrator_options
clock = incidents_fixtures.clock
fake_channels = incidents_fixtures.fake_channels
http = incidents_fixtures.http
orchestrator = incidents_fixtures.orchestrator
postgres_url = incidents_fixtures.postgres_url
project_root = incidents_fixtures.project_root
real_approvals = incidents_fixtures.real_approvals
sender = incidents_fixtures.sender
sink_channels = incidents_fixtures.sink_channels
smtp = incidents_fixtures.smtp
store = incidents_fixtures.store

NOW = datetime(2026, 12, 1, 8, 28, tzinfo=UTC)
SOON = NOW + timedelta(minutes=30)  # 08:58 UTC, the same day everywhere below
TOMORROW = NOW + timedelta(days=1, hours=3)  # 2 December, 11:28 UTC


def said(lang: str, zone: str, moment: datetime = SOON) -> str:
    return str(LocalMoment(moment, ZoneInfo(zone), lang, NOW))


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kyiv", "10:58 EET"),
        ("Europe/Riga", "10:58 EET"),
        ("UTC", "08:58 UTC"),
        ("Asia/Tehran", "12:28 UTC+3:30"),
        ("Asia/Kolkata", "14:28 IST"),
    ],
)
def test_english_says_the_time_and_the_zone_abbreviation(zone: str, expected: str) -> None:
    assert said("en", zone) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kyiv", "۱۰:۵۸ (وقت اوکراین (کیف))"),
        ("Europe/Riga", "۱۰:۵۸ (وقت لتونی)"),
        ("UTC", "۰۸:۵۸ (UTC)"),
        ("Asia/Tehran", "۱۲:۲۸ (وقت ایران)"),
        ("Asia/Kolkata", "۱۴:۲۸ (وقت هند)"),
    ],
)
def test_persian_says_the_time_in_persian_digits_and_the_zones_place(
    zone: str, expected: str
) -> None:
    assert said("fa", zone) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kyiv", "10:58 за київським часом"),
        ("Europe/Riga", "10:58 за ризьким часом"),
        ("UTC", "08:58 за UTC"),
        ("Asia/Tehran", "12:28 за тегеранським часом"),
        ("Asia/Kolkata", "14:28 за часом UTC+5:30"),
    ],
)
def test_ukrainian_says_by_whose_time(zone: str, expected: str) -> None:
    assert said("uk", zone) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kyiv", "plkst. 10.58 pēc Kijivas laika"),
        ("Europe/Riga", "plkst. 10.58 pēc Rīgas laika"),
        ("UTC", "plkst. 08.58 pēc UTC laika"),
        ("Asia/Tehran", "plkst. 12.28 pēc Teherānas laika"),
        ("Asia/Kolkata", "plkst. 14.28 pēc UTC+5:30 laika"),
    ],
)
def test_latvian_says_plkst_with_a_dot_and_by_whose_time(zone: str, expected: str) -> None:
    assert said("lv", zone) == expected


@pytest.mark.parametrize(
    ("lang", "zone", "expected"),
    [
        ("en", "Europe/Kyiv", "2 December, 13:28 EET"),
        ("fa", "Asia/Tehran", "۱۱ آذر، ۱۴:۵۸ (وقت ایران)"),
        ("uk", "Europe/Kyiv", "2 грудня о 13:28 за київським часом"),
        ("uk", "UTC", "2 грудня об 11:28 за UTC"),
        ("lv", "Europe/Riga", "2. decembrī plkst. 13.28 pēc Rīgas laika"),
        ("lv", "Asia/Kolkata", "2. decembrī plkst. 16.58 pēc UTC+5:30 laika"),
    ],
)
def test_another_local_day_puts_the_date_first(lang: str, zone: str, expected: str) -> None:
    assert said(lang, zone, TOMORROW) == expected


def test_the_date_is_the_local_one_not_utcs() -> None:
    late = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 2 December, 00:30 in Kyiv
    assert said("uk", "Europe/Kyiv", late) == "2 грудня о 00:30 за київським часом"


def test_ukrainian_half_hour_zone_keeps_its_minutes() -> None:
    assert said("uk", "America/St_Johns") == "05:28 за часом UTC-3:30"


@pytest.mark.parametrize(
    ("lang", "parts"),
    [
        ("en", ("10:58", "1 December", "EET", "1 December, 10:58 EET")),
        ("uk", ("10:58", "1 грудня", "EET", "1 грудня о 10:58 за київським часом")),
        ("lv", ("10.58", "1. decembris", "EET", "1. decembrī plkst. 10.58 pēc Kijivas laika")),
    ],
)
def test_parts_remain_for_templates_that_want_them(lang: str, parts: tuple[str, ...]) -> None:
    moment = LocalMoment(SOON, ZoneInfo("Europe/Kyiv"), lang, NOW)
    assert (moment.time, moment.date, moment.zone_name, moment.full) == parts


@pytest.mark.parametrize(
    ("lang", "zone", "expected"),
    [
        ("uk", "Europe/Kyiv", "до 16:00 за київським часом"),
        ("lv", "Europe/Riga", "plkst. 16.00 pēc Rīgas laika"),
    ],
)
def test_declared_incident_tells_each_channel_the_next_update_in_its_own_words(
    project_root: Path,
    store: Store,
    clock: Clock,
    sender: FakeSender,
    lang: str,
    zone: str,
    expected: str,
) -> None:
    write_channel(project_root, "chat", kind="telegram", url="tgram://1/2", language=lang,
                  timezone=zone)  # fmt: skip
    orchestrator = Orchestrator(
        Project(project_root), store, clock=clock, sender=sender, gate=Approvals(), actor="a"
    )
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})  # at 12:00 UTC, major: 60m
    (sent,) = sender.sent
    assert expected in sent.body
