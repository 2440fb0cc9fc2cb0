"""``/api/v1/components``: the components of ``components.yaml`` with their status, and
setting one by hand (README "Components"), over :mod:`outagecomms.components.impact`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from outagecomms.components.impact import list_components, set_status
from outagecomms.components.statuses import ComponentStatus
from outagecomms.service.auth import bearer, service_of
from outagecomms.service.calls import caller
from outagecomms.service.incidents_api import PROBLEMS
from outagecomms.service.tokens import Scope

router = APIRouter(prefix="/api/v1", tags=["components"], responses=PROBLEMS)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
ComponentId = Annotated[str, Path(description="an id of components.yaml", max_length=128)]


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ComponentStatus = Field(description="the component's status from now on")
    reason: str | None = Field(default=None, max_length=1000, description="kept in the history")


class ComponentOut(BaseModel):
    id: str
    name: str
    group: str | None
    status: ComponentStatus
    updated_at: str | None


@router.get("/components", response_model=list[ComponentOut], summary="Components and status")
async def components(request: Request, credentials: Credentials) -> JSONResponse:
    await caller(request, credentials, Scope.READ)
    service = service_of(request)

    def run() -> list[dict[str, Any]]:
        return [view.as_json() for view in list_components(service.project(), service.store)]

    return JSONResponse(await run_in_threadpool(run))


@router.patch(
    "/components/{component}", response_model=ComponentOut, summary="Set a component's status"
)
async def patch_component(
    request: Request, component: ComponentId, body: StatusBody, credentials: Credentials
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)
    service = service_of(request)

    def run() -> dict[str, Any]:
        clock = service.orchestrator(who.actor).clock
        view = set_status(
            service.project(),
            service.store,
            component,
            body.status.value,
            now=clock(),
            actor=who.actor,
            reason=body.reason,
        )
        return view.as_json()

    return JSONResponse(await run_in_threadpool(run))
