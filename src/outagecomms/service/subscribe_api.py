"""Subscriptions over HTTP (no token; rate-limited per client address and per subscriber
address): ``POST /subscribe`` (JSON or a form), ``GET /confirm/{token}``, ``GET`` and
``POST /unsubscribe/{token}`` (RFC 8058 one-click), thin over
:class:`outagecomms.audiences.subscriptions.Subscriptions`."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from outagecomms.audiences.subscriptions import Subscriptions
from outagecomms.errors import UsageError
from outagecomms.service.auth import RateLimiter, service_of

router = APIRouter(tags=["subscribers"])

PER_CLIENT = 10
"""Subscribe requests a minute from one client address."""
PER_ADDRESS = 3
"""Subscribe requests a minute for one subscriber address (each sends a confirmation)."""


def subscriptions(request: Request) -> Subscriptions:
    service = service_of(request)
    options = service.settings.orchestrator_options
    extra: dict[str, Any] = {k: options[k] for k in ("clock", "sender") if k in options}
    return Subscriptions(
        service.project(), service.store, public_url=service.settings.public_url, **extra
    )


def limiters(request: Request) -> tuple[RateLimiter, RateLimiter]:
    state = request.app.state
    if not hasattr(state, "subscribe_limiters"):
        state.subscribe_limiters = (RateLimiter(PER_CLIENT), RateLimiter(PER_ADDRESS))
    found: tuple[RateLimiter, RateLimiter] = state.subscribe_limiters
    return found


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def page(title: str, text: str, *, status: int = 200, form: str = "") -> HTMLResponse:
    body = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{form}"
        "</body></html>\n"
    )
    return HTMLResponse(body, status_code=status)


FORM = "application/x-www-form-urlencoded"


async def form_fields(request: Request) -> list[tuple[str, str]]:
    """The fields of an HTML form's POST (``application/x-www-form-urlencoded``)."""
    body = (await request.body()).decode("utf-8", "replace")
    return parse_qsl(body, keep_blank_values=True)


async def _fields(request: Request) -> tuple[dict[str, Any], bool]:
    """The request's fields and whether it came as a form."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == FORM:
        pairs = await form_fields(request)
        form = dict(pairs)
        components = [v for k, v in pairs if k == "components" and v]
        if len(components) == 1 and "," in components[0]:
            components = [c.strip() for c in components[0].split(",") if c.strip()]
        return {
            "address": str(form.get("address") or ""),
            "language": str(form.get("language") or "en"),
            "components": components,
        }, True
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        raise UsageError(
            'the body is not JSON: send {"address", "language", "components"}'
        ) from None
    if not isinstance(data, dict):
        raise UsageError("the body must be a JSON object with address, language, components")
    return data, False


@router.get("/subscribe", response_class=HTMLResponse, summary="The subscribe form")
async def subscribe_form() -> HTMLResponse:
    """A plain HTML form (no JavaScript) that posts to ``/subscribe``; the status page's
    "Subscribe to updates" link opens it."""
    form = (
        '<form method="post" action="subscribe">'
        '<p><label>Email or phone <input name="address" required></label></p>'
        '<p><label>Language <input name="language" value="en" size="5"></label></p>'
        '<p><label>Components (comma-separated; empty: all) <input name="components">'
        '</label></p><p><button type="submit">Subscribe</button></p></form>'
    )
    return page("Subscribe to updates", "We send a confirmation first.", form=form)


@router.post("/subscribe", status_code=202, summary="Subscribe (a confirmation is sent)")
async def subscribe(request: Request) -> Response:
    data, as_form = await _fields(request)
    address = data.get("address")
    components = data.get("components") or []
    if not isinstance(address, str) or not isinstance(components, list):
        raise UsageError("address must be a text and components a list of component ids")
    per_client, per_address = limiters(request)
    per_client.check(f"client {client_of(request)}")
    per_address.check(f"address {address.strip().lower()}")
    await run_in_threadpool(
        subscriptions(request).subscribe,
        address,
        str(data.get("language") or "en"),
        [str(c) for c in components],
        ip=client_of(request),
    )
    said = "We sent a confirmation; nothing else is sent until its link is opened."
    if as_form:
        return page("Check your messages", said, status=202)
    return JSONResponse({"status": "confirmation sent", "detail": said}, status_code=202)


@router.get("/confirm/{token}", response_class=HTMLResponse, summary="Confirm a subscription")
async def confirm(token: str, request: Request) -> HTMLResponse:
    await run_in_threadpool(subscriptions(request).confirm, token, ip=client_of(request))
    return page("Subscribed", "You will receive status updates. Every message says how to stop.")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="Confirm page")
async def unsubscribe_page(token: str) -> HTMLResponse:
    form = (
        f'<form method="post" action="{html.escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return page("Unsubscribe", "Stop receiving status updates at this address?", form=form)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, summary="One-click (RFC 8058)")
async def unsubscribe(token: str, request: Request) -> HTMLResponse:
    await run_in_threadpool(subscriptions(request).unsubscribe, token)
    return page("Unsubscribed", "You will receive no more status updates at this address.")
