"""``outagecomms demo``: a whole incident on SQLite against local sinks, narrated.

The demo builds a throw-away project from the shipped runbooks, points one channel of each
kind at real servers on 127.0.0.1 (an SMTP server for email, an HTTP server standing in
for X, Telegram, SMS, Mastodon, Bluesky, Slack and a status webhook) plus a status page
written to a directory, and tells the whole story through the same orchestrator and
worker the CLI uses, on a simulated clock: comms staff approve the runbook; the on-call
declares (the status webhook fails its first attempt); the worker retries it; an hour
passes without news and the worker keeps the promise with an automatic update; the cause
is found; the resolution. It shows what each channel received, and where the status page
it built is.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from outagecomms.approvals import approve
from outagecomms.counting import measure
from outagecomms.errors import ConfigError
from outagecomms.examples import examples_root
from outagecomms.incidents import Orchestrator, Report
from outagecomms.models import ChannelKind, Phase
from outagecomms.project import Project
from outagecomms.testing.sinks import HttpSink, SmtpSink

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
    DemoChannel("status-page", ChannelKind.SITE),
)
FLAKY_CHANNEL = "status-webhook"
"""The channel whose first attempt fails (HTTP 500), so the worker retries it."""


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
    """One thing someone (or the worker) did, the command they would type, what it
    reported and what arrived. ``report`` is None for a step that sends nothing."""

    title: str
    command: str
    report: Report | None
    received: list[Received]
    at: datetime
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        reported = self.report.as_json() if self.report else {"incident": None, "deliveries": []}
        return {
            "step": self.title,
            "command": self.command,
            "at": self.at.isoformat(),
            "note": self.note,
            **reported,
            "received": [r.as_json() for r in self.received],
        }


@dataclass(frozen=True)
class Story:
    """The demo's steps, and where the status page it built is."""

    steps: list[Step]
    site: Path

    def as_json(self) -> dict[str, Any]:
        return {
            "steps": [step.as_json() for step in self.steps],
            "status_page": str(self.site / "index.html"),
            "next": NEXT_STEPS,
        }


NEXT_STEPS = [
    "outagecomms init my-status-comms --lang en,fa",
    "cd my-status-comms",
    "outagecomms lint",
    'outagecomms approve service-disruption --by "Your Name"',
    'outagecomms declare service-disruption --var impact="some pages do not load" --dry-run',
]
"""What to do after the demo: your own project (README, "Your first project")."""


def write_project(root: Path, smtp: SmtpSink, http: HttpSink, site: Path) -> Project:
    """The shipped runbooks plus one channel per kind pointing at the local servers, and
    the status page written into ``site``."""
    shutil.copytree(examples_root() / "runbooks", root / "runbooks")
    (root / "runbooks" / "approvals.lock").unlink(missing_ok=True)
    shutil.copy(examples_root() / "components.yaml", root / "components.yaml")
    (root / "channels").mkdir()
    (root / "outagecomms.toml").write_text(DEMO_SETTINGS, encoding="utf-8")
    for channel in DEMO_CHANNELS:
        if channel.kind is ChannelKind.EMAIL:
            url = smtp.url(to=f"{channel.name}@example.com")
        elif channel.kind is ChannelKind.SITE:
            url = str(site)
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


def collect(smtp: SmtpSink, http: HttpSink, refused: Collection[str] = ()) -> list[Received]:
    """Everything the servers received (and did not refuse: ``refused`` channels answered
    an error) since the last call, in channel order."""
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
        kind = kinds.get(name, ChannelKind.WEBHOOK)
        # a webhook receiver sees the idempotency header; a post or an SMS has no headers
        key = request.header("Idempotency-Key") or ""
        headers = {"Idempotency-Key": key} if kind is ChannelKind.WEBHOOK else {}
        by_channel[name] = Received(name, kinds.get(name, ChannelKind.WEBHOOK), title,
                                    str(payload.get("message", "")), headers)  # fmt: skip
    smtp.clear()
    http.clear()
    return [by_channel[c.name] for c in DEMO_CHANNELS if c.name in by_channel
            and c.name not in refused]  # fmt: skip


SMTP_EXTRA = "pip install 'outagecomms[testing]'"
"""How to get the demo's mail sink (aiosmtpd is not part of the core install)."""


def require_smtp_sink() -> None:
    """Raise :class:`ConfigError` saying how to install aiosmtpd when it is missing."""
    import importlib.util

    if importlib.util.find_spec("aiosmtpd") is None:
        raise ConfigError(
            "the demo receives its emails on a local SMTP server, which needs aiosmtpd "
            f"(not in the core install): run `{SMTP_EXTRA}` and try again"
        )


