"""Progress while a slow channel holds a command: "4/5 sent, waiting for customers-email
(8 s)..." on stderr, so the on-call knows what is being waited for."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import yaml

from outagecomms.delivery import Outcome, Outgoing
from outagecomms.models import Channel
from outagecomms.progress import FanoutProgress
from outagecomms.scaffold import init_project
from outagecomms.sinks import HttpSink


def outgoing(name: str) -> Outgoing:
    channel = Channel(name=name, kind="webhook", url="json://127.0.0.1:9/")
    return Outgoing(key=name, channel=channel, title=None, body="text", idempotency_key=name)


def test_the_line_counts_what_is_sent_and_names_what_is_awaited() -> None:
    now = [100.0]
    progress = FanoutProgress(io.StringIO(), clock=lambda: now[0])
    progress.start([outgoing(n) for n in ("a", "b", "c", "d", "customers-email")])
    for name in ("a", "b", "c", "d"):
        progress.done(Outcome(name, True, None, 0.1))
    now[0] += 8
    assert progress.line() == "outagecomms: 4/5 sent, waiting for customers-email (8 s)..."
    progress.finish()


def test_failed_channels_are_counted_apart() -> None:
    progress = FanoutProgress(io.StringIO(), clock=lambda: 0.0)
    progress.start([outgoing("a"), outgoing("b"), outgoing("slow")])
    progress.done(Outcome("a", True, None, 0.1))
    progress.done(Outcome("b", False, "HTTP 500", 0.1))
    assert progress.line() == "outagecomms: 1/3 sent, 1 failed, waiting for slow (0 s)..."
    progress.finish()


def test_nothing_is_printed_when_all_are_done() -> None:
    progress = FanoutProgress(io.StringIO())
    progress.start([outgoing("a")])
    progress.done(Outcome("a", True, None, 0.1))
    assert progress.line() is None
    progress.finish()


def test_a_declare_held_by_a_slow_channel_says_what_it_waits_for(tmp_path: Path) -> None:
    root = tmp_path / "p"
    init_project(root)
    with HttpSink() as http:
        http.hold("/slow")
        for name, path in (("fast-hook", "/fast"), ("slow-hook", "/slow")):
            data = {"name": name, "kind": "webhook", "url": http.url(path)}
            (root / "channels" / f"{name}.yaml").write_text(yaml.safe_dump(data))
        env = {**os.environ, "OUTAGECOMMS_PROJECT": str(root), "OUTAGECOMMS_LOG_LEVEL": "error"}
        cli = [str(Path(sys.executable).parent / "outagecomms"), "declare", "service-disruption",
               "--var", "impact=some pages do not load", "--unapproved", "--reason", "test",
               "--timeout", "30"]  # fmt: skip
        with subprocess.Popen(cli, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) as process:  # fmt: skip
            assert process.stderr is not None
            seen = []
            for line in process.stderr:
                seen.append(line)
                if "waiting for slow-hook" in line:
                    http.release("/slow")
                    break
            process.communicate(timeout=30)
        assert any("sent, waiting for slow-hook (" in line for line in seen), seen
        assert process.returncode == 0
