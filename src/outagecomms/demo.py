"""``outagecomms demo``: a whole incident on SQLite against local sinks, narrated.

The demo builds a throw-away project from the shipped runbooks, points one channel of each
kind at real servers on 127.0.0.1 (an SMTP server for email, an HTTP server standing in
for X, Telegram, SMS, Mastodon, Bluesky, Slack and a status webhook), has comms staff
approve the runbook, then declares an incident, posts an update and resolves it through
the same orchestrator the CLI uses, and shows what each channel received.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from outagecomms.approvals import approve
from outagecomms.counting import measure
from outagecomms.examples import examples_root
from outagecomms.incidents import Orchestrator, Report
from outagecomms.models import ChannelKind, Phase
from outagecomms.project import Project
from outagecomms.sinks import HttpSink, SmtpSink

DEMO_RUNBOOK = "payments-failing"
DEMO_SETTINGS = """\
# Settings of the demo project (see README, Configuration).
status_url = "https://status.example.com"

[sender]
en = "Dana from the Example Support Team"
fa = "دانا از تیم پشتیبانی"
"""


@dataclass(frozen=True)
class DemoChannel:
    name: str
    kind: ChannelKind
    language: str = "en"
    timezone: str = "Europe/Riga"
    audience: str = "customers"


DEMO_CHANNELS: tuple[DemoChannel, ...] = (
    DemoChannel("customers-email", ChannelKind.EMAIL),
    DemoChannel("customers-email-fa", ChannelKind.EMAIL, "fa", "Asia/Tehran"),
    DemoChannel("x-status", ChannelKind.X),
    DemoChannel("telegram-fa", ChannelKind.TELEGRAM, "fa", "Asia/Tehran"),
    DemoChannel("sms-customers", ChannelKind.SMS),
    DemoChannel("mastodon-status", ChannelKind.MASTODON),
    DemoChannel("bluesky-status", ChannelKind.BLUESKY),
    DemoChannel("status-webhook", ChannelKind.WEBHOOK),
    DemoChannel("team-slack", ChannelKind.SLACK, audience="internal"),
)


@dataclass(frozen=True)
class Received:
    """What one channel's server received for one step."""

    channel: str
    kind: ChannelKind
    title: str | None
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        measured = measure(self.text if self.kind is not ChannelKind.EMAIL else self.title or "",
                           self.kind)  # fmt: skip
        return {
            "channel": self.channel,
            "kind": self.kind.value,
            "title": self.title,
            "text": self.text,
            "length": measured.length,
            "limit": measured.limit,
            "unit": measured.unit,
            "segments": measured.segments,
        }


@dataclass(frozen=True)
class Step:
    """One thing the on-call did, the command they would type, and what arrived."""

    title: str
    command: str
    report: Report
    received: list[Received]
    at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.title,
            "command": self.command,
            "at": self.at.isoformat(),
            **self.report.as_json(),
            "received": [r.as_json() for r in self.received],
        }


def write_project(root: Path, smtp: SmtpSink, http: HttpSink) -> Project:
    """The shipped runbooks plus one channel per kind pointing at the local servers."""
    shutil.copytree(examples_root() / "runbooks", root / "runbooks")
    (root / "runbooks" / "approvals.lock").unlink(missing_ok=True)
    (root / "channels").mkdir()
    (root / "outagecomms.toml").write_text(DEMO_SETTINGS, encoding="utf-8")
    for channel in DEMO_CHANNELS:
        if channel.kind is ChannelKind.EMAIL:
            url = smtp.url(to=f"{channel.name}@example.com")
        else:
            url = http.url(f"/{channel.name}")
        data = {
            "name": channel.name,
            "kind": channel.kind.value,
            "url": url,
            "audience": channel.audience,
            "language": channel.language,
            "timezone": channel.timezone,
        }
        (root / "channels" / f"{channel.name}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return Project(root)


def collect(smtp: SmtpSink, http: HttpSink) -> list[Received]:
    """Everything the servers received since the last call, in channel order."""
    kinds = {c.name: c.kind for c in DEMO_CHANNELS}
    by_channel: dict[str, Received] = {}
    for mail in smtp.messages:
        name = mail.to.split("@", 1)[0]
        by_channel[name] = Received(name, ChannelKind.EMAIL, mail.subject, mail.body,
                                    {"From": mail.sender, "To": mail.to})  # fmt: skip
    for request in http.requests:
        name = request.path.strip("/")
        payload = request.json or {}
        title = payload.get("title") or None
        headers = {"Idempotency-Key": request.header("Idempotency-Key") or ""}
        by_channel[name] = Received(name, kinds.get(name, ChannelKind.WEBHOOK), title,
                                    str(payload.get("message", "")), headers)  # fmt: skip
    smtp.clear()
    http.clear()
    return [by_channel[c.name] for c in DEMO_CHANNELS if c.name in by_channel]


@contextmanager
def demo_project() -> Iterator[tuple[Project, SmtpSink, HttpSink]]:
    with (
        SmtpSink() as smtp,
        HttpSink() as http,
        tempfile.TemporaryDirectory(prefix="outagecomms-demo-") as tmp,
    ):
        yield write_project(Path(tmp) / "project", smtp, http), smtp, http


class DemoClock:
    """The demo's time: it starts now and jumps between steps, so the story has the pace of
    a real incident (25 minutes to find the cause, 50 more to fix it) without waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime.now(UTC)).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, *, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def run_demo(on_step: Callable[[Step], None] | None = None) -> list[Step]:
    """Declare, update and resolve one incident against local sinks; ``on_step`` sees each
    step as soon as it is done (the CLI narrates from it)."""
    steps: list[Step] = []

    def record(title: str, command: str, report: Report) -> None:
        step = Step(title, command, report, collect(smtp, http), clock.now)
        steps.append(step)
        if on_step is not None:
            on_step(step)

    clock = DemoClock()
    with demo_project() as (project, smtp, http):
        approve(project, [DEMO_RUNBOOK], by="Dana (Comms)", note="reviewed for the demo")
        with Orchestrator.open(project, actor="sam.oncall", timeout=5, clock=clock) as orchestrator:
            impact = {
                "impact": "card payments fail at checkout",
                "impact.fa": "پرداخت با کارت در مرحله تسویه انجام نمی‌شود",
                "workaround": "bank transfer still works and is shown at checkout",
                "workaround.fa": "پرداخت با انتقال بانکی همچنان ممکن است",
            }
            report = orchestrator.declare(DEMO_RUNBOOK, variables=impact)
            incident = report.incident.id
            record(
                "The on-call declares the incident",
                f'outagecomms declare {DEMO_RUNBOOK} --var impact="card payments fail at '
                'checkout" --var impact.fa="..." --var workaround="..."',
                report,
            )
            clock.advance(minutes=25)
            report = orchestrator.update(
                incident, phase=Phase.IDENTIFIED, variables={"eta": "1-2 hours"}
            )
            record(
                "The cause is found: an update with an estimate range",
                f"outagecomms update {incident} --phase identified --var eta=1-2h",
                report,
            )
            clock.advance(minutes=50)
            report = orchestrator.resolve(incident)
            record("Payments work again: the resolution", f"outagecomms resolve {incident}",
                   report)  # fmt: skip
    return steps
