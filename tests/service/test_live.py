"""The issue's "done when", against a real uvicorn on 127.0.0.1 with its embedded worker
and the real local sinks: an Alertmanager payload declares the mapped incident and the
channels receive the approved words; resolved resolves it; a retry changes nothing."""

from __future__ import annotations

import httpx

from outagecomms.sinks import HttpSink, SmtpSink
from tests.service.conftest import Running, Tokens, payload

APPROVED_WORDS = "customers in Europe"


def post(live: Running, name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{live.url}/hooks/alertmanager", json=payload(name), headers=headers)


def test_an_alertmanager_payload_reaches_the_sinks_in_the_approved_words(
    live: Running, tokens: Tokens, routes: object, http: HttpSink, smtp: SmtpSink
) -> None:
    answer = post(live, "alertmanager-firing", tokens.header())
    assert answer.status_code == 202
    assert answer.json()["alerts"][0]["incident"] == "INC-1"
    (status_post,) = http.wait_for(1, path="/status")
    (email,) = smtp.wait_for(1)
    assert APPROVED_WORDS in status_post.text
    assert APPROVED_WORDS in email.body
    assert "psql" not in status_post.text + email.body  # the alert's own text: never
    listed = httpx.get(f"{live.url}/api/v1/incidents", headers=tokens.header("read")).json()
    assert [(i["id"], i["status"]) for i in listed] == [("INC-1", "open")]


def test_the_resolved_payload_resolves_it_and_a_retry_changes_nothing(
    live: Running, tokens: Tokens, routes: object, http: HttpSink
) -> None:
    post(live, "alertmanager-firing", tokens.header())
    http.wait_for(1, path="/status")
    assert (
        post(live, "alertmanager-firing", tokens.header()).json()["alerts"][0]["outcome"]
        == "deduplicated"
    )
    assert post(live, "alertmanager-resolved", tokens.header()).status_code == 202
    resolved = http.wait_for(2, path="/status")[1]
    assert "resolved" in resolved.text.lower()
    retry = post(live, "alertmanager-resolved", tokens.header())
    assert retry.json()["alerts"][0]["outcome"] == "not-open"
    shown = httpx.get(f"{live.url}/api/v1/incidents/INC-1", headers=tokens.header()).json()
    assert shown["status"] == "resolved"
    assert [m["phase"] for m in shown["timeline"]] == ["investigating", "resolved"]


def test_a_hook_without_a_token_is_401_on_the_wire(live: Running, routes: object) -> None:
    response = post(live, "alertmanager-firing")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
