"""Bearer tokens and scopes for every route but the health checks and the docs. A source
that cannot send a header may put the token as the last path segment of its hook URL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from outagecomms.service.context import Service
from outagecomms.service.problems import ServiceError
from outagecomms.service.tokens import Scope, verify_token

bearer = HTTPBearer(auto_error=False, description="a token from `outagecomms token create`")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's name is the actor recorded on what it does."""

    name: str
    scope: Scope

    @property
    def actor(self) -> str:
        return f"token:{self.name}"


class RateLimiter:
    """A fixed one-minute window per key (token name or client address), in this process.
    Several replicas each allow ``per_minute``; put the limit at the load balancer for a
    global one."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        if self.per_minute <= 0:
            return
        now = self.clock()
        window = int(now // 60)
        with self._lock:
            start, count = self._windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            if len(self._windows) > 10_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            self._windows[key] = (start, count + 1)
        if count + 1 > self.per_minute:
            retry = max(1, int(60 - now % 60))
            raise ServiceError(
                429,
                f"rate limit: at most {self.per_minute} requests a minute for {key}; "
                f"retry in {retry}s",
                headers={"Retry-After": str(retry)},
            )


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def limiter_of(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None, path_token: str | None
) -> Caller:
    secret = credentials.credentials if credentials is not None else path_token
    client = request.client.host if request.client else "unknown"
    limiter = limiter_of(request)
    if not secret:
        limiter.check(f"client {client}")
        raise ServiceError(
            401,
            "no token: send `Authorization: Bearer TOKEN` (make one with "
            "`outagecomms token create NAME --scope declare`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = await run_in_threadpool(verify_token, service_of(request).store, secret)
    if found is None:
        limiter.check(f"client {client}")
        raise ServiceError(
            401,
            "invalid or revoked token; `outagecomms token list` shows the live ones",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    limiter.check(f"token {found.name}")
    return Caller(found.name, Scope(found.scope))


def require(caller: Caller, needed: Scope) -> Caller:
    if not caller.scope.allows(needed):
        raise ServiceError(
            403,
            f"token {caller.name!r} has scope {caller.scope.value}; this needs {needed.value} "
            f"(`outagecomms token create NAME --scope {needed.value}`)",
        )
    return caller
