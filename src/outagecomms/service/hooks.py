"""``POST /hooks/{source}`` (and ``/hooks/{source}/{token}`` for senders that cannot set
a header): alerts from monitoring that declare and resolve incidents (README "Alert
intake: routes.yaml"). The hook answers once the alerts are recorded and their messages
are in the outbox; the worker sends them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from outagecomms.errors import UsageError
from outagecomms.service.auth import bearer, service_of
from outagecomms.service.calls import caller
from outagecomms.service.intake import Intake, Received
from outagecomms.service.models import HookOut, ProblemOut
from outagecomms.service.sources import SOURCE_NAMES, Reducer, reducer_for
from outagecomms.service.tokens import Scope

SOURCES: dict[str, Reducer] = {name: reducer_for(name) for name in SOURCE_NAMES}

router = APIRouter(
    prefix="/hooks",
    tags=["hooks"],
    responses={
        s: {"model": ProblemOut, "content": {"application/problem+json": {}}}
        for s in (401, 403, 413, 422, 429)
    },
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/cloudevents+json": {"schema": {"type": "object"}},
        },
    }
}


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"the body is not JSON ({exc}); send the source's JSON payload") from None


async def take(
    request: Request,
    source: str,
    credentials: HTTPAuthorizationCredentials | None,
    path_token: str | None,
    background: BackgroundTasks,
) -> JSONResponse:
    """Authenticate, reduce the payload to alerts, and take them (in a thread)."""
    who = await caller(request, credentials, Scope.DECLARE, path_token=path_token)
    payload = parse_json(await request.body())
    headers = {k.lower(): v for k, v in request.headers.items()}
    alerts = SOURCES[source](payload, headers)
    service = service_of(request)

    def run() -> tuple[Intake, list[Received]]:
        intake = Intake(service.project(), service.orchestrator(who.actor, deliver=False))
        return intake, intake.take(alerts)

    intake, received = await run_in_threadpool(run)
    service.poke()
    if intake.notices:
        background.add_task(intake.send_notices)
    document = {"source": source, "alerts": [r.as_json() for r in received]}
    return JSONResponse(document, status_code=202)


def _endpoints(source: str) -> tuple[Callable[..., Awaitable[JSONResponse]], ...]:
    async def with_header(
        request: Request, credentials: Credentials, background: BackgroundTasks
    ) -> JSONResponse:
        return await take(request, source, credentials, None, background)

    async def with_path_token(
        request: Request,
        token: Annotated[str, Path(description="the token, for senders without headers")],
        credentials: Credentials,
        background: BackgroundTasks,
    ) -> JSONResponse:
        return await take(request, source, credentials, token, background)

    return with_header, with_path_token


for _source in SOURCES:
    for _suffix, _endpoint, _what in zip(
        ("", "/{token}"), _endpoints(_source), ("", " (token in the path)"), strict=True
    ):
        router.add_api_route(
            f"/{_source}{_suffix}",
            _endpoint,
            methods=["POST"],
            status_code=202,
            response_model=HookOut,
            name=f"hook_{_source}{'_token_in_path' if _suffix else ''}",
            summary=f"Alerts from {_source}{_what}",
            openapi_extra=JSON_BODY,
        )