@contextmanager
def demo_project(site: Path) -> Iterator[tuple[Project, SmtpSink, HttpSink]]:
    require_smtp_sink()
    with (
        SmtpSink() as smtp,
        HttpSink() as http,
        tempfile.TemporaryDirectory(prefix="outagecomms-demo-") as tmp,
    ):
        yield write_project(Path(tmp) / "project", smtp, http, site), smtp, http


class DemoClock:
    """The demo's time: it starts now and jumps between steps, so the story has the pace of
    a real incident (25 minutes to find the cause, 50 more to fix it) without waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime.now(UTC)).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, *, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def run_demo(on_step: Callable[[Step], None] | None = None, site: Path | None = None) -> Story:
    """The whole story against local sinks on a simulated clock; ``on_step`` sees each
    step as soon as it is done (the CLI narrates from it). The status page is written
    into ``site`` (default: a new directory that outlives the demo)."""
    from outagecomms.worker import Worker

    site = site or Path(tempfile.mkdtemp(prefix="outagecomms-demo-site-"))
    steps: list[Step] = []

    def record(
        title: str, command: str, report: Report | None, note: str | None = None,
        refused: Collection[str] = (),
    ) -> None:  # fmt: skip
        step = Step(title, command, report, collect(smtp, http, refused), clock.now, note)
        steps.append(step)
        if on_step is not None:
            on_step(step)

    clock = DemoClock()
    with demo_project(site) as (project, smtp, http):
        [approved] = approve(project, [DEMO_RUNBOOK], by=DEMO_APPROVER, note=DEMO_NOTE)
        record(
            "Comms staff approve the runbook (calmly, before any outage)",
            shlex.join(
                ["outagecomms", "approve", DEMO_RUNBOOK, "--by", DEMO_APPROVER, "--note", DEMO_NOTE]
            ),
            None,
            f"runbooks/approvals.lock now binds {DEMO_RUNBOOK} to {approved['sha256'][:19]}…; "
            "declare refuses any other content",
        )
        with Orchestrator.open(project, actor="sam.oncall", timeout=5, clock=clock) as orchestrator:
            worker = Worker(orchestrator, reload_project=False)
            http.behave(f"/{FLAKY_CHANNEL}", status=500)
            report = orchestrator.declare(DEMO_RUNBOOK, variables=DEMO_FACTS)
            incident = report.incident.id
            http.behave(f"/{FLAKY_CHANNEL}")
            record(
                "The on-call declares the incident",
                shlex.join(
                    [
                        "outagecomms",
                        "declare",
                        DEMO_RUNBOOK,
                        *(part for k, v in DEMO_FACTS.items() for part in ("--var", f"{k}={v}")),
                    ]
                ),
                report,
                f"{FLAKY_CHANNEL} answered HTTP 500: it stays queued for the worker; every "
                "other channel already has the message (exit 6)",
                refused=[FLAKY_CHANNEL],
            )
            clock.advance(minutes=1)
            worker.run_once()
            record(
                "The worker retries the channel that failed",
                "outagecomms worker",
                latest(orchestrator, incident),
                f"{FLAKY_CHANNEL} got the same message with the same Idempotency-Key",
            )
            clock.advance(minutes=60)
            worker.run_once()
            record(
                "An hour without news: the worker keeps the promise",
                "outagecomms worker   # the same process, still running",
                latest(orchestrator, incident),
                "no human update was due in time, so the runbook's update went out on its own, "
                "with a new promise",
            )
            clock.advance(minutes=10)
            report = orchestrator.update(
                incident, phase=Phase.IDENTIFIED, variables={"eta": "1-2 hours"}
            )
            record(
                "The cause is found: an update with an estimate range",
                f"outagecomms update {incident} --phase identified --var eta=1-2h",
                report,
            )
            clock.advance(minutes=25)
            report = orchestrator.resolve(incident)
            record("Payments work again: the resolution", f"outagecomms resolve {incident}",
                   report)  # fmt: skip
    return Story(steps, site)


DEMO_APPROVER = "Dana (Comms)"
DEMO_NOTE = "reviewed for the demo"
DEMO_FACTS = {
    "impact": "card payments fail at checkout",
    "impact.fa": "پرداخت با کارت در مرحله تسویه انجام نمی‌شود",
    "workaround": "bank transfer still works and is shown at checkout",
    "workaround.fa": "پرداخت با انتقال بانکی همچنان ممکن است",
}


def latest(orchestrator: Orchestrator, incident: str) -> Report:
    """The incident with the deliveries of its latest message, as a command reports it."""
    detail = orchestrator.show(incident)
    entry = detail.timeline[-1]
    return Report(detail.incident, entry.deliveries, entry.message)
