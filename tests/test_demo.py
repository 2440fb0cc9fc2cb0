"""`outagecomms demo`, the README's first command: a whole incident against local sinks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CliRunner


@pytest.fixture(scope="module")
def demo_json() -> dict[str, Any]:
    import contextlib
    import io

    from outagecomms.cli import run

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = run(["demo", "--json"])
    assert code == 0
    return dict(json.loads(out.getvalue()))


def test_demo_declares_updates_and_resolves(demo_json: dict[str, Any]) -> None:
    phases = [step["incident"]["phase"] for step in demo_json["steps"]]
    assert phases == ["investigating", "identified", "resolved"]
    assert demo_json["steps"][-1]["incident"]["status"] == "resolved"


def test_every_channel_received_each_message_once(demo_json: dict[str, Any]) -> None:
    for step in demo_json["steps"]:
        channels = [r["channel"] for r in step["received"]]
        assert len(channels) == len(set(channels)) == 9
        assert all(d["state"] == "sent" for d in step["deliveries"])


def test_what_arrived_fits_each_channel(demo_json: dict[str, Any]) -> None:
    for step in demo_json["steps"]:
        for received in step["received"]:
            assert received["limit"] is None or received["length"] <= received["limit"]


def test_persian_channels_receive_persian(demo_json: dict[str, Any]) -> None:
    first = {r["channel"]: r for r in demo_json["steps"][0]["received"]}
    assert "پرداخت" in first["telegram-fa"]["text"]
    assert "پرداخت" in (first["customers-email-fa"]["title"] or "")


def test_the_email_arrives_with_subject_and_signature(demo_json: dict[str, Any]) -> None:
    email = next(r for r in demo_json["steps"][0]["received"] if r["channel"] == "customers-email")
    assert email["title"] == "Online payments are failing: we are on it"
    assert email["text"].rstrip().endswith("Dana from the Example Support Team")


def test_resolution_reports_the_real_duration(demo_json: dict[str, Any]) -> None:
    email = next(r for r in demo_json["steps"][2]["received"] if r["channel"] == "customers-email")
    assert "1 hour 15 minutes" in email["text"]


def test_human_demo_narrates_each_step(cli: CliRunner) -> None:
    result = cli("demo")
    assert result.exit_code == 0
    assert "The on-call declares the incident" in result.stdout
    assert "x-status (x)" in result.stdout
    assert "weighted" in result.stdout
