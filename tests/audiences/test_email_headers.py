"""Email that mail clients treat well, on every email channel (parsed from what the local
SMTP sink received with Python's ``email`` package), and one delivery per recipient of a
``to=`` list."""

from __future__ import annotations

from pathlib import Path

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.sinks import SmtpSink
from outagecomms.store import Store
from outagecomms.testing import ApprovalGate, FakeClock
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

VARS = {"impact": IMPACT}


def orchestrator(root: Path, store: Store, approvals: ApprovalGate) -> Orchestrator:
    return Orchestrator(
        Project(root), store, clock=FakeClock(), gate=approvals, actor="alice", timeout=5
    )


def test_a_persian_email_has_a_right_to_left_html_part_beside_the_text(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(
        project_root, "mail-fa", kind="email", language="fa", url=smtp.url("c@example.com")
    )
    orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
    [mail] = smtp.wait_for(1)
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    assert mail.html is not None and 'lang="fa" dir="rtl"' in mail.html
    assert "<img" not in mail.html
    assert mail.body.splitlines()[0] in mail.html
    assert message["Content-Language"] == "fa"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None  # not a subscribers channel


def test_the_from_header_carries_the_sender_setting_as_its_display_name(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    (project_root / "outagecomms.toml").write_text('sender = "Acme Status"\n', encoding="utf-8")
    write_channel(project_root, "mail", kind="email", url=smtp.url("c@example.com"))
    orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
    [mail] = smtp.wait_for(1)
    assert mail.message["From"] == "Acme Status <outagecomms@example.com>"


def test_updates_thread_under_the_incidents_first_email(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url("c@example.com"))
    oc = orchestrator(project_root, store, approvals)
    report = oc.declare(RUNBOOK, variables=VARS)
    oc.update(report.incident.id, phase=Phase.IDENTIFIED, variables=VARS)
    first, second = smtp.wait_for(2)
    root = first.message["Message-ID"]
    assert root and root != second.message["Message-ID"]
    assert second.message["In-Reply-To"] == root
    assert second.message["References"] == root


def test_each_address_of_a_to_list_is_a_delivery_of_its_own(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url("a@example.com,b@example.com"))
    report = orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
    assert [(d.channel, d.state) for d in report.deliveries] == [("mail", "sent")] * 2
    received = sorted(m.to for m in smtp.wait_for(2))
    assert received == ["a@example.com", "b@example.com"]


def test_a_dead_smtp_server_is_a_one_line_failure_naming_the_fix(
    project_root: Path, store: Store, approvals: ApprovalGate
) -> None:
    from outagecomms.sinks import closed_port

    with closed_port() as port:
        url = f"mailto://127.0.0.1:{port}?mode=insecure&from=s@example.com&to=c@example.com"
        write_channel(project_root, "mail", kind="email", url=url)
        report = orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
    [delivery] = report.deliveries
    assert delivery.state == "retry"
    assert delivery.last_error is not None and "connection refused" in delivery.last_error
    assert "\n" not in delivery.last_error
