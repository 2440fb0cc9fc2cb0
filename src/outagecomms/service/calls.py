"""What the routes share: authenticate, check the scope, run the Python API in a thread
(it is synchronous), once per ``Idempotency-Key``, and answer with its JSON document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from outagecomms.service import idempotency
from outagecomms.service.auth import Caller, authenticate, require, service_of
from outagecomms.service.tokens import Scope

REPLAYED_HEADER = "Idempotent-Replayed"


async def caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    needed: Scope,
    *,
    path_token: str | None = None,
) -> Caller:
    return require(await authenticate(request, credentials, path_token), needed)


async def answer_once(
    request: Request,
    who: Caller,
    key: str | None,
    body: BaseModel | dict[str, Any] | None,
    run: Callable[[], idempotency.Answer],
) -> JSONResponse:
    """Run ``run`` in a thread, at most once per ``key`` (the first answer is replayed)."""
    shown = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    digest = idempotency.fingerprint(request.method, request.url.path, shown)
    (status, document), replayed = await run_in_threadpool(
        idempotency.once,
        service_of(request).store,
        token_name=who.name,
        key=key,
        request_sha256=digest,
        run=run,
    )
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return JSONResponse(document, status_code=status, headers=headers)
