"""What the server's HTTP routes say on the wire, apart from what they do: the request and
response models, the OpenAPI words for every error, where a stream resumes (``after`` or
``Last-Event-ID``) and the two SSE response classes. ``app`` wires them to the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Header, HTTPException, Query
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, ConfigDict, Field

from warroom import __version__
from warroom.incident import Policy
from warroom.incident import events as ev

MAX_SEQ = 2**53


# --- the wire models -------------------------------------------------------------------


class ErrorOut(BaseModel):
    detail: str = Field(description="what went wrong, in words a responder can act on")


class AppendIn(BaseModel):
    """One event: the client's id (for idempotent retries) and the body. The actor is the token's."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(None, description="the client's event id; a retry (same id, same action) returns the original, the same id on another action is 409")
    actor: ev.Handle | None = Field(None, description="optional; if present it must be the token's owner (else 403)")
    body: ev.EventBody


VISIBLE_CHARACTER = "[^\\s\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufeff\\uffa0]"
"""What the schema says a title holds: at least one character that draws something. Said, not
checked here (the title's own validator refuses a blank one, with its own words), so a client
generated from the schema sends titles the server takes."""


class DeclareIn(BaseModel):
    """Declare an incident: the ``incident_declared`` fields plus an optional event id."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(None, description="the client's event id (idempotent retries)")
    actor: ev.Handle | None = Field(None, description="optional; if present it must be the token's owner (else 403)")
    type: Literal["incident_declared"] = "incident_declared"
    incident_id: ev.IncidentId
    title: ev.Title = Field(json_schema_extra={"pattern": VISIBLE_CHARACTER})
    severity: ev.Severity = 3
    drill: bool = False
    policy: Policy | None = Field(None, description="the incident's policy (cadence, fatigue, staleness); default: warroom's defaults")
    published: bool = Field(False, description="public on the status page at once (`[status] publish_on_declare`)")


class MeOut(BaseModel):
    handle: str = Field(description="the responder this token acts as")
    token_id: str


CHECKPOINT_MEDIA_TYPE = "application/vnd.warroom.checkpoint"


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str = __version__


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

    def __init__(self, content: AsyncIterator[bytes], release: Callable[[], None], **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._release = release

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


class EventStreamDoc(StreamingResponse):
    """Documents the route as ``text/event-stream`` without making FastAPI treat the
    path operation as a generator (it does that for any ``EventSourceResponse`` subclass)."""

    media_type = "text/event-stream"


def stream_start(
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="resume after this seq (Last-Event-ID wins)")] = 0,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", description="the last seq the client saw")] = None,
) -> int:
    if last_event_id is None or not last_event_id.strip():
        return after
    try:
        seq = int(last_event_id.strip())
    except ValueError:
        raise HTTPException(422, "Last-Event-ID must be a seq (a whole number)") from None
    if not 0 <= seq <= MAX_SEQ:
        raise HTTPException(422, "Last-Event-ID is out of range")
    return seq
