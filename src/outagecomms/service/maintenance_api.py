"""``/api/v1/maintenances``: list, schedule, reschedule, cancel, complete (README
"Maintenance windows"), and ``/api/v1/incidents/{id}/report`` (README "The promise
record"), over :class:`outagecomms.maintenance.Maintenance` and
:func:`outagecomms.incident_report.incident_report`: the documents are the CLI's ``--json``
ones, errors the one problem+json mapping."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from outagecomms.incidents.defaults import utcnow
from outagecomms.maintenance import Maintenance
from outagecomms.service.auth import service_of
from outagecomms.service.calls import answer_once, caller
from outagecomms.service.idempotency import Answer
from outagecomms.service.incidents_api import PROBLEMS, Credentials, IdempotencyKey, IncidentId
from outagecomms.service.models import VARIABLES_DOC, Body, VariableValues
from outagecomms.service.tokens import Scope

router = APIRouter(prefix="/api/v1", tags=["maintenance"], responses=PROBLEMS)

WindowId = Annotated[str, Path(description="the window id, e.g. MW-3", max_length=32)]
MOMENT_DOC = "ISO 8601 with a zone (2026-06-14T22:00+03:00) or relative to now (+2h)"


class TimesBody(Body):
    start: str = Field(min_length=1, max_length=64, description=MOMENT_DOC)
    end: str = Field(min_length=1, max_length=64, description=MOMENT_DOC)


class ScheduleBody(TimesBody):
    runbook: str = Field(min_length=1, max_length=128, description="the runbook id")
    variables: VariableValues = Field(default_factory=dict, description=VARIABLES_DOC)
    components: list[str] = Field(default_factory=list, description="components under it")
    channels: list[str] = Field(
        default_factory=list, description="only these channels (default: every enabled one)"
    )


def _maintenance(request: Request, actor: str) -> Maintenance:
    return Maintenance(service_of(request).orchestrator(actor))


@router.get("/maintenances", summary="Upcoming and running maintenance windows (or all)")
async def list_windows(
    request: Request,
    credentials: Credentials,
    all: Annotated[bool, Query(description="completed and cancelled windows too")] = False,
) -> JSONResponse:
    who = await caller(request, credentials, Scope.READ)

    def run() -> list[dict[str, Any]]:
        views = _maintenance(request, who.actor).upcoming(include_done=all)
        return [view.as_json() for view in views]

    return JSONResponse(await run_in_threadpool(run))


@router.post("/maintenances", status_code=201, summary="Schedule a window and announce it")
async def schedule(
    request: Request, body: ScheduleBody, credentials: Credentials, key: IdempotencyKey = None
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)

    def run() -> Answer:
        view = _maintenance(request, who.actor).schedule(
            body.runbook,
            start=body.start,
            end=body.end,
            variables=body.variables,
            components=body.components,
            channels=body.channels,
        )
        service_of(request).poke()  # the embedded worker plans the new steps at once
        return 201, view.as_json()

    return await answer_once(request, who, key, body, run)


@router.post("/maintenances/{window}/reschedule", summary="Move a window to new times")
async def reschedule(
    request: Request,
    window: WindowId,
    body: TimesBody,
    credentials: Credentials,
    key: IdempotencyKey = None,
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)

    def run() -> Answer:
        view = _maintenance(request, who.actor).reschedule(window, start=body.start, end=body.end)
        return 200, view.as_json()

    return await answer_once(request, who, key, body, run)


@router.post("/maintenances/{window}/cancel", summary="Call off a window that has not started")
async def cancel(
    request: Request, window: WindowId, credentials: Credentials, key: IdempotencyKey = None
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)

    def run() -> Answer:
        return 200, _maintenance(request, who.actor).cancel(window).as_json()

    return await answer_once(request, who, key, None, run)


@router.post("/maintenances/{window}/complete", summary="End a running window now")
async def complete(
    request: Request, window: WindowId, credentials: Credentials, key: IdempotencyKey = None
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)

    def run() -> Answer:
        return 200, _maintenance(request, who.actor).complete(window).as_json()

    return await answer_once(request, who, key, None, run)


@router.get("/incidents/{incident}/report", summary="The incident's promise record")
async def report(request: Request, incident: IncidentId, credentials: Credentials) -> JSONResponse:
    from outagecomms.incident_report import incident_report

    await caller(request, credentials, Scope.READ)
    store = service_of(request).store

    def run() -> dict[str, Any]:
        return incident_report(store, incident, utcnow()).as_json()

    return JSONResponse(await run_in_threadpool(run))
