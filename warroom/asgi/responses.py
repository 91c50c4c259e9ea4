"""What every ASGI app of warroom answers alike: the OpenAPI words for errors, and the SSE responses.

The server's API (``warroom.server``) and the status page (``warroom.web``) both stream
Server-Sent Events and document their errors the same way; this module is below both,
so neither imports the other for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from fastapi.responses import Response, StreamingResponse
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send


BODY_WRITER = "warroom.body_writer"
"""The scope extension in which the server's protocol offers a streamed response a synchronous
write to its connection (``warroom.server.protocol.BodyWriter``), as a dict: ``{"write": ...}``."""


def body_writer(scope: Scope) -> Callable[[bytes], bool] | None:
    """The request's direct write for its streamed body (``BODY_WRITER``), or ``None`` when its
    server offers none (then everything goes through ``send``)."""
    return (scope.get("extensions") or {}).get(BODY_WRITER, {}).get("write")


class ErrorOut(BaseModel):
    detail: str = Field(description="what went wrong, in words a responder can act on")


def not_json(media_type: str, description: str, **schema: str) -> dict:
    """The OpenAPI ``200`` of a route whose body is not JSON (a stream, a checkpoint)."""
    return {200: {"content": {media_type: {"schema": {"type": "string", **schema}}}, "description": description}}


def errors(*codes: int) -> dict:
    words = {
        401: "no token, or an unknown or revoked one",
        403: "the token's responder may not do this (e.g. act as someone else)",
        404: "no such incident",
        409: "refused by a rule (the detail is the rule's reason)",
        413: "request body too large",
        422: "malformed request",
        429: "too many requests, or open streams, for this token (see Retry-After)",
        503: "the server could not write to its database; retry with the same event id",
    }
    return {code: {"model": ErrorOut, "description": words[code]} for code in codes}


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class OpenStreamResponse(EventSourceResponse):
    """An SSE response that gives its place back (``release``) however it ends."""

    def __init__(self, content: AsyncIterator[bytes], release: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


class EventStreamDoc(StreamingResponse):
    """Documents the route as ``text/event-stream`` without making FastAPI treat the
    path operation as a generator (it does that for any ``EventSourceResponse`` subclass)."""

    media_type = "text/event-stream"


class WrittenStream(Response):
    """An SSE response its subclass writes through ``send`` itself (``__call__``), with no body
    iterator stepped per message: the boards' event streams and the status page's."""

    media_type = "text/event-stream"

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers(headers)  # without a ``body``: no content-length, so uvicorn sends it chunked


async def until_disconnect(receive: Receive) -> None:
    """Return once the client has gone (``http.disconnect``)."""
    while (await receive())["type"] != "http.disconnect":
        pass
