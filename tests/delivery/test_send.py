"""Sending through apprise to real local servers: what arrives, and how failures stay alone."""

from __future__ import annotations

import logging
import threading

import pytest
import structlog

from outagecomms.delivery import IDEMPOTENCY_HEADER, Outcome, send, send_all
from outagecomms.models import ChannelKind
from outagecomms.sinks import HttpSink, SmtpSink

from .conftest import MakeOutgoing

PERSIAN_SUBJECT = "اختلال در پرداخت‌های آنلاین"
PERSIAN_BODY = (
    "در حال حاضر پرداخت با کارت در مرحلهٔ تسویه ناموفق است.\n"
    "در حال رسیدگی هستیم. به‌روزرسانی بعدی تا ساعت ۱۴:۳۰.\n\n"
    "وضعیت: https://status.example.com"
)


def in_background(work: threading.Thread) -> threading.Thread:
    work.daemon = True
    work.start()
    return work


# --------------------------------------------------------------------------- what arrives


def test_email_arrives_with_exact_persian_subject_and_body(
    smtp: SmtpSink, outgoing: MakeOutgoing
) -> None:
    item = outgoing(
        "customers-email",
        smtp.url(to="customers@example.com"),
        kind=ChannelKind.EMAIL,
        title=PERSIAN_SUBJECT,
        body=PERSIAN_BODY,
    )

    outcome = send(item)

    assert outcome == Outcome(item.key, True, None, outcome.elapsed)
    [mail] = smtp.wait_for(1)
    assert mail.subject == PERSIAN_SUBJECT
    assert mail.body == PERSIAN_BODY
    assert mail.envelope_to == ("customers@example.com",)


def test_long_persian_subject_survives_header_folding(
    smtp: SmtpSink, outgoing: MakeOutgoing
) -> None:
    subject = " ".join([PERSIAN_SUBJECT] * 5)

    send(outgoing("customers-email", smtp.url(), kind=ChannelKind.EMAIL, title=subject))

    [mail] = smtp.wait_for(1)
    assert mail.subject == subject


def test_email_body_is_plain_text_only(smtp: SmtpSink, outgoing: MakeOutgoing) -> None:
    send(outgoing("customers-email", smtp.url(), kind=ChannelKind.EMAIL, body="a <b>c</b>"))

    [mail] = smtp.wait_for(1)
    assert mail.html is None
    assert mail.body == "a <b>c</b>"


def test_json_arrives_with_exact_title_and_body(http: HttpSink, outgoing: MakeOutgoing) -> None:
    item = outgoing("partners-hook", http.url("/hooks/status"), body=PERSIAN_BODY)

    assert send(item).ok

    [request] = http.wait_for(1, path="/hooks/status")
    assert request.method == "POST"
    assert request.json["title"] == "Payments failing"
    assert request.json["message"] == PERSIAN_BODY


def test_json_carries_the_idempotency_key_header(http: HttpSink, outgoing: MakeOutgoing) -> None:
    item = outgoing("partners-hook", http.url("/hooks/status"), key="delivery-42")

    send(item)

    [request] = http.wait_for(1)
    assert request.header(IDEMPOTENCY_HEADER) == "idem-delivery-42"


