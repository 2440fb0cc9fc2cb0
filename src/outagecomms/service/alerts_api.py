"""``GET /api/v1/alerts``: the alerts the hooks received lately and what became of each
(declared, deduplicated, resolved, unmatched...), newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from outagecomms.service.auth import bearer, service_of
from outagecomms.service.calls import caller
from outagecomms.service.incidents_api import PROBLEMS
from outagecomms.service.tokens import Scope
from outagecomms.store import service_records as records
from outagecomms.store.records import public_id
from outagecomms.store.service_records import AlertRecord

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=PROBLEMS)


def alert_json(alert: AlertRecord) -> dict[str, Any]:
    return {
        "id": alert.id,
        "source": alert.source,
        "dedupe_key": alert.dedupe_key,
        "status": "firing" if alert.firing else "resolved",
        "outcome": alert.outcome,
        "route": alert.route,
        "reason": alert.reason,
        "incident": None if alert.incident_id is None else public_id(alert.incident_id),
        "labels": alert.labels,
        "received_at": alert.received_at.isoformat(),
    }


@router.get("/alerts", summary="Alerts received by the hooks, newest first")
async def list_alerts(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many")] = 100,
) -> JSONResponse:
    await caller(request, credentials, Scope.READ)
    store = service_of(request).store

    def run() -> list[dict[str, Any]]:
        with store.read() as conn:
            return [alert_json(a) for a in records.list_alerts(conn, limit=limit)]

    return JSONResponse(await run_in_threadpool(run))
