"""A cap on request bodies (413), enforced on the bytes as they arrive, so a client that
lies in ``Content-Length`` or streams without one is cut off too."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outagecomms.service.problems import problem


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    def _refusal(self) -> str:
        return (
            f"request body over {self.max_body} bytes; send less, or raise --max-body / "
            "OUTAGECOMMS_MAX_BODY"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await problem(413, self._refusal())(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await problem(413, self._refusal())(scope, receive, send)
