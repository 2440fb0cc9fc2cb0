"""The ASGI application factory: routes, the body cap, and the one place errors become
RFC 9457 problem documents."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from outagecomms.errors import OutagecommsError
from outagecomms.service import (
    alerts_api,
    components_api,
    health,
    hooks,
    incidents_api,
    maintenance_api,
    sms_hooks,
    subscribe_api,
)
from outagecomms.service.auth import RateLimiter
from outagecomms.service.context import Service
from outagecomms.service.limits import BodyLimit
from outagecomms.service.problems import problem, problem_for, status_for

log = structlog.get_logger(__name__)

API_VERSION = "1"


def _validation_message(exc: RequestValidationError) -> str:
    """One line, like the CLI's: where in the request, and what is wrong."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request does not validate"


def create_app(service: Service) -> FastAPI:
    """The application over ``service`` (its store and settings)."""
    app = FastAPI(
        title="outagecomms",
        version=API_VERSION,
        summary="Outage communications from pre-approved runbooks",
        description="Declare, update and resolve incidents; alert hooks that do it for you. "
        "Every answer is the CLI's `--json` document; every error is RFC 9457 problem+json.",
        servers=[{"url": service.settings.public_url}] if service.settings.public_url else None,
    )
    app.state.service = service
    app.state.limiter = RateLimiter(service.settings.rate_limit)
    app.include_router(health.router)
    app.include_router(incidents_api.router)
    app.include_router(maintenance_api.router)
    app.include_router(alerts_api.router)
    app.include_router(components_api.router)
    app.include_router(hooks.router)
    app.include_router(subscribe_api.router)
    app.include_router(sms_hooks.router)

    @app.exception_handler(OutagecommsError)
    async def _outagecomms_error(request: Request, exc: OutagecommsError) -> JSONResponse:
        if status_for(exc) >= 500:
            log.error("service.error", path=request.url.path, error=str(exc))
        return problem_for(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, _validation_message(exc), instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers: dict[str, Any] | None = getattr(exc, "headers", None)
        return problem(exc.status_code, detail, instance=request.url.path, headers=headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("service.internal_error", path=request.url.path)
        return problem(
            500,
            f"internal error: {type(exc).__name__}; the log has the details, please report it",
            instance=request.url.path,
        )

    app.add_middleware(BodyLimit, max_body=service.settings.max_body)
    return app
