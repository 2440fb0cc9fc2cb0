"""The ``site`` channel kind: the status page is rebuilt from the store after every
message, without apprise, and a failed rebuild fails that channel alone."""

from __future__ import annotations

from pathlib import Path

from outagecomms.counting import measure
from outagecomms.incidents import Orchestrator
from outagecomms.models import ChannelKind, Phase
from outagecomms.project import Project
from outagecomms.store import Store
from tests.incidents.conftest import Approvals, Clock, FakeSender, write_channel
from tests.site.conftest import IMPACT, RUNBOOK


def states(report_deliveries: list[object]) -> dict[str, str]:
    return {d.channel: d.state for d in report_deliveries}  # type: ignore[attr-defined]


def test_declare_publishes_the_site_into_the_channels_directory(
    root: Path, orchestrator: Orchestrator
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert IMPACT in (root / "public" / "index.html").read_text()


def test_every_message_rebuilds_the_site(
    root: Path, orchestrator: Orchestrator, clock: Clock
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    clock.advance(minutes=10)
    orchestrator.update("INC-1", phase=Phase.MONITORING)
    index = (root / "public" / "index.html").read_text()
    assert '<dd class="phase">Monitoring</dd>' in index


def test_site_delivery_is_marked_sent(orchestrator: Orchestrator) -> None:
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    found = states(list(report.deliveries))
    assert (found["status-site"], found["status-site-fa"]) == ("sent", "sent")


def test_site_deliveries_never_go_through_the_sender(
    orchestrator: Orchestrator, sender: FakeSender
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert {item.channel.kind for item in sender.sent} == {ChannelKind.EMAIL, ChannelKind.X,
                                                           ChannelKind.SLACK}  # fmt: skip


def test_persian_site_channel_publishes_a_right_to_left_site(
    root: Path, orchestrator: Orchestrator
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert '<html lang="fa" dir="rtl">' in (root / "public-fa" / "index.html").read_text()


def test_site_channel_url_may_name_an_environment_variable(
    root: Path, store: Store, clock: Clock, sender: FakeSender, tmp_path: Path
) -> None:
    write_channel(root, "status-site", kind="site", url="file://${STATUS_DIR}/www")
    environ = {"STATUS_DIR": str(tmp_path / "served")}
    orchestrator = Orchestrator(
        Project(root), store, clock=clock, sender=sender, gate=Approvals(), actor="a",
        environ=environ,
    )  # fmt: skip
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert (tmp_path / "served" / "www" / "index.html").is_file()


def test_site_channel_with_a_web_url_fails_alone_and_says_why(
    root: Path, store: Store, clock: Clock, sender: FakeSender
) -> None:
    write_channel(root, "status-site", kind="site", url="https://status.example.com/")
    orchestrator = Orchestrator(
        Project(root), store, clock=clock, sender=sender, gate=Approvals(), actor="a"
    )
    report = orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    failed = {d.channel: d.last_error for d in report.deliveries if d.state != "sent"}
    assert list(failed) == ["status-site"]
    assert "a site channel's url is a directory" in (failed["status-site"] or "")


def test_site_channel_has_no_length_limit() -> None:
    assert measure("x" * 100_000, ChannelKind.SITE).limit is None
