"""From zero to a first real incident: init -> lint -> approve -> declare --dry-run ->
declare -> resolve, in a fresh directory, against real local SMTP and HTTP servers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms.sinks import HttpSink, SmtpSink
from tests.conftest import CliRunner

IMPACT = "some pages do not load"


@pytest.fixture
def sinks() -> Iterator[tuple[SmtpSink, HttpSink]]:
    with SmtpSink() as smtp, HttpSink() as http:
        yield smtp, http


def point_at(root: Path, channel: str, url: str) -> None:
    """What a user does with a starter channel: put the real URL in and enable it."""
    path = root / "channels" / f"{channel}.yaml"
    text = re.sub(r"(?m)^url: .*$", f'url: "{url}"', path.read_text(encoding="utf-8"))
    path.write_text(text.replace("enabled: false", "enabled: true"), encoding="utf-8")


def test_init_to_first_incident_on_local_sinks(
    cli: CliRunner, tmp_path: Path, sinks: tuple[SmtpSink, HttpSink]
) -> None:
    smtp, http = sinks
    root = tmp_path / "status-comms"
    project = ("--project", str(root))

    assert cli("init", str(root), "--lang", "en,fa").exit_code == 0
    point_at(root, "customers-email", smtp.url(to="customers@example.com"))
    point_at(root, "status-webhook", http.url("/status"))
    point_at(root, "team-slack", http.url("/slack"))

    lint = cli("lint", *project, "--json")
    assert lint.exit_code == 0 and json.loads(lint.stdout)["findings"] == []
    assert cli("approve", "service-disruption", "--by", "Dana Kim", *project).exit_code == 0

    declare = ("declare", "service-disruption", "--var", f"impact={IMPACT}", *project)
    dry = cli(*declare, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    planned = {d["channel"] for d in json.loads(dry.stdout)["deliveries"]}
    assert planned == {"customers-email", "status-webhook", "team-slack", "status-page"}
    assert smtp.messages == [] and http.requests == []

    real = cli(*declare, "--timeout", "5", "--json")
    assert real.exit_code == 0, real.stderr
    assert {d["state"] for d in json.loads(real.stdout)["deliveries"]} == {"sent"}
    [mail] = smtp.wait_for(1)
    assert IMPACT in mail.body
    assert IMPACT in http.wait_for(1, path="/status")[0].text
    assert (root / "status-site" / "index.html").is_file()

    resolved = cli("resolve", "INC-1", "--timeout", "5", *project)
    assert resolved.exit_code == 0, resolved.stderr
    assert smtp.wait_for(2)[1].subject.startswith("Resolved")
