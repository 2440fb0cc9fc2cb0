"""``/api/v1/components``: the components and their status, and PATCH to set one by hand,
through the application and through a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from outagecomms.service.context import Service
from tests.conftest import REPO
from tests.service.conftest import Client, Running, Tokens, start_uvicorn, stop_uvicorn

IMPACT = {"impact": "card payments fail at checkout"}


@pytest.fixture(autouse=True)
def components_file(project_root: Path) -> Path:
    target = project_root / "components.yaml"
    shutil.copy(REPO / "components.yaml", target)
    return target


def status_of(client: Client, tokens: Tokens, component: str) -> str:
    listed = client.get("/api/v1/components", headers=tokens.header("read")).json()
    return str(next(c["status"] for c in listed if c["id"] == component))


def test_get_lists_every_component_operational_before_any_incident(
    client: Client, tokens: Tokens
) -> None:
    answer = client.get("/api/v1/components", headers=tokens.header("read"))
    assert answer.status_code == 200
    assert [(c["id"], c["status"]) for c in answer.json()][:2] == [
        ("payments", "operational"),
        ("login", "operational"),
    ]


def test_patch_sets_a_components_status_by_hand(client: Client, tokens: Tokens) -> None:
    answer = client.request(
        "PATCH",
        "/api/v1/components/api",
        json={"status": "under_maintenance", "reason": "database upgrade"},
        headers=tokens.header("declare"),
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "under_maintenance"
    assert status_of(client, tokens, "api") == "under_maintenance"


def test_patch_with_a_read_token_is_403(client: Client, tokens: Tokens) -> None:
    answer = client.request(
        "PATCH", "/api/v1/components/api", json={"status": "major_outage"},
        headers=tokens.header("read"),
    )  # fmt: skip
    assert answer.status_code == 403


def test_patch_of_an_unknown_component_is_404_naming_the_known_ones(
    client: Client, tokens: Tokens
) -> None:
    answer = client.request(
        "PATCH", "/api/v1/components/paymnts", json={"status": "major_outage"},
        headers=tokens.header("declare"),
    )  # fmt: skip
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "known: payments, login" in answer.json()["detail"]


def test_patch_with_an_unknown_status_is_422(client: Client, tokens: Tokens) -> None:
    answer = client.request(
        "PATCH", "/api/v1/components/api", json={"status": "down"},
        headers=tokens.header("declare"),
    )  # fmt: skip
    assert answer.status_code == 422


def test_declare_body_components_override_the_runbooks(client: Client, tokens: Tokens) -> None:
    answer = client.post(
        "/api/v1/incidents",
        json={"runbook": "payments-failing", "variables": IMPACT,
              "components": ["payments=major_outage", "api"]},
        headers=tokens.header("declare"),
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert status_of(client, tokens, "payments") == "major_outage"
    assert status_of(client, tokens, "api") == "partial_outage"


@pytest.fixture
def running(service: Service) -> Iterator[Running]:
    started = start_uvicorn(service, with_worker=False)
    yield started
    stop_uvicorn(started)


def test_declare_then_patch_through_a_running_server(running: Running, tokens: Tokens) -> None:
    declared = httpx.post(
        f"{running.url}/api/v1/incidents",
        json={"runbook": "payments-failing", "variables": IMPACT},
        headers=tokens.header("declare"),
    )
    assert declared.status_code == 201, declared.text
    listed = httpx.get(f"{running.url}/api/v1/components", headers=tokens.header("read"))
    assert {c["id"]: c["status"] for c in listed.json()}["payments"] == "partial_outage"
    patched = httpx.patch(
        f"{running.url}/api/v1/components/payments",
        json={"status": "degraded_performance"},
        headers=tokens.header("declare"),
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "degraded_performance"


def test_patch_through_a_running_server_rebuilds_the_site_channels_page(
    running: Running, tokens: Tokens, project_root: Path
) -> None:
    from tests.incidents.conftest import write_channel

    write_channel(project_root, "status-page", kind="site", url="public", enabled=True)
    patched = httpx.patch(
        f"{running.url}/api/v1/components/login",
        json={"status": "under_maintenance", "reason": "identity provider upgrade"},
        headers=tokens.header("declare"),
    )
    assert patched.status_code == 200, patched.text
    summary = json.loads((project_root / "public" / "summary.json").read_text(encoding="utf-8"))
    assert {c["id"]: c["status"] for c in summary["components"]}["login"] == "under_maintenance"
    index = (project_root / "public" / "index.html").read_text(encoding="utf-8")
    assert "Not working normally: Sign-in (Under maintenance)" in index
