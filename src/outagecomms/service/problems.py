"""RFC 9457 problem details: every error the service answers, with the CLI's one-line
message. :func:`status_for` is the one map from the exception hierarchy to HTTP statuses
(as ``outagecomms.cli`` is the one map to exit statuses)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from outagecomms.errors import (
    ConfigError,
    FindingsError,
    InterruptedByUser,
    NotFoundError,
    OutagecommsError,
    RefusedError,
    UsageError,
)

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class ServiceError(OutagecommsError):
    """An HTTP-only refusal (auth, scope, limits): carries its status."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def status_for(exc: OutagecommsError) -> int:
    """The HTTP status of an error, once for the whole service."""
    if isinstance(exc, ServiceError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, RefusedError):
        return 409
    if isinstance(exc, UsageError | FindingsError):
        return 422
    if isinstance(exc, ConfigError | InterruptedByUser):
        return 503  # the project or the database is wrong, not the request
    return 500


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def json_field(parameter: str | None) -> str | None:
    """The request body's name for an API parameter an error names: the bodies name their
    fields as the Python API does (``dedupe_key``, ``cadence``, ``variables``)."""
    return parameter


def problem_for(exc: OutagecommsError, *, instance: str | None = None) -> JSONResponse:
    headers = exc.headers if isinstance(exc, ServiceError) else None
    detail = exc.naming(json_field(exc.parameter))
    return problem(status_for(exc), detail, instance=instance, headers=headers)
