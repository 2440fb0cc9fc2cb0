"""The REST API /api/v1 (product-spec §9) over httpx's ASGI transport: the CLI's JSON
documents, Idempotency-Key, and RFC 9457 problems with the CLI's one-line messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from outagecomms.store import Store
from tests.incidents.conftest import IMPACT, RUNBOOK, Approvals, FakeSender
from tests.service.conftest import Client, Tokens, make_service

PROBLEM = "application/problem+json"
DECLARE = {"runbook": RUNBOOK, "variables": {"impact": IMPACT}}


def declare(client: Client, tokens: Tokens, **extra: object) -> dict[str, object]:
    response = client.post("/api/v1/incidents", json={**DECLARE, **extra}, headers=tokens.header())
    assert response.status_code == 201, response.text
    document: dict[str, object] = response.json()
    return document


def test_healthz_answers_without_a_token(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_says_the_database_is_at_the_newest_schema(client: Client) -> None:
    from outagecomms.store.engine import HEAD_REVISION

    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "schema": HEAD_REVISION}


def test_openapi_is_version_3_1_and_documents_every_route(client: Client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for path in (
        "/api/v1/incidents",
        "/api/v1/incidents/{incident}",
        "/api/v1/incidents/{incident}/updates",
        "/api/v1/incidents/{incident}/resolve",
        "/api/v1/incidents/{incident}/postmortem",
        "/hooks/alertmanager",
        "/hooks/grafana/{token}",
        "/hooks/datadog",
        "/hooks/statuspage",
        "/hooks/cloudevents",
    ):
        assert path in document["paths"], path
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_docs_page_is_served_without_a_token(client: Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


def test_no_token_is_401_problem_json(client: Client, tokens: Tokens) -> None:
    response = client.get("/api/v1/incidents")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["status"] == 401
    assert "outagecomms token create" in problem["detail"]


def test_an_unknown_token_is_401(client: Client, tokens: Tokens) -> None:
    headers = {"Authorization": "Bearer oc_not-a-token"}
    assert client.get("/api/v1/incidents", headers=headers).status_code == 401


def test_a_revoked_token_is_401(client: Client, store: Store, tokens: Tokens) -> None:
    from outagecomms.service.tokens import revoke_token

    revoke_token(store, "test-read")
    assert client.get("/api/v1/incidents", headers=tokens.header("read")).status_code == 401


def test_a_read_token_may_list_but_not_declare(client: Client, tokens: Tokens) -> None:
    assert client.get("/api/v1/incidents", headers=tokens.header("read")).status_code == 200
    response = client.post("/api/v1/incidents", json=DECLARE, headers=tokens.header("read"))
    assert response.status_code == 403
    assert "needs declare" in response.json()["detail"]


def test_declare_answers_201_with_the_cli_document(client: Client, tokens: Tokens) -> None:
    document = declare(client, tokens)
    incident = document["incident"]
    assert isinstance(incident, dict)
    assert incident["id"] == "INC-1"
    assert incident["runbook"] == RUNBOOK
    assert incident["status"] == "open"
    assert incident["deduplicated"] is False
    deliveries = document["deliveries"]
    assert isinstance(deliveries, list)
    assert {d["state"] for d in deliveries} == {"sent"}


def test_declare_with_an_open_dedupe_key_answers_200_deduplicated(
    client: Client, tokens: Tokens
) -> None:
    declare(client, tokens, dedupe_key="ci-checkout")
    again = client.post(
        "/api/v1/incidents", json={**DECLARE, "dedupe_key": "ci-checkout"}, headers=tokens.header()
    )
    assert again.status_code == 200
    assert again.json()["incident"] == {**again.json()["incident"], "id": "INC-1"}
    assert again.json()["incident"]["deduplicated"] is True


def test_a_retried_post_with_its_idempotency_key_gets_the_first_answer(
    client: Client, tokens: Tokens, sender: FakeSender
) -> None:
    headers = {**tokens.header(), "Idempotency-Key": "0f6c1c9e-retry"}
    first = client.post("/api/v1/incidents", json=DECLARE, headers=headers)
    again = client.post("/api/v1/incidents", json=DECLARE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(sender.batches) == 1  # sent once
    listed = client.get("/api/v1/incidents", headers=tokens.header()).json()
    assert [i["id"] for i in listed] == ["INC-1"]


def test_an_idempotency_key_reused_for_another_request_is_422(
    client: Client, tokens: Tokens
) -> None:
    headers = {**tokens.header(), "Idempotency-Key": "k-1"}
    client.post("/api/v1/incidents", json=DECLARE, headers=headers)
    other = {**DECLARE, "severity": "critical"}
    response = client.post("/api/v1/incidents", json=other, headers=headers)
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]


def test_a_failed_request_frees_its_idempotency_key(client: Client, tokens: Tokens) -> None:
    headers = {**tokens.header(), "Idempotency-Key": "k-2"}
    bad = {"runbook": RUNBOOK, "variables": {"impact": IMPACT, "nope": "x"}}
    assert client.post("/api/v1/incidents", json=bad, headers=headers).status_code == 422
    fixed = client.post("/api/v1/incidents", json=DECLARE, headers=headers)
    assert fixed.status_code == 201


def test_an_unknown_runbook_is_404_with_the_cli_message(client: Client, tokens: Tokens) -> None:
    response = client.post(
        "/api/v1/incidents", json={"runbook": "no-such-runbook"}, headers=tokens.header()
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert "no-such-runbook" in response.json()["detail"]


def test_an_unapproved_runbook_is_refused_409(
    client: Client, tokens: Tokens, approvals: Approvals
) -> None:
    approvals.refused.add(RUNBOOK)
    response = client.post("/api/v1/incidents", json=DECLARE, headers=tokens.header())
    assert response.status_code == 409
    assert "never approved" in response.json()["detail"]


def test_a_bad_variable_is_422_with_the_cli_message(client: Client, tokens: Tokens) -> None:
    body = {"runbook": RUNBOOK, "variables": {"impact": IMPACT, "colour": "red"}}
    response = client.post("/api/v1/incidents", json=body, headers=tokens.header())
    assert response.status_code == 422
    assert "has no variable 'colour'" in response.json()["detail"]


def test_a_body_that_does_not_validate_is_422_problem(client: Client, tokens: Tokens) -> None:
    response = client.post(
        "/api/v1/incidents",
        json={"runbook": RUNBOOK, "severity": "apocalyptic"},
        headers=tokens.header(),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith("severity:")


def test_a_body_over_the_limit_is_413(
    project_root: Path, fake_channels: list[str], store: Store, sender: FakeSender, tokens: Tokens
) -> None:
    small = Client(
        make_service(project_root, store, max_body=2048, orchestrator_options={"sender": sender})
    )
    body = {**DECLARE, "variables": {"impact": "x" * 4096}}
    response = small.post("/api/v1/incidents", json=body, headers=tokens.header())
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "--max-body" in response.json()["detail"]


def test_over_the_rate_limit_is_429_with_retry_after(
    project_root: Path, store: Store, tokens: Tokens
) -> None:
    limited = Client(make_service(project_root, store, rate_limit=2))
    codes = [
        limited.get("/api/v1/incidents", headers=tokens.header()).status_code for _ in range(3)
    ]
    assert codes[:2] == [200, 200]
    assert codes[2] == 429


def test_update_resolve_and_postmortem_follow_the_lifecycle(client: Client, tokens: Tokens) -> None:
    declare(client, tokens)
    updated = client.post(
        "/api/v1/incidents/INC-1/updates", json={"phase": "identified"}, headers=tokens.header()
    )
    assert updated.status_code == 200
    assert updated.json()["incident"]["phase"] == "identified"
    resolved = client.post("/api/v1/incidents/INC-1/resolve", headers=tokens.header())
    assert resolved.json()["incident"]["status"] == "resolved"
    postmortem = client.post("/api/v1/incidents/INC-1/postmortem", headers=tokens.header())
    assert postmortem.json()["incident"]["phase"] == "postmortem"
    shown = client.get("/api/v1/incidents/INC-1", headers=tokens.header("read")).json()
    assert [m["phase"] for m in shown["timeline"]] == [
        "investigating",
        "identified",
        "resolved",
        "postmortem",
    ]


def test_resolving_a_resolved_incident_is_refused_409(client: Client, tokens: Tokens) -> None:
    declare(client, tokens)
    client.post("/api/v1/incidents/INC-1/resolve", headers=tokens.header())
    again = client.post("/api/v1/incidents/INC-1/resolve", headers=tokens.header())
    assert again.status_code == 409


def test_an_unknown_incident_is_404(client: Client, tokens: Tokens) -> None:
    response = client.get("/api/v1/incidents/INC-99", headers=tokens.header("read"))
    assert response.status_code == 404
    assert "INC-99" in response.json()["detail"]


def test_the_list_holds_resolved_incidents_only_with_all(client: Client, tokens: Tokens) -> None:
    declare(client, tokens)
    client.post("/api/v1/incidents/INC-1/resolve", headers=tokens.header())
    assert client.get("/api/v1/incidents", headers=tokens.header()).json() == []
    listed = client.get("/api/v1/incidents?all=true", headers=tokens.header()).json()
    assert [i["status"] for i in listed] == ["resolved"]


def test_an_unknown_path_is_a_404_problem(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_a_streamed_body_over_the_limit_is_413(
    project_root: Path, fake_channels: list[str], store: Store, tokens: Tokens
) -> None:
    small = Client(make_service(project_root, store, max_body=2048))

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"runbook": "' + b"x" * 4096
        yield b'"}'

    response = small.post("/api/v1/incidents", content=chunks(), headers=tokens.header())
    assert response.status_code == 413
