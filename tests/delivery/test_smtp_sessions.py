"""SMTP sessions kept open (outbox/smtp_sessions.py), against the real local SMTP sink,
which counts the sessions it served: a batch's emails go through one session, the next
batch takes it again, a session the server dropped is reopened, and a recipient the
server refuses fails that delivery alone."""

from __future__ import annotations

from pathlib import Path

from outagecomms.models import Phase
from outagecomms.outbox.smtp_sessions import SESSIONS
from outagecomms.sinks import SmtpSink
from outagecomms.store import Store
from outagecomms.testing import ApprovalGate
from tests.audiences.test_email_headers import orchestrator
from tests.incidents import conftest as incidents_fixtures
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

# the fixtures shared with tests/incidents/ (named, not star-imported)
approvals = incidents_fixtures.approvals
clock = incidents_fixtures.clock
project_root = incidents_fixtures.project_root
smtp = incidents_fixtures.smtp
store = incidents_fixtures.store

VARS = {"impact": IMPACT}
THREE = "a@example.com,b@example.com,c@example.com"


def test_the_emails_of_one_batch_go_through_one_session(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url(THREE))
    report = orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
    assert [d.state for d in report.deliveries] == ["sent"] * 3
    assert sorted(m.to for m in smtp.wait_for(3)) == THREE.split(",")
    assert smtp.sessions == 1


def test_the_next_batch_takes_the_session_kept_open(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url("a@example.com"))
    oc = orchestrator(project_root, store, approvals)
    report = oc.declare(RUNBOOK, variables=VARS)
    oc.update(report.incident.id, phase=Phase.IDENTIFIED, variables=VARS)
    first, second = smtp.wait_for(2)
    assert first.session == second.session == 1
    assert smtp.sessions == 1


def test_a_session_the_server_dropped_is_reopened_and_the_email_sent(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url("a@example.com"))
    oc = orchestrator(project_root, store, approvals)
    report = oc.declare(RUNBOOK, variables=VARS)
    assert smtp.drop_sessions() == 1  # the session kept open since the declare
    updated = oc.update(report.incident.id, phase=Phase.IDENTIFIED, variables=VARS)
    assert [d.state for d in updated.deliveries] == ["sent"]
    assert len(smtp.wait_for(2)) == 2
    assert smtp.sessions == 2


def test_a_refused_recipient_fails_its_own_delivery_only(
    project_root: Path, store: Store, approvals: ApprovalGate
) -> None:
    with SmtpSink(reject={"b@example.com"}) as smtp:
        write_channel(project_root, "mail", kind="email", url=smtp.url(THREE))
        report = orchestrator(project_root, store, approvals).declare(RUNBOOK, variables=VARS)
        by_recipient = {d.recipient: d for d in report.deliveries}
        assert by_recipient["b@example.com"].state == "retry"
        error = by_recipient["b@example.com"].last_error or ""
        assert "refused the recipient b@example.com (550" in error and "\n" not in error
        assert by_recipient["a@example.com"].state == by_recipient["c@example.com"].state == "sent"
        assert sorted(m.to for m in smtp.wait_for(2)) == ["a@example.com", "c@example.com"]
        assert smtp.sessions == 1  # RSET after the refusal, and the session went on


def test_after_closing_the_sessions_the_next_email_opens_a_new_one(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    write_channel(project_root, "mail", kind="email", url=smtp.url("a@example.com"))
    oc = orchestrator(project_root, store, approvals)
    report = oc.declare(RUNBOOK, variables=VARS)
    assert SESSIONS.idle >= 1
    SESSIONS.close()  # what the end of the process (a worker's stop) does
    assert SESSIONS.idle == 0
    oc.update(report.incident.id, phase=Phase.IDENTIFIED, variables=VARS)
    assert [m.session for m in smtp.wait_for(2)] == [1, 2]
