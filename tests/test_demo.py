"""`outagecomms demo`, the README's first command: the whole story against local sinks,
comms approval to resolution, with the worker's retry and automatic update."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner

STORY = ["approve", "declare", "retry", "automatic update", "identified", "resolved"]


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import contextlib
    import io

    from outagecomms.cli import run

    out = io.StringIO()
    site = tmp_path_factory.mktemp("site")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = run(["demo", "--json", "--site", str(site)])
    assert code == 0
    return dict(json.loads(out.getvalue()))


def step(demo_json: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(demo_json["steps"][STORY.index(name)])


def test_the_story_goes_from_approval_to_resolution(demo_json: dict[str, Any]) -> None:
    phases = [s["incident"] and s["incident"]["phase"] for s in demo_json["steps"]]
    assert phases == [None, "investigating", "investigating", "investigating", "identified",
                      "resolved"]  # fmt: skip
    assert demo_json["steps"][0]["command"].startswith("outagecomms approve payments-failing")


def test_a_failing_channel_is_queued_then_retried_by_the_worker(
    demo_json: dict[str, Any],
) -> None:
    declared = {d["channel"]: d["state"] for d in step(demo_json, "declare")["deliveries"]}
    assert declared["status-webhook"] == "retry"
    assert "status-webhook" not in [r["channel"] for r in step(demo_json, "declare")["received"]]
    retried = step(demo_json, "retry")
    assert [r["channel"] for r in retried["received"]] == ["status-webhook"]
    assert {d["state"] for d in retried["deliveries"]} == {"sent"}


def test_the_worker_keeps_the_promise_with_an_automatic_update(
    demo_json: dict[str, Any],
) -> None:
    automatic = step(demo_json, "automatic update")
    assert automatic["command"].startswith("outagecomms worker")
    email = next(r for r in automatic["received"] if r["channel"] == "customers-email")
    assert email["title"] == "Online payments: still working on it"


def test_every_channel_receives_each_human_message_once(demo_json: dict[str, Any]) -> None:
    for name in ("identified", "resolved"):
        channels = [r["channel"] for r in step(demo_json, name)["received"]]
        assert len(channels) == len(set(channels)) == 9
        assert all(d["state"] == "sent" for d in step(demo_json, name)["deliveries"])


def test_what_arrived_fits_each_channel(demo_json: dict[str, Any]) -> None:
    for s in demo_json["steps"]:
        for received in s["received"]:
            assert received["limit"] is None or received["length"] <= received["limit"]


def test_persian_channels_receive_persian(demo_json: dict[str, Any]) -> None:
    first = {r["channel"]: r for r in step(demo_json, "declare")["received"]}
    assert "پرداخت" in first["telegram-fa"]["text"]
    assert "پرداخت" in (first["customers-email-fa"]["title"] or "")


def test_the_email_arrives_with_subject_and_signature(demo_json: dict[str, Any]) -> None:
    email = next(
        r for r in step(demo_json, "declare")["received"] if r["channel"] == "customers-email"
    )
    assert email["title"] == "Online payments are failing: we are on it"
    assert email["text"].rstrip().endswith("Dana from the Example Support Team")


def test_resolution_reports_the_real_duration(demo_json: dict[str, Any]) -> None:
    email = next(
        r for r in step(demo_json, "resolved")["received"] if r["channel"] == "customers-email"
    )
    assert "1 hour 36 minutes" in email["text"]


def test_the_status_page_it_built_is_there(demo_json: dict[str, Any]) -> None:
    page = Path(demo_json["status_page"])
    assert page.is_file()
    assert "INC-1" in (page.parent / "incidents" / "INC-1.html").read_text(encoding="utf-8")


def test_every_command_shown_can_be_pasted(demo_json: dict[str, Any]) -> None:
    for s in demo_json["steps"]:
        words = shlex.split(s["command"], comments=True)
        assert words[0] == "outagecomms" and "..." not in s["command"]
    assert demo_json["next"][0].startswith("outagecomms init")


def test_human_demo_narrates_each_step_and_what_next(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("demo", "--site", str(tmp_path / "site"))
    assert result.exit_code == 0
    out = result.stdout
    assert "Comms staff approve the runbook" in out
    assert "The worker retries the channel that failed" in out
    assert "x-status (x)" in out and "weighted" in out
    assert f"The status page it built: {tmp_path / 'site' / 'index.html'}" in " ".join(out.split())
    assert "outagecomms init my-status-comms" in out
    x_box = out.split("x-status (x)", 1)[1].split("╰", 1)[0]
    assert "Idempotency-Key" not in x_box


def test_demo_says_how_to_install_the_mail_sink_when_aiosmtpd_is_missing(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "aiosmtpd" else real(name, *a)
    )
    result = cli("demo")
    assert result.exit_code == 5  # ExitStatus.CONFIG
    assert "pip install 'outagecomms[testing]'" in result.stderr
