"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and is at the
newest schema): for a load balancer's and an orchestrator's probes, without a token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from outagecomms.errors import OutagecommsError
from outagecomms.service.auth import service_of
from outagecomms.service.problems import problem
from outagecomms.store import Store
from outagecomms.store.engine import HEAD_REVISION, current_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _schema_problem(store: Store) -> str | None:
    try:
        with store.read() as conn:
            revision = current_revision(conn)
    except OutagecommsError as exc:
        return str(exc)
    if revision != HEAD_REVISION:
        return (
            f"the database is at schema {revision}, this release needs {HEAD_REVISION}; "
            "restart a process of this release to migrate it"
        )
    return None


@router.get("/readyz", summary="The database is reachable and at the newest schema")
async def readyz(request: Request) -> JSONResponse:
    trouble = await run_in_threadpool(_schema_problem, service_of(request).store)
    if trouble is not None:
        return problem(503, trouble)
    return JSONResponse({"status": "ready", "schema": HEAD_REVISION})
