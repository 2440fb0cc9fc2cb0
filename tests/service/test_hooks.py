"""Alert intake (product-spec §11): each source's documented payload, mapped by
routes.yaml to the approved runbook; never the alert's own text to a customer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.service.context import Service
from outagecomms.store import Store
from outagecomms.store import service_records as records
from outagecomms.worker import Worker
from tests.incidents.conftest import RUNBOOK, Approvals, FakeSender
from tests.service.conftest import Client, Tokens, payload

FREE_TEXT = ("37%", "psql", "FATAL", "free text", "checkout-7f9c", "0.37")


def hook(client: Client, tokens: Tokens, source: str, name: str, **options: Any) -> Any:
    response = client.post(f"/hooks/{source}", json=payload(name), headers=tokens.header())
    assert response.status_code == 202, response.text
    return response.json()


def run_worker(service: Service) -> None:
    Worker(service.orchestrator("outagecomms worker")).run_once()


def show(service: Service, ref: str = "INC-1") -> dict[str, Any]:
    return service.orchestrator("test").show(ref).as_json()


@pytest.fixture(autouse=True)
def _routes(routes: object) -> None:
    """Every test here has the example routes.yaml."""


def test_an_alertmanager_alert_declares_the_mapped_runbook(
    client: Client, tokens: Tokens, service: Service
) -> None:
    answer = hook(client, tokens, "alertmanager", "alertmanager-firing")
    assert answer["alerts"] == [
        {
            "dedupe_key": payload("alertmanager-firing")["groupKey"],
            "status": "firing",
            "outcome": "declared",
            "incident": "INC-1",
            "route": "payments",
            "reason": None,
        }
    ]
    detail = show(service)
    assert detail["runbook"] == RUNBOOK
    assert detail["severity"] == "critical"  # severity=page -> critical
    assert detail["variables"]["scope.en"] == "customers in Europe"


def test_the_hook_leaves_the_sending_to_the_worker(
    client: Client, tokens: Tokens, service: Service, sender: FakeSender
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    assert sender.batches == []  # answered before any send
    deliveries = show(service)["timeline"][0]["deliveries"]
    assert {d["state"] for d in deliveries} == {"queued"}
    run_worker(service)
    assert {d["state"] for d in show(service)["timeline"][0]["deliveries"]} == {"sent"}


def test_no_free_alert_text_reaches_any_channel(
    client: Client, tokens: Tokens, service: Service, sender: FakeSender
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    run_worker(service)
    for item in sender.sent:
        for text in FREE_TEXT:
            assert text not in item.body and text not in (item.title or "")


def test_a_retried_firing_payload_changes_nothing(
    client: Client, tokens: Tokens, service: Service
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    before = show(service)["timeline"]
    again = hook(client, tokens, "alertmanager", "alertmanager-firing")
    assert again["alerts"][0]["outcome"] == "deduplicated"
    assert again["alerts"][0]["incident"] == "INC-1"
    assert show(service)["timeline"] == before
    assert [i.incident.id for i in service.orchestrator("t").status(include_resolved=True)] == [
        "INC-1"
    ]


def test_the_resolved_payload_resolves_the_incident(
    client: Client, tokens: Tokens, service: Service
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    answer = hook(client, tokens, "alertmanager", "alertmanager-resolved")
    assert answer["alerts"][0]["outcome"] == "resolved"
    detail = show(service)
    assert detail["status"] == "resolved"
    assert [m["phase"] for m in detail["timeline"]] == ["investigating", "resolved"]


def test_a_retried_resolved_payload_changes_nothing(
    client: Client, tokens: Tokens, service: Service
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    hook(client, tokens, "alertmanager", "alertmanager-resolved")
    again = hook(client, tokens, "alertmanager", "alertmanager-resolved")
    assert again["alerts"][0]["outcome"] == "not-open"
    assert len(show(service)["timeline"]) == 2


def test_a_resolved_alert_without_an_incident_sends_nothing(
    client: Client, tokens: Tokens, sender: FakeSender
) -> None:
    answer = hook(client, tokens, "alertmanager", "alertmanager-resolved")
    assert answer["alerts"][0] == {**answer["alerts"][0], "outcome": "not-open", "incident": None}
    assert sender.batches == []


def test_a_flap_within_the_cool_down_reopens_the_incident(
    client: Client, tokens: Tokens, service: Service
) -> None:
    hook(client, tokens, "statuspage", "statuspage-incident")  # route cooldown: 30m
    hook(client, tokens, "statuspage", "statuspage-incident-resolved")
    again = hook(client, tokens, "statuspage", "statuspage-incident")
    assert again["alerts"][0]["outcome"] == "reopened"
    assert again["alerts"][0]["incident"] == "INC-1"
    assert [m["phase"] for m in show(service)["timeline"]] == [
        "investigating",
        "resolved",
        "update",
    ]


def test_an_unmatched_alert_reaches_internal_channels_only(
    client: Client, tokens: Tokens, service: Service, sender: FakeSender, store: Store
) -> None:
    answer = hook(client, tokens, "alertmanager", "alertmanager-unmatched")
    alert = answer["alerts"][0]
    assert alert["outcome"] == "unmatched"
    assert alert["incident"] is None
    assert service.orchestrator("t").status(include_resolved=True) == []
    assert [i.channel.name for i in sender.sent] == ["team-slack"]  # internal only
    notice = sender.sent[0].body
    assert "DiskAlmostFull" in notice and "no route matches" in notice
    assert "93%" not in notice  # not even staff get the free text
    with store.read() as conn:
        (recorded,) = records.list_alerts(conn)
    assert (recorded.outcome, recorded.labels["alertname"]) == ("unmatched", "DiskAlmostFull")


def test_an_unmatched_alert_names_the_route_that_almost_matched(
    client: Client, tokens: Tokens
) -> None:
    body = payload("datadog-triggered")
    body["tags"] = "env:staging,service:payments"
    response = client.post("/hooks/datadog", json=body, headers=tokens.header())
    alert = response.json()["alerts"][0]
    assert alert["route"] == "datadog-payments"
    assert "env='staging' (wants 'prod')" in alert["reason"]


def test_an_unmatched_alert_is_shown_once_per_key_within_the_hour(
    client: Client, tokens: Tokens, sender: FakeSender
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-unmatched")
    hook(client, tokens, "alertmanager", "alertmanager-unmatched")
    assert len(sender.sent) == 1


def test_a_label_value_without_an_entry_reaches_internal_channels_only(
    client: Client, tokens: Tokens, service: Service, sender: FakeSender
) -> None:
    answer = hook(client, tokens, "alertmanager", "alertmanager-unknown-region")
    alert = answer["alerts"][0]
    assert alert["outcome"] == "unmatched"
    assert alert["route"] == "payments"
    assert "region='ap-south-1' has no entry" in alert["reason"]
    assert service.orchestrator("t").status() == []
    assert [i.channel.name for i in sender.sent] == ["team-slack"]


def test_an_unapproved_runbook_is_refused_and_shown_to_staff(
    client: Client, tokens: Tokens, service: Service, approvals: Approvals, sender: FakeSender
) -> None:
    approvals.refused.add(RUNBOOK)
    answer = hook(client, tokens, "alertmanager", "alertmanager-firing")
    assert answer["alerts"][0]["outcome"] == "refused"
    assert "never approved" in answer["alerts"][0]["reason"]
    assert service.orchestrator("t").status() == []
    assert [i.channel.name for i in sender.sent] == ["team-slack"]


def test_a_hook_without_a_token_is_401(client: Client, tokens: Tokens) -> None:
    response = client.post("/hooks/alertmanager", json=payload("alertmanager-firing"))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_the_token_may_be_the_last_path_segment(
    client: Client, tokens: Tokens, service: Service
) -> None:
    response = client.post(f"/hooks/grafana/{tokens.declare}", json=payload("grafana-firing"))
    assert response.status_code == 202
    assert response.json()["alerts"][0]["incident"] == "INC-1"


def test_a_read_token_may_not_post_alerts(client: Client, tokens: Tokens) -> None:
    response = client.post(
        "/hooks/alertmanager", json=payload("alertmanager-firing"), headers=tokens.header("read")
    )
    assert response.status_code == 403


def test_a_body_that_is_not_json_is_422(client: Client, tokens: Tokens) -> None:
    response = client.post("/hooks/alertmanager", content=b"{nope", headers=tokens.header())
    assert response.status_code == 422
    assert "not JSON" in response.json()["detail"]


def test_a_payload_of_another_shape_is_422(client: Client, tokens: Tokens) -> None:
    response = client.post("/hooks/alertmanager", json={"hello": 1}, headers=tokens.header())
    assert response.status_code == 422
    assert "groupKey" in response.json()["detail"]


@pytest.mark.parametrize(
    ("source", "firing", "resolved", "route", "severity"),
    [
        ("grafana", "grafana-firing", "grafana-resolved", "payments", "critical"),
        ("datadog", "datadog-triggered", "datadog-recovered", "datadog-payments", "critical"),
        (
            "statuspage",
            "statuspage-incident",
            "statuspage-incident-resolved",
            "card-processor",
            "major",
        ),
        ("cloudevents", "cloudevents-firing", "cloudevents-resolved", "payments", "critical"),
    ],
)
def test_each_source_declares_and_resolves(
    client: Client,
    tokens: Tokens,
    service: Service,
    source: str,
    firing: str,
    resolved: str,
    route: str,
    severity: str,
) -> None:
    declared = hook(client, tokens, source, firing)["alerts"][0]
    assert (declared["outcome"], declared["route"]) == ("declared", route)
    assert show(service)["severity"] == severity
    assert hook(client, tokens, source, resolved)["alerts"][0]["outcome"] == "resolved"
    assert show(service)["status"] == "resolved"


def test_a_binary_mode_cloudevent_is_taken(client: Client, tokens: Tokens) -> None:
    event = payload("cloudevents-firing")
    headers = {
        **tokens.header(),
        "ce-specversion": "1.0",
        "ce-type": event["type"],
        "ce-source": event["source"],
        "ce-subject": event["subject"],
        "ce-id": event["id"],
    }
    response = client.post("/hooks/cloudevents", json=event["data"], headers=headers)
    assert response.json()["alerts"][0]["outcome"] == "declared"


def test_a_datadog_renotify_changes_nothing(client: Client, tokens: Tokens) -> None:
    body = payload("datadog-triggered") | {"alert_transition": "Renotify"}
    response = client.post("/hooks/datadog", json=body, headers=tokens.header())
    assert response.json()["alerts"] == []


def test_the_incident_is_declared_as_the_token(
    client: Client, tokens: Tokens, service: Service
) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    assert show(service)["declared_by"] == "token:test-declare"


def test_alerts_are_idempotent_on_postgresql(
    project_root: object,
    fake_channels: list[str],
    routes: object,
    postgres_url: str,
    sender: FakeSender,
    approvals: Approvals,
) -> None:
    from pathlib import Path

    from outagecomms.incidents import open_project_store
    from outagecomms.service.tokens import Scope, create_token
    from tests.service.conftest import make_service

    assert isinstance(project_root, Path)
    store = open_project_store(Project(project_root), postgres_url)
    try:
        pg = make_service(
            project_root, store, orchestrator_options={"sender": sender, "gate": approvals}
        )
        token = create_token(store, "pg", Scope.DECLARE, by="tests").token
        client = Client(pg)
        headers = {"Authorization": f"Bearer {token}"}
        outcomes = [
            client.post("/hooks/alertmanager", json=payload(name), headers=headers).json()[
                "alerts"
            ][0]["outcome"]
            for name in ("alertmanager-firing", "alertmanager-firing", "alertmanager-resolved")
        ]
        assert outcomes == ["declared", "deduplicated", "resolved"]
        orchestrator: Orchestrator = pg.orchestrator("t")
        assert [i.incident.status for i in orchestrator.status(include_resolved=True)] == [
            "resolved"
        ]
    finally:
        store.close()


def test_a_group_key_longer_than_a_dedupe_key_still_declares_and_resolves(
    client: Client, tokens: Tokens, service: Service
) -> None:
    firing, resolved = payload("alertmanager-firing"), payload("alertmanager-resolved")
    long_key = "{}:{" + ", ".join(f'label{i}="{"v" * 20}"' for i in range(20)) + "}"
    firing["groupKey"] = resolved["groupKey"] = long_key
    headers = tokens.header()
    declared = client.post("/hooks/alertmanager", json=firing, headers=headers).json()
    assert declared["alerts"][0]["outcome"] == "declared"
    again = client.post("/hooks/alertmanager", json=resolved, headers=headers).json()
    assert again["alerts"][0]["outcome"] == "resolved"
    assert len(show(service)["dedupe_key"]) <= 255


def test_the_alerts_received_are_listed_newest_first(client: Client, tokens: Tokens) -> None:
    hook(client, tokens, "alertmanager", "alertmanager-firing")
    hook(client, tokens, "alertmanager", "alertmanager-unmatched")
    listed = client.get("/api/v1/alerts", headers=tokens.header("read")).json()
    assert [(a["outcome"], a["incident"]) for a in listed] == [
        ("unmatched", None),
        ("declared", "INC-1"),
    ]
    assert "summary" not in json.dumps(listed)  # labels only, never the alert's text
