"""``/api/v1/incidents``: list, declare, show, update, resolve, postmortem (README
"The service"), over :class:`outagecomms.incidents.Orchestrator` and its JSON views: the documents
are the CLI's ``--json`` ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from outagecomms.incidents import Orchestrator, Report
from outagecomms.service.auth import bearer, service_of
from outagecomms.service.calls import answer_once, caller
from outagecomms.service.idempotency import Answer
from outagecomms.service.models import (
    DeclareBody,
    DetailOut,
    FollowUpBody,
    ProblemOut,
    ReportOut,
    SummaryOut,
    UpdateBody,
)
from outagecomms.service.tokens import Scope
from outagecomms.service.values import duration
from outagecomms.vocabulary import Phase

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "content": {"application/problem+json": {}}}
    for status in (401, 403, 404, 409, 413, 422, 429)
}

router = APIRouter(prefix="/api/v1", tags=["incidents"], responses=PROBLEMS)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="a retried POST with the same key returns the first answer",
        max_length=255,
    ),
]
IncidentId = Annotated[str, Path(description="the incident id, e.g. INC-7", max_length=32)]


def _report(report: Report, status: int = 200) -> Answer:
    return status, report.as_json()


@router.get("/incidents", response_model=list[SummaryOut], summary="Open incidents (or all)")
async def list_incidents(
    request: Request,
    credentials: Credentials,
    all: Annotated[bool, Query(description="resolved incidents too")] = False,
) -> JSONResponse:
    who = await caller(request, credentials, Scope.READ)
    service = service_of(request)

    def run() -> list[dict[str, Any]]:
        rows = service.orchestrator(who.actor).status(include_resolved=all)
        return [row.as_json() for row in rows]

    return JSONResponse(await run_in_threadpool(run))


@router.post(
    "/incidents",
    status_code=201,
    response_model=ReportOut,
    summary="Declare an incident from an approved runbook",
    responses={200: {"model": ReportOut, "description": "an open incident had the dedupe key"}},
)
async def declare(
    request: Request, body: DeclareBody, credentials: Credentials, key: IdempotencyKey = None
) -> JSONResponse:
    from outagecomms.worker import worker_warnings

    who = await caller(request, credentials, Scope.DECLARE)
    service = service_of(request)

    def run() -> Answer:
        orchestrator = service.orchestrator(who.actor)
        report = orchestrator.declare(
            body.runbook,
            severity=body.severity,
            variables=body.variables,
            dedupe_key=body.dedupe_key,
            cadence=duration("cadence", body.cadence),
            channels=body.channels,
            cooldown=duration("cooldown", body.cooldown, off_allowed=True),
            components=body.components,
        )
        warnings = [] if report.deduplicated else worker_warnings(orchestrator, [report.incident])
        status = 200 if report.deduplicated else 201
        return status, {**report.as_json(), "warnings": warnings}

    return await answer_once(request, who, key, body, run)


@router.get("/incidents/{incident}", response_model=DetailOut, summary="An incident's timeline")
async def show(request: Request, incident: IncidentId, credentials: Credentials) -> JSONResponse:
    who = await caller(request, credentials, Scope.READ)
    service = service_of(request)

    def run() -> dict[str, Any]:
        return service.orchestrator(who.actor).show(incident).as_json()

    return JSONResponse(await run_in_threadpool(run))


@router.post("/incidents/{incident}/updates", response_model=ReportOut, summary="Post an update")
async def update(
    request: Request,
    incident: IncidentId,
    body: UpdateBody,
    credentials: Credentials,
    key: IdempotencyKey = None,
) -> JSONResponse:
    who = await caller(request, credentials, Scope.DECLARE)
    service = service_of(request)

    def run() -> Answer:
        orchestrator = service.orchestrator(who.actor)
        return _report(
            orchestrator.update(incident, phase=Phase(body.phase), variables=body.variables)
        )

    return await answer_once(request, who, key, body, run)


async def _follow_up(
    request: Request,
    incident: str,
    credentials: HTTPAuthorizationCredentials | None,
    key: str | None,
    body: FollowUpBody | None,
    post: Callable[[Orchestrator, str, dict[str, str]], Report],
) -> JSONResponse:
    """``resolve`` and ``postmortem``: ``post`` on the incident with the body's variables."""
    who = await caller(request, credentials, Scope.DECLARE)
    service = service_of(request)
    given = body.variables if body is not None else {}

    def run() -> Answer:
        return _report(post(service.orchestrator(who.actor), incident, given))

    return await answer_once(request, who, key, body, run)


@router.post("/incidents/{incident}/resolve", response_model=ReportOut, summary="Resolve")
async def resolve(
    request: Request,
    incident: IncidentId,
    credentials: Credentials,
    key: IdempotencyKey = None,
    body: FollowUpBody | None = None,
) -> JSONResponse:
    return await _follow_up(
        request,
        incident,
        credentials,
        key,
        body,
        lambda o, ref, given: o.resolve(ref, variables=given),
    )


@router.post(
    "/incidents/{incident}/postmortem", response_model=ReportOut, summary="Send the postmortem"
)
async def postmortem(
    request: Request,
    incident: IncidentId,
    credentials: Credentials,
    key: IdempotencyKey = None,
    body: FollowUpBody | None = None,
) -> JSONResponse:
    return await _follow_up(
        request,
        incident,
        credentials,
        key,
        body,
        lambda o, ref, given: o.postmortem(ref, variables=given),
    )
