"""One message's subscriber emails share what every recipient gets (subject, From, both
bodies above the unsubscribe line) and differ only in what is each recipient's own (To,
Message-ID, threading, List-Unsubscribe and the unsubscribe line); the emails built from
kept, pre-folded headers are the bytes :mod:`email`'s own API makes (but the random MIME
boundary)."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from pathlib import Path

import pytest

from outagecomms.audiences.subscriptions import Subscriptions
from outagecomms.audiences.words import UNSUBSCRIBE_LINE
from outagecomms.incidents import Orchestrator
from outagecomms.outbox.email_message import EmailParts, build_email, reference_email
from outagecomms.project import Project
from outagecomms.sinks import SmtpSink
from outagecomms.store import Store
from outagecomms.testing import ApprovalGate, FakeClock
from outagecomms.testing.smtp_sink import ReceivedEmail
from outagecomms.worker import Worker
from tests.conftest import REPO
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel

SUBSCRIBERS = ("ana@example.org", "ben@example.org")
SEPARATOR = "\n--\n"


def two_subscribers_emailed(
    root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> list[ReceivedEmail]:
    shutil.copy(REPO / "components.yaml", root / "components.yaml")
    (root / "outagecomms.toml").write_text('public_url = "https://s.example.com"\n', "utf-8")
    write_channel(
        root,
        "subscribers-email",
        kind="email",
        audience="subscribers",
        url=f"mailto://{smtp.host}:{smtp.port}?mode=insecure&from=status@example.com&to={{to}}",
        language="en",
    )
    subs = Subscriptions(Project(root), store)
    for address in SUBSCRIBERS:
        subs.add(address, "en", [], confirmed=True, reason="tests")
    oc = Orchestrator(Project(root), store, clock=FakeClock(), gate=approvals, timeout=5)
    oc.declare(RUNBOOK, variables={"impact": IMPACT}, channels=["subscribers-email"])
    Worker(oc).run_once()
    mails = smtp.wait_for(2)
    return sorted(mails, key=lambda m: str(m.message["To"]))


def test_two_subscribers_of_one_message_get_the_same_words_under_their_own_headers(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    ana, ben = two_subscribers_emailed(project_root, store, smtp, approvals)
    assert [str(ana.message["To"]), str(ben.message["To"])] == list(SUBSCRIBERS)
    assert ana.message["Subject"] == ben.message["Subject"]
    assert ana.message["From"] == ben.message["From"]
    assert ana.body.split(SEPARATOR)[0] == ben.body.split(SEPARATOR)[0]
    assert ana.html is not None and ben.html is not None
    assert ana.html.split("<p>--<br>")[0] == ben.html.split("<p>--<br>")[0]
    assert ana.message["Message-ID"] != ben.message["Message-ID"]
    assert ana.message["List-Unsubscribe"] != ben.message["List-Unsubscribe"]


def test_each_subscribers_unsubscribe_line_carries_their_own_link(
    project_root: Path, store: Store, smtp: SmtpSink, approvals: ApprovalGate
) -> None:
    for mail in two_subscribers_emailed(project_root, store, smtp, approvals):
        link = str(mail.message["List-Unsubscribe"]).strip().strip("<>")
        assert link.startswith("https://s.example.com/unsubscribe/")
        assert mail.body.split(SEPARATOR)[1].rstrip().endswith(link)
        assert mail.html is not None and link in mail.html


def flattened(message: EmailMessage) -> bytes:
    """The bytes as the SMTP session writes them, the random boundary masked."""
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy).flatten(message, linesep="\r\n")
    return re.sub(rb"={15}\d{19}==", b"BOUNDARY", out.getvalue())


def parts(lang: str = "en", **changes: object) -> EmailParts:
    link = "https://status.example.com/unsubscribe/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    fields: dict[str, object] = {
        "subject": "Investigating: card payments failing",
        "body": "We are investigating failed card payments.\n\nNext update within 30 minutes.",
        "lang": lang,
        "from_addr": "status@example.com",
        "to": ["ana@example.org"],
        "display_name": "Example Status",
        "message_id": "<INC-7.2.0123456789abcdef@example.com>",
        "thread_root": "<INC-7.1.0123456789abcdef@example.com>",
        "unsubscribe_url": link,
        "unsubscribe_line": UNSUBSCRIBE_LINE[lang].format(link=link),
        "date": datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return EmailParts(**fields)  # type: ignore[arg-type]


CASES = {
    "a subscriber's email (quoted-printable: the unsubscribe line is long)": parts(),
    "a Persian one (right to left, base64)": parts("fa", body="در حال بررسی هستیم.\n\nبه‌زودی."),
    "a Latvian one with a non-ASCII display name (RFC 2047)": parts(
        "lv", display_name="Statusa lapa — Rīga", subject="Maksājumi neizdodas"
    ),
    "a Ukrainian subject long enough to fold": parts("uk", subject="Платежі не проходять " * 6),
    "a short ASCII body (7bit) to a channel's list, no threading": parts(
        to=["oncall@example.com", "Ops <ops@example.com>"],
        cc=["cc@example.com"],
        message_id=None,
        thread_root=None,
        unsubscribe_url=None,
        unsubscribe_line=None,
        body="Short.",
    ),
    "more than ten long lines, an unsubscribe link long enough to fold its header": parts(
        body="\n".join(f"line {i}: " + "x" * 80 for i in range(14)),
        unsubscribe_url="https://status.example.com/unsubscribe/" + "t" * 60,
    ),
    "a display name that needs quoting, a naive date": parts(
        display_name="Acme, Inc.", date=datetime(2026, 1, 1)
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_an_email_built_from_kept_headers_is_the_bytes_emails_own_api_makes(
    case: EmailParts,
) -> None:
    assert flattened(build_email(case)) == flattened(reference_email(case))


def test_recipients_of_one_message_share_one_boundary_that_is_in_neither_body() -> None:
    ana = build_email(parts(to=["ana@example.org"]))
    ben = build_email(parts(to=["ben@example.org"]))
    boundary = ana.get_boundary()
    assert boundary is not None and boundary == ben.get_boundary()
    assert all(boundary not in str(p.get_payload()) for p in ana.iter_parts())
