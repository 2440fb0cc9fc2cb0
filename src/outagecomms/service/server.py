"""Running the service: uvicorn on the application, with (by default) a worker in the
same process, so a single ``outagecomms serve`` both takes requests and sends what the
hooks left in the outbox. SIGTERM stops accepting connections, lets the requests in flight
finish, then stops the worker after the sends in flight are recorded."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import FrameType

import structlog
import uvicorn
from fastapi import FastAPI

from outagecomms.service.app import create_app
from outagecomms.service.context import DEFAULT_HOST, DEFAULT_PORT, Service, ServiceSettings
from outagecomms.worker import Worker, wakeup_for

log = structlog.get_logger(__name__)

GRACE_SECONDS = 30
"""How long requests in flight may take to finish after SIGTERM."""


@dataclass(frozen=True)
class Listen:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT


class EmbeddedWorker:
    """A :class:`Worker` on a thread of the service process, woken at once by the hooks."""

    def __init__(self, service: Service) -> None:
        from outagecomms.maintenance import Maintenance

        orchestrator = service.orchestrator("outagecomms worker")
        self.worker = Worker(orchestrator, scheduled=Maintenance(orchestrator))
        self.wakeup = wakeup_for(service.store)
        self.thread = threading.Thread(
            target=self.worker.serve, args=(self.wakeup,), name="outagecomms-worker", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def poke(self) -> None:
        self.wakeup.poke()

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=GRACE_SECONDS)


class Server(uvicorn.Server):
    """uvicorn's server, saying on stderr what a stop signal does, and exiting 0 after a
    graceful stop (uvicorn re-raises the signal, which a supervisor reads as a crash)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            print(
                f"outagecomms: {signal.Signals(sig).name}: finishing the requests in flight "
                "(again to quit at once)",
                file=sys.stderr,
                flush=True,
            )
        super().handle_exit(sig, frame)

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.signal(s, self.handle_exit) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def application(service: Service, *, with_worker: bool) -> FastAPI:
    """The application; with ``with_worker``, a worker runs from start-up to shutdown."""
    app = create_app(service)
    if not with_worker:
        return app

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        embedded = EmbeddedWorker(service)
        service.poke = embedded.poke
        embedded.start()
        try:
            yield
        finally:
            service.poke = lambda: None
            embedded.stop()

    app.router.lifespan_context = lifespan
    return app


def serve(settings: ServiceSettings, listen: Listen, *, with_worker: bool = True) -> None:
    """Serve until SIGTERM/SIGINT (uvicorn handles both gracefully)."""
    service = Service(settings)
    try:
        config = uvicorn.Config(
            application(service, with_worker=with_worker),
            host=listen.host,
            port=listen.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
            lifespan="on",
            server_header=False,
        )
        Server(config).run()
    finally:
        service.close()
