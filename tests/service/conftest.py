"""Fixtures for the service: the incidents' project, store, sinks and approvals (shared
from ``tests/incidents/conftest.py``) with the example ``routes.yaml``, tokens of each
scope, the application over httpx's ASGI transport, and a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from outagecomms.service.app import create_app
from outagecomms.service.context import Service, ServiceSettings
from outagecomms.service.server import application
from outagecomms.service.tokens import Scope, create_token
from outagecomms.store import Store
from tests.conftest import REPO
from tests.incidents import conftest as incidents_fixtures
from tests.incidents.conftest import Approvals, FakeSender

# the fixtures shared with tests/incidents/ (named, not star-imported)
approvals = incidents_fixtures.approvals
cli_orchestrator_options = incidents_fixtures.cli_orchestrator_options
clock = incidents_fixtures.clock
fake_channels = incidents_fixtures.fake_channels
http = incidents_fixtures.http
orchestrator = incidents_fixtures.orchestrator
postgres_url = incidents_fixtures.postgres_url
project_root = incidents_fixtures.project_root
real_approvals = incidents_fixtures.real_approvals
sender = incidents_fixtures.sender
sink_channels = incidents_fixtures.sink_channels
smtp = incidents_fixtures.smtp
store = incidents_fixtures.store

FIXTURES = REPO / "tests" / "fixtures" / "hooks"
READY_TIMEOUT = 10.0


def payload(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def routes(project_root: Path) -> Path:
    target = project_root / "routes.yaml"
    shutil.copy(REPO / "examples" / "service" / "routes.yaml", target)
    return target


@dataclass(frozen=True)
class Tokens:
    read: str
    declare: str
    admin: str

    def header(self, scope: str = "declare") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, scope)}"}


@pytest.fixture
def tokens(store: Store) -> Tokens:
    made = {s: create_token(store, f"test-{s.value}", s, by="tests").token for s in Scope}
    return Tokens(made[Scope.READ], made[Scope.DECLARE], made[Scope.ADMIN])


def make_service(
    project_root: Path,
    store: Store,
    *,
    orchestrator_options: dict[str, Any] | None = None,
    **options: Any,
) -> Service:
    """The service on ``store``; its orchestrators approve every runbook (a stand-in
    gate) unless ``orchestrator_options`` gives another ``gate``."""
    given = {"gate": Approvals(), **(orchestrator_options or {})}
    return Service(
        ServiceSettings(project_root=project_root, orchestrator_options=given, **options), store
    )


@pytest.fixture
def service(
    project_root: Path,
    fake_channels: list[str],
    store: Store,
    sender: FakeSender,
    approvals: Approvals,
) -> Service:
    """The service with the fake sender (no real sends), the stand-in gate and its channels."""
    return make_service(
        project_root, store, orchestrator_options={"sender": sender, "gate": approvals}
    )


class Client:
    """Requests to the application through httpx's ASGI transport (no sockets)."""

    def __init__(self, service: Service) -> None:
        self.app = create_app(service)

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, path, **options)

        return asyncio.run(go())

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.request("POST", path, **options)


@pytest.fixture
def client(service: Service) -> Client:
    return Client(service)


# --------------------------------------------------------------------------- uvicorn


@dataclass
class Running:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def wait_ready(url: str, timeout: float = READY_TIMEOUT) -> None:
    """Poll /healthz until it answers (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer /healthz within {timeout}s")
        time.sleep(0.02)


def start_uvicorn(service: Service, *, with_worker: bool) -> Running:
    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        application(service, with_worker=with_worker),
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_ready(url)
    return Running(url, server, thread)


def stop_uvicorn(running: Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=READY_TIMEOUT)


@pytest.fixture
def live(project_root: Path, store: Store, sink_channels: dict[str, str]) -> Iterator[Running]:
    """A real uvicorn on 127.0.0.1 with its worker, sending to the real local sinks."""
    running = start_uvicorn(make_service(project_root, store), with_worker=True)
    yield running
    stop_uvicorn(running)
