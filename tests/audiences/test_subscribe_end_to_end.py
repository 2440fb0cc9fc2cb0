"""Issue #21's "done when", through a running `serve` under real uvicorn and the local
SMTP sink: subscribe -> confirmation with a link -> confirm -> declare -> the subscriber's
email with List-Unsubscribe -> one-click POST -> the next update is not sent to them. A
subscriber to another component gets nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from outagecomms.service.server import application
from outagecomms.service.tokens import Scope, create_token
from outagecomms.sinks import SmtpSink
from outagecomms.store import Store, open_store
from tests.conftest import REPO
from tests.incidents.conftest import IMPACT, RUNBOOK, write_channel
from tests.service.conftest import free_socket, make_service, wait_ready

LINK = re.compile(r"https?://\S+")


def subscribers_channel(root: Path, smtp: SmtpSink) -> None:
    write_channel(
        root,
        "subscribers-email",
        kind="email",
        audience="subscribers",
        url=f"mailto://{smtp.host}:{smtp.port}?mode=insecure&from=status@example.com&to={{to}}",
        language="en",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, project_root: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{project_root / '.outagecomms' / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture
def served(project_root: Path, database: Store, smtp: SmtpSink) -> Iterator[str]:
    """uvicorn with its worker on 127.0.0.1, its public URL in the project's settings."""
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    (project_root / "outagecomms.toml").write_text(f'public_url = "{url}"\n', encoding="utf-8")
    subscribers_channel(project_root, smtp)
    shutil.copy(REPO / "components.yaml", project_root / "components.yaml")  # payments, login
    service = make_service(project_root, database, public_url=url)  # the stand-in gate
    server = uvicorn.Server(
        uvicorn.Config(application(service, with_worker=True), log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_ready(url)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_a_confirmed_subscriber_hears_of_the_incident_until_one_click_unsubscribe(
    served: str, database: Store, smtp: SmtpSink
) -> None:
    token = create_token(database, "e2e", Scope.DECLARE, by="tests").token
    auth = {"Authorization": f"Bearer {token}"}
    for address, component in (("ana@example.com", "payments"), ("bo@example.com", "login")):
        answer = httpx.post(
            f"{served}/subscribe",
            json={"address": address, "language": "en", "components": [component]},
        )
        assert answer.status_code == 202, answer.text
    confirmations = smtp.wait_for(2)
    for mail in confirmations:
        link = LINK.search(mail.body)
        assert link is not None and link.group().startswith(f"{served}/confirm/")
        assert httpx.get(link.group()).status_code == 200
    smtp.clear()

    declared = httpx.post(  # the payments runbook affects the payments component
        f"{served}/api/v1/incidents",
        json={"runbook": RUNBOOK, "variables": {"impact": IMPACT}},
        headers=auth,
    )
    assert declared.status_code in (200, 201), declared.text
    first = smtp.wait_for(1)[0]
    assert first.to == "ana@example.com"
    header = first.message["List-Unsubscribe"]
    assert str(first.message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    unsubscribe = str(header).strip().strip("<>")
    assert unsubscribe.startswith(f"{served}/unsubscribe/")

    gone = httpx.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert gone.status_code == 200
    smtp.clear()
    incident = declared.json()["incident"]["id"]
    updated = httpx.post(
        f"{served}/api/v1/incidents/{incident}/updates",
        json={"phase": "identified", "variables": {"impact": IMPACT}},
        headers=auth,
    )
    assert updated.status_code == 200, updated.text
    shown = httpx.get(f"{served}/api/v1/incidents/{incident}", headers=auth).json()
    counts = {row["channel"]: row for entry in shown["timeline"] for row in entry["subscribers"]}
    assert counts["subscribers-email"]["queued"] == 0
    declare_counts = shown["timeline"][0]["subscribers"]
    assert declare_counts == [
        {"channel": "subscribers-email", "sent": 1, "queued": 0, "failed": 0, "cancelled": 0}
    ]  # bo follows login only
    assert shown["timeline"][1]["subscribers"] == []  # ana had unsubscribed
    assert smtp.messages == []
