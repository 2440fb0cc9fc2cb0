"""The local sinks themselves: they record, wait and misbehave as asked."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from outagecomms.sinks import HttpSink, SinkTimeout, SmtpSink, closed_port


def post(url: str, data: bytes = b"{}") -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_http_sink_records_method_path_headers_and_json(http: HttpSink) -> None:
    post(f"http://127.0.0.1:{http.port}/hooks/a?x=1", b'{"message": "\xd8\xb3"}')

    [request] = http.wait_for(1)
    assert (request.method, request.path, request.query) == ("POST", "/hooks/a", "x=1")
    assert request.header("Content-Type") == "application/json"
    assert request.json == {"message": "س"}


def test_http_sink_answers_the_status_it_is_told(http: HttpSink) -> None:
    http.behave("/down", status=500)

    assert post(f"http://127.0.0.1:{http.port}/down") == 500
    assert post(f"http://127.0.0.1:{http.port}/up") == 200


def test_http_sink_goes_back_to_ok(http: HttpSink) -> None:
    http.behave("/flaky", status=503)
    http.behave("/flaky")

    assert post(f"http://127.0.0.1:{http.port}/flaky") == 200


def test_http_sink_wait_gives_up_after_its_timeout(http: HttpSink) -> None:
    with pytest.raises(SinkTimeout, match="got 0"):
        http.wait_for(1, timeout=0.05)


def test_http_sink_url_is_an_apprise_json_url(http: HttpSink) -> None:
    assert http.url("/a/b") == f"json://127.0.0.1:{http.port}/a/b"
    assert http.url("c", kind="form") == f"form://127.0.0.1:{http.port}/c"


def test_smtp_sink_wait_gives_up_after_its_timeout(smtp: SmtpSink) -> None:
    with pytest.raises(SinkTimeout, match="emails"):
        smtp.wait_for(1, timeout=0.05)


def test_closed_port_refuses_connections() -> None:
    with closed_port() as port, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_smtp_sink_without_keeping_counts_what_it_received() -> None:
    import smtplib

    with SmtpSink(keep=False) as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
            for number in range(3):
                client.sendmail("s@example.com", [f"r{number}@example.com"], b"Subject: x\r\n\r\nx")
        assert (sink.count, sink.sessions, sink.messages) == (3, 1, [])
