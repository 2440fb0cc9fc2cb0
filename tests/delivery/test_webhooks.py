"""Plain JSON webhooks go out through our own keep-alive sender: the same request apprise
would make, without loading apprise, one TCP connection per host for many sends."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from outagecomms.delivery import IDEMPOTENCY_HEADER, send, send_all
from outagecomms.outbox.webhooks import ConnectionPool, WebhookTarget, parse_webhook
from outagecomms.sinks import HttpSink

from .conftest import MakeOutgoing

COMPARED_HEADERS = ("user-agent", "content-type", "idempotency-key", "x-token", "authorization")
APPRISE_ONLY = "method=POST"
"""A query parameter only apprise understands: it sends such a URL itself."""


def _with_auth(http: HttpSink, path: str) -> str:
    return http.url(path).replace("json://", "json://bot:s3cret@", 1)


@pytest.mark.parametrize("query", ["", "?%2BX-Token=abc123"], ids=["plain", "with a custom header"])
def test_our_request_is_the_one_apprise_makes(
    http: HttpSink, outgoing: MakeOutgoing, query: str
) -> None:
    ours = outgoing("ours", _with_auth(http, "/ours") + query, body="Card payments fail.  \n")
    separator = "&" if query else "?"
    theirs = outgoing(
        "ours", _with_auth(http, "/theirs") + query + separator + APPRISE_ONLY,
        body="Card payments fail.  \n",
    )  # fmt: skip
    assert parse_webhook(ours.channel.url) is not None
    assert parse_webhook(theirs.channel.url) is None

    assert send(ours).ok and send(theirs).ok

    mine, apprise_one = sorted(http.wait_for(2), key=lambda r: r.path)
    assert mine.json == apprise_one.json
    assert mine.json["message"] == "Card payments fail."
    for name in COMPARED_HEADERS:
        assert mine.headers.get(name) == apprise_one.headers.get(name), name


def test_a_failing_webhook_says_what_apprise_says(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/down", status=500)

    outcome = send(outgoing("hook", http.url("/down")))

    assert not outcome.ok
    assert outcome.error == (
        "Failed to send JSON POST notification: Internal server error., error=500."
    )


def test_an_unreachable_webhook_is_a_connection_error(
    dead_port: int, outgoing: MakeOutgoing
) -> None:
    outcome = send(outgoing("hook", f"json://127.0.0.1:{dead_port}/x"))

    assert not outcome.ok
    assert outcome.error is not None and "connection error" in outcome.error.lower()


def test_many_sends_to_one_host_share_kept_alive_connections(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    items = [outgoing(f"hook-{n}", http.url(f"/c{n % 3}"), key=str(n)) for n in range(40)]

    outcomes = send_all(items, concurrency=4)

    assert all(o.ok for o in outcomes)
    received = http.wait_for(40)
    assert len({r.headers[IDEMPOTENCY_HEADER.lower()] for r in received}) == 40
    assert http.connections <= 4


def test_a_url_only_apprise_understands_is_left_to_apprise() -> None:
    for url in (
        f"json://example.com/x?{APPRISE_ONLY}",
        "json://example.com/x?:message=text",
        "json://example.com/x?-page=1",
        "json://example.com/x#part",
        "json://example.com/a%20b",
        "form://example.com/x",
    ):
        assert parse_webhook(url) is None, url


def test_a_plain_json_url_is_sent_here() -> None:
    target = parse_webhook("jsons://bot:pw@hooks.example.com:8443/in/status?%2BX-Key=v")

    assert target == WebhookTarget(
        secure=True,
        host="hooks.example.com",
        port=8443,
        path="/in/status",
        user="bot",
        password="pw",
        headers=(("X-Key", "v"),),
    )
    assert target.shown() == "jsons://bot:****@hooks.example.com:8443/in/status"


def test_idle_connections_are_closed_after_a_while(http: HttpSink) -> None:
    now = [0.0]
    pool = ConnectionPool(clock=lambda: now[0])
    target = parse_webhook(http.url("/x"))
    assert target is not None
    request = b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
    with pool.connection(target) as (conn, reused):
        conn.request(request, time.monotonic() + 5)
    assert not reused and pool.idle == 1

    now[0] = 60.0
    with pool.connection(target) as (_conn, reused):
        pass

    assert not reused


def test_sending_to_webhooks_only_never_imports_apprise() -> None:
    code = (
        "import sys\n"
        "from outagecomms.delivery import send_all\n"
        "from outagecomms.sinks import HttpSink\n"
        "from outagecomms.delivery import Outgoing\n"
        "from outagecomms.models import Channel, ChannelKind\n"
        "with HttpSink() as http:\n"
        "    item = Outgoing('1', Channel(name='h', kind=ChannelKind.WEBHOOK,"
        " url=http.url('/h')), 'T', 'B', 'k')\n"
        "    assert send_all([item])[0].ok\n"
        "print('apprise' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
