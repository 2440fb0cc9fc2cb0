"""Inbound SMS: ``POST /hooks/sms/twilio``, signed as Twilio documents (HMAC-SHA1 with the
account's auth token over the URL Twilio called and every POST parameter, sorted by name,
name and value appended; base64, in ``X-Twilio-Signature``). STOP ends every delivery to
the number at once, START subscribes it again, HELP says how; each is answered in TwiML."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from outagecomms.audiences.words import SMS_HELP, SMS_STARTED, SMS_STOPPED, said
from outagecomms.service.auth import service_of
from outagecomms.service.problems import ServiceError
from outagecomms.service.subscribe_api import form_fields, subscriptions

router = APIRouter(tags=["subscribers"])

TOKEN_ENV = "TWILIO_AUTH_TOKEN"
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


def twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's X-Twilio-Signature for a POST to ``url`` with ``params``."""
    data = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twiml(text: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{escape(text)}</Message></Response>"
    )
    return Response(body, media_type="application/xml")


@router.post("/hooks/sms/twilio", summary="Inbound SMS from Twilio: STOP, START, HELP")
async def twilio(request: Request) -> Response:
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise ServiceError(
            403, f"inbound SMS is not set up: set {TOKEN_ENV} (the Twilio auth token)"
        )
    params = await form_fields(request)
    public = service_of(request).settings.public_url
    url = str(request.url)
    if public:
        url = (
            public.rstrip("/")
            + request.url.path
            + (f"?{request.url.query}" if request.url.query else "")
        )
    given = request.headers.get("x-twilio-signature", "")
    if not hmac.compare_digest(given, twilio_signature(token, url, params)):
        raise ServiceError(
            403, "X-Twilio-Signature does not match: check TWILIO_AUTH_TOKEN and --public-url"
        )
    words = dict(params)
    number, word = words.get("From", ""), words.get("Body", "").strip().upper()
    subs = subscriptions(request)
    if word in STOP_WORDS:
        found = await run_in_threadpool(subs.stop, number)
        return twiml(said(SMS_STOPPED, found.language if found else "en"))
    if word in START_WORDS:
        found = await run_in_threadpool(subs.start, number)
        return twiml(said(SMS_STARTED, found.language if found else "en"))
    return twiml(said(SMS_HELP, "en"))