def test_idempotency_key_replaces_one_written_in_the_url(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    item = outgoing("partners-hook", http.url("/h") + "?+idempotency-key=stale", key="fresh")

    send(item)

    [request] = http.wait_for(1)
    assert request.header(IDEMPOTENCY_HEADER) == "idem-fresh"


def test_untitled_kind_sends_only_its_body(http: HttpSink, outgoing: MakeOutgoing) -> None:
    item = outgoing("tweets", http.url("/x"), kind=ChannelKind.X, title=None, body="Short text")

    send(item)

    [request] = http.wait_for(1)
    assert request.json["message"] == "Short text"
    assert request.json["title"] == ""


def test_long_text_is_sent_whole_never_split_or_truncated(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    body = "\n".join(f"line {n}: " + " ".join(["سلام"] * 20) for n in range(400))
    assert len(body) > 32768  # apprise's default body limit

    assert send(outgoing("archive-hook", http.url("/archive"), body=body)).ok

    requests = http.wait_for(1)
    assert len(requests) == 1
    assert requests[0].json["message"] == body


# --------------------------------------------------------------------------- failures stay alone


def test_server_error_fails_that_channel_alone(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/broken", status=500)
    items = [
        outgoing("first", http.url("/ok-1")),
        outgoing("broken", http.url("/broken")),
        outgoing("last", http.url("/ok-2")),
    ]

    outcomes = send_all(items)

    assert [(o.key, o.ok) for o in outcomes] == [("first", True), ("broken", False), ("last", True)]
    assert outcomes[1].error is not None
    assert "500" in outcomes[1].error


def test_channel_succeeds_again_once_its_server_recovers(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    item = outgoing("flaky", http.url("/flaky"))
    http.behave("/flaky", status=503)
    assert not send(item).ok

    http.behave("/flaky")

    assert send(item).ok


def test_closed_port_fails_that_channel_alone(
    http: HttpSink, dead_port: int, outgoing: MakeOutgoing
) -> None:
    items = [
        outgoing("dead", f"json://127.0.0.1:{dead_port}/hook"),
        outgoing("alive", http.url("/alive")),
    ]

    dead, alive = send_all(items)

    assert not dead.ok
    assert dead.error is not None
    assert "connection error" in dead.error.lower()
    assert alive.ok


def test_closed_smtp_port_fails_the_email(dead_port: int, outgoing: MakeOutgoing) -> None:
    url = f"mailto://127.0.0.1:{dead_port}?mode=insecure&from=a@example.com&to=b@example.com"

    outcome = send(outgoing("mail", url, kind=ChannelKind.EMAIL))

    assert not outcome.ok
    assert outcome.error


def test_unusable_url_is_a_failed_outcome(outgoing: MakeOutgoing) -> None:
    outcome = send(outgoing("typo", "nosuchscheme://host/path"))

    assert not outcome.ok
    assert outcome.error is not None
    assert "not a usable apprise URL" in outcome.error


def test_slow_channel_times_out_with_its_deadline(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/slow", delay=60)  # far beyond the timeout; the sink ends it on close

    outcome = send(outgoing("slow", http.url("/slow")), timeout=0.5)

    assert not outcome.ok
    assert outcome.error == "timed out after 0.5s"
    http.wait_for(1, path="/slow")  # it did reach the server: the deadline, not a refusal


def test_slow_channel_times_out_alone(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/slow", delay=60)
    items = [outgoing("fast-1", http.url("/fast-1")), outgoing("slow", http.url("/slow"))]
    items.append(outgoing("fast-2", http.url("/fast-2")))

    outcomes = send_all(items, timeout=0.5)

    assert [(o.ok, o.error) for o in outcomes] == [
        (True, None),
        (False, "timed out after 0.5s"),
        (True, None),
    ]


def test_held_channel_does_not_delay_the_others(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.hold("/slow")
    items = [outgoing("slow", http.url("/slow"))]
    items += [outgoing(f"fast-{n}", http.url(f"/fast-{n}")) for n in range(5)]
    results: list[Outcome] = []
    worker = in_background(threading.Thread(target=lambda: results.extend(send_all(items))))

    http.wait_for(1, path="/slow")
    for n in range(5):
        http.wait_answered(1, path=f"/fast-{n}")  # answered while /slow is still held
    assert http.in_flight == 1
    assert not results

    http.release("/slow")
    worker.join(timeout=30)
    assert [o.ok for o in results] == [True] * 6


def test_twenty_channels_are_in_flight_at_once(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/latency", delay=0.2)
    http.hold("/latency")  # held until 16 are in flight, then 200 ms each
    items = [outgoing(f"channel-{n}", http.url("/latency")) for n in range(20)]
    results: list[Outcome] = []
    worker = in_background(
        threading.Thread(target=lambda: results.extend(send_all(items, concurrency=16)))
    )

    http.wait_in_flight(16)
    http.release("/latency")
    worker.join(timeout=30)

    assert http.max_in_flight == 16
    assert [o.ok for o in results] == [True] * 20


def test_fan_out_never_exceeds_its_concurrency(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.hold("/bounded")
    items = [outgoing(f"channel-{n}", http.url("/bounded")) for n in range(10)]
    worker = in_background(threading.Thread(target=lambda: send_all(items, concurrency=3)))

    http.wait_in_flight(3)
    http.release("/bounded")
    worker.join(timeout=30)

    assert http.max_in_flight == 3
    assert len(http.requests) == 10


def test_outcomes_come_back_in_input_order(http: HttpSink, outgoing: MakeOutgoing) -> None:
    http.behave("/first", delay=0.3)  # finishes last
    items = [outgoing(f"c-{n}", http.url("/first" if n == 0 else f"/n{n}")) for n in range(6)]

    outcomes = send_all(items)

    assert [o.key for o in outcomes] == [item.key for item in items]


def test_send_all_of_nothing_is_nothing() -> None:
    assert send_all([]) == []


# --------------------------------------------------------------------------- environment


def test_missing_variable_is_a_failed_outcome_naming_channel_and_variable(
    outgoing: MakeOutgoing,
) -> None:
    outcome = send(outgoing("ops-chat", "json://${OPS_HOOK_HOST}/hook"), environ={})

    assert not outcome.ok
    assert outcome.error is not None
    assert "OPS_HOOK_HOST" in outcome.error
    assert "ops-chat" in outcome.error


def test_missing_variable_does_not_stop_the_other_channels(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    items = [outgoing("ops-chat", "json://${OPS_HOOK_HOST}/hook"), outgoing("ok", http.url("/ok"))]

    missing, sent = send_all(items, environ={})

    assert not missing.ok
    assert sent.ok


def test_variable_is_read_from_the_given_environment(
    http: HttpSink, outgoing: MakeOutgoing
) -> None:
    item = outgoing("ops-chat", "json://${HOOK_HOST}/from-env")

    outcome = send(item, environ={"HOOK_HOST": f"127.0.0.1:{http.port}"})

    assert outcome.ok
    http.wait_for(1, path="/from-env")


# --------------------------------------------------------------------------- secrets

FAKE_PASSWORD = "hunter2-Zq8vX"
FAKE_TOKEN = "tok-9f8e7d6c5b4a"


def test_no_secret_appears_in_errors_or_logs(
    dead_port: int,
    http: HttpSink,
    outgoing: MakeOutgoing,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http.behave("/denied", status=401)
    items = [
        outgoing(
            "literal", f"json://ops:{FAKE_PASSWORD}@127.0.0.1:{dead_port}/h?token={FAKE_TOKEN}"
        ),
        outgoing("from-env", "json://ops:${HOOK_PASSWORD}@127.0.0.1:" + f"{dead_port}/h"),
        outgoing("denied", f"json://ops:{FAKE_PASSWORD}@127.0.0.1:{http.port}/denied"),
        outgoing("email", f"mailto://ops:{FAKE_PASSWORD}@127.0.0.1:{dead_port}?to=a@example.com"),
        outgoing("missing", "json://ops:${UNSET_PASSWORD}@127.0.0.1/h"),
        outgoing("typo", f"jsonn://ops:{FAKE_PASSWORD}@127.0.0.1/h"),
        outgoing("header", f"json://127.0.0.1:{dead_port}/h?+Authorization=Bearer%20{FAKE_TOKEN}"),
    ]
    caplog.set_level(logging.DEBUG)

    with structlog.testing.capture_logs() as events:
        outcomes = send_all(items, environ={"HOOK_PASSWORD": FAKE_PASSWORD})

    assert not any(o.ok for o in outcomes)
    shown = " ".join(str(o.error) for o in outcomes) + repr(events) + caplog.text
    assert FAKE_PASSWORD not in shown
    assert FAKE_TOKEN not in shown
    assert [e["event"] for e in events] == ["delivery.failed"] * 7


def test_failure_logs_name_the_channel_without_its_secret(
    dead_port: int, outgoing: MakeOutgoing
) -> None:
    item = outgoing("literal", f"json://ops:{FAKE_PASSWORD}@127.0.0.1:{dead_port}/h")

    with structlog.testing.capture_logs() as events:
        send(item)

    [event] = events
    assert event["channel"] == "literal"
    assert event["delivery"] == "literal"
    assert FAKE_PASSWORD not in event["target"]


def test_success_is_logged_at_info(http: HttpSink, outgoing: MakeOutgoing) -> None:
    with structlog.testing.capture_logs() as events:
        send(outgoing("hook", http.url("/ok")))

    assert [(e["event"], e["log_level"]) for e in events] == [("delivery.sent", "info")]


def test_every_secret_of_the_url_is_masked_out_of_captured_text() -> None:
    import apprise

    from outagecomms.delivery import _scrub, _secrets

    url = f"tgram://123456789:{FAKE_TOKEN}/-100200300?from=ops:{FAKE_PASSWORD}"
    plugin = apprise.Apprise.instantiate(url)
    captured = f"could not reach {url} with token {FAKE_TOKEN}\nand {FAKE_PASSWORD}"

    masked = _scrub(captured, _secrets(url, plugin, [FAKE_PASSWORD]))

    assert FAKE_TOKEN not in masked
    assert FAKE_PASSWORD not in masked
    assert "\n" not in masked


def test_the_first_concurrent_sends_of_a_process_keep_their_failure_reasons(
    http: HttpSink,
) -> None:
    """A fresh process (as every CLI run is) fans out before apprise has loaded anything."""
    import subprocess
    import sys
    import textwrap

    http.behave("/broken", status=500)
    script = textwrap.dedent(
        f"""
        from outagecomms.delivery import Outgoing, send_all
        from outagecomms.models import Channel
        items = [
            Outgoing(str(n), Channel(name=f"c{{n}}", kind="webhook", url=url), None, "hi", str(n))
            for n, url in enumerate([{http.url("/ok")!r}, {http.url("/broken")!r}] * 3)
        ]
        for outcome in send_all(items):
            print(outcome.ok, outcome.error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    failures = [line for line in result.stdout.splitlines() if line.startswith("False")]
    assert len(failures) == 3
    assert all("500" in line for line in failures), result.stdout
