"""Inbound SMS STOP/START/HELP on ``POST /hooks/sms/twilio``, signed as Twilio signs."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagecomms.audiences.subscriptions import Subscriptions
from outagecomms.project import Project
from outagecomms.service.sms_hooks import twilio_signature
from outagecomms.store import Store
from tests.service.conftest import Client, make_service

TOKEN = "twilio-auth-token"
PUBLIC = "https://incidents.example.com"
NUMBER = "+37120000000"


@pytest.fixture
def client(project_root: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    Subscriptions(Project(project_root), store).add(
        NUMBER, "lv", [], confirmed=True, reason="tests"
    )
    return Client(make_service(project_root, store, public_url=PUBLIC))


def sms(client: Client, body: str, *, signature: str | None = None) -> object:
    params = {"From": NUMBER, "Body": body, "To": "+15550000000"}
    url = f"{PUBLIC}/hooks/sms/twilio"
    signed = signature or twilio_signature(TOKEN, url, params.items())
    return client.post("/hooks/sms/twilio", data=params, headers={"X-Twilio-Signature": signed})


def test_the_signature_follows_twilios_documented_example() -> None:
    # https://www.twilio.com/docs/usage/security#validating-requests
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}  # fmt: skip
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_badly_signed_request_is_refused(client: Client) -> None:
    answer = sms(client, "STOP", signature="bm9wZQ==")
    assert answer.status_code == 403  # type: ignore[attr-defined]


def test_stop_unsubscribes_the_number_and_answers_in_twiml(
    client: Client, project_root: Path, store: Store
) -> None:
    answer = sms(client, " stop ")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "<Response><Message>" in answer.text  # type: ignore[attr-defined]
    [person] = Subscriptions(Project(project_root), store).export(NUMBER)
    assert person["state"] == "unsubscribed"


def test_start_after_stop_subscribes_again(
    client: Client, project_root: Path, store: Store
) -> None:
    sms(client, "STOP")
    sms(client, "START")
    [person] = Subscriptions(Project(project_root), store).export(NUMBER)
    assert person["state"] == "active"


def test_help_says_how_to_stop(client: Client) -> None:
    assert "STOP" in sms(client, "HELP").text  # type: ignore[attr-defined]
