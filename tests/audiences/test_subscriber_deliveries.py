"""Deliveries to subscribers: one each, claimed together by the worker, matched on
language and the incident's components, and cancelled at once by an unsubscribe."""

from __future__ import annotations

import shutil
from pathlib import Path

from outagecomms.audiences.subscriptions import Subscriptions
from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.testing import ApprovalGate, FakeClock, FakeSender
from outagecomms.worker import Worker
from tests.conftest import REPO
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

VARS = {"impact": IMPACT}


def setup(root: Path, store: Store, approvals: ApprovalGate) -> tuple[Orchestrator, FakeSender]:
    shutil.copy(REPO / "components.yaml", root / "components.yaml")
    (root / "outagecomms.toml").write_text('public_url = "https://s.example.com"\n', "utf-8")
    write_channel(root, "subs-sms", kind="sms", audience="subscribers",
                  url="json://127.0.0.1:9/sms?to={to}", language="en")  # fmt: skip
    subs = Subscriptions(Project(root), store)
    for number, lang, components in (
        ("+37120000001", "en", ["payments"]),
        ("+37120000002", "en", []),
        ("+37120000003", "en", ["login"]),
        ("+37120000004", "lv", ["payments"]),
    ):
        subs.add(number, lang, components, confirmed=True, reason="tests")
    sender = FakeSender()
    clock = FakeClock()
    oc = Orchestrator(Project(root), store, clock=clock, sender=sender, gate=approvals)
    return oc, sender


def test_each_matching_subscriber_gets_one_delivery_sent_in_one_worker_pass(
    project_root: Path, store: Store, approvals: ApprovalGate
) -> None:
    oc, sender = setup(project_root, store, approvals)
    oc.declare(RUNBOOK, variables=VARS, channels=["subs-sms"])
    assert sender.sent == []  # subscribers are the worker's
    Worker(oc).run_once()
    assert sorted(i.recipient for i in sender.sent) == ["+37120000001", "+37120000002"]
    assert all(i.body.endswith("Reply STOP to opt out.") for i in sender.sent)
    assert {i.channel.url for i in sender.sent} == {
        "json://127.0.0.1:9/sms?to=+37120000001",
        "json://127.0.0.1:9/sms?to=+37120000002",
    }


def test_stop_cancels_the_queued_delivery_to_that_number(
    project_root: Path, store: Store, approvals: ApprovalGate
) -> None:
    oc, sender = setup(project_root, store, approvals)
    report = oc.declare(RUNBOOK, variables=VARS, channels=["subs-sms"])
    Subscriptions(Project(project_root), store).stop("+37120000001")
    Worker(oc).run_once()
    assert [i.recipient for i in sender.sent] == ["+37120000002"]
    [entry] = oc.show(report.incident.id).timeline
    assert dict(entry.subscribers["subs-sms"]) == {"sent": 1, "cancelled": 1}
