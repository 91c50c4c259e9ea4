"""Appending an event over HTTP, and the append route answered before FastAPI's router.

Appends are the server's hot path: every note, status and alert of every client. Through
FastAPI each one paid for finding its route among the others (each route's pattern tried in
order), solving the dependency tree (the bearer header, the token, the path's pattern, the
body), OpenTelemetry's hooks and half a dozen more wrappers around the body and the response:
in a profile of ``bench/server.py --subscribers 0`` that was most of the event loop's time.

``AppendRoute`` is a plain ASGI middleware, the innermost of the app's own (inside ``Watch``, so
the request is counted and logged under its route template as before, and inside the body-size
limit). It answers an append only when nothing can go wrong before the store: a known token in
``Authorization: Bearer``, a valid incident id, a JSON body (``Content-Type: application/json``)
that validates as ``AppendIn``, and the token within its rate. Anything else -- no token or an
unknown one, a malformed id or body, over the rate, the token book unreadable -- goes on, body
and all, to the FastAPI route, which stays the one that says what went wrong (and the one the
OpenAPI document lists). Neither taking that path's turn nor a refused rate check changes any
state. Past the checks both paths run ``append``, so every answer from there on (the 403 for
another actor, 404, 409 for a rule, 422, 503) is the same code and sentence.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from uuid import uuid4

from fastapi import HTTPException
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.db.tokens import Principal
from warroom.incident import EventDraft
from warroom.incident.events import canonical_incident_id, valid_incident_id
from warroom.store.base import Rejected, StoreUnavailable, UnknownIncident, mirror_refusal

from .reader import ServerReader
from .watch import note_actor
from .wire import AppendIn
from .writer import Unprocessable

if TYPE_CHECKING:
    from .parts import Parts

EVENTS_PREFIX = "/api/incidents/"
EVENTS_SUFFIX = "/events"
LOOKED_UP = "warroom.token_looked_up"
"""Where ``AppendRoute`` leaves the token it looked up and what it found, for the route it hands the
request on to (``app.responder``): an unknown token costs one read of the token book, not two."""


def acting_as(claimed: str | None, who: Principal) -> str:
    """The actor of an event made with ``who``'s token: its owner, or a 403 if the body names another."""
    if claimed is not None and claimed != who.handle:
        raise HTTPException(
            403, f"this token belongs to {who.handle}; it cannot act as {claimed} (leave out `actor`: the token decides)"
        )
    return who.handle


async def store(p: Parts, incident_id: str, draft: EventDraft) -> Response:
    """Append ``draft``: 201 with the stored event, 200 with the original for a retry, else the refusal."""
    try:
        text, created = await p.append(incident_id, draft)
    except Rejected as refusal:
        raise HTTPException(409, refusal.reason) from None
    except UnknownIncident:
        raise HTTPException(404, f"no incident {incident_id}") from None
    except Unprocessable as error:
        raise HTTPException(422, str(error)) from None
    except StoreUnavailable as error:
        raise HTTPException(503, str(error), headers={"Retry-After": "1"}) from None
    return Response(text, status_code=201 if created else 200, media_type="application/json")


async def append(p: Parts, incident_id: str, payload: AppendIn, who: Principal) -> Response:
    """``POST /api/incidents/{incident_id}/events`` once the token, the id and the body are checked."""
    actor = acting_as(payload.actor, who)
    draft = EventDraft(id=payload.id or uuid4(), actor=actor, body=payload.body)
    if (refusal := await mirror_refusal(ServerReader(p).load_state, incident_id, draft)) is not None:
        raise HTTPException(409, refusal)
    return await store(p, incident_id, draft)


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The credential of the first ``Authorization`` header if its scheme is Bearer, read as
    ``fastapi.security.HTTPBearer`` reads it (names arrive lower-cased from the server)."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credential = value.decode("latin-1").partition(" ")
            credential = credential.strip()
            return credential if scheme.lower() == "bearer" and credential else None
    return None


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    content_type = next((value for name, value in headers if name == b"content-type"), None)
    return content_type is not None and content_type.partition(b";")[0].strip().lower() == b"application/json"


def _replaying(messages: list[Message], failure: Exception | None, receive: Receive) -> Receive:
    """``receive`` that first hands back ``messages`` (a body already read) and raises ``failure``
    (what reading it on raised: a body over the size limit), then reads on."""
    pending: list[Message | Exception] = [*messages, *([failure] if failure is not None else [])]

    async def replay() -> Message:
        if not pending:
            return await receive()
        message = pending.pop(0)
        if isinstance(message, Exception):
            raise message
        return message

    return replay


async def _read_body(receive: Receive) -> tuple[list[Message], Exception | None]:
    """The request's messages up to its body's end (or a disconnect), and what stopped the reading early."""
    messages: list[Message] = []
    try:
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                return messages, None
    except Exception as error:  # over the size limit: the route answers it as it always has
        return messages, error


class AppendRoute:
    """ASGI middleware: a well-formed append within its token's rate is stored here; every other request goes on."""

    def __init__(self, app: ASGIApp, parts: Parts, route: BaseRoute):
        self.app = app
        self.parts = parts
        self.route = route  # the FastAPI route it stands in for: ``Watch`` labels by its template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" and scope["method"] == "POST" else ""
        raw_id = path[len(EVENTS_PREFIX) : -len(EVENTS_SUFFIX)]
        if (
            not path.startswith(EVENTS_PREFIX)
            or not path.endswith(EVENTS_SUFFIX)
            or not valid_incident_id(raw_id)
            or scope.get("root_path")
            or not _is_json(scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        p = self.parts
        token = bearer_token(scope["headers"])
        try:
            who = p.tokens.lookup(token) if token is not None else None
        except StoreUnavailable:
            who = None  # the route says so (503)
        else:
            scope[LOOKED_UP] = (token, who)
        if who is None:
            await self.app(scope, receive, send)
            return
        messages, failure = await _read_body(receive)
        payload = None
        if failure is None and messages[-1]["type"] == "http.request":
            try:
                payload = AppendIn.model_validate(json.loads(b"".join(message.get("body", b"") for message in messages)))
            except (ValueError, RecursionError, ValidationError):  # json's errors are ValueErrors; deep nesting recurses
                pass
        if payload is None or p.limiter.take(who.token_id) is not None:
            await self.app(scope, _replaying(messages, failure, receive), send)
            return
        scope["route"] = self.route
        scope["path_params"] = {"incident_id": raw_id}
        note_actor(Request(scope), who.handle)
        try:
            response = await append(p, canonical_incident_id(raw_id), payload, who)
        except HTTPException as error:
            response = await http_exception_handler(Request(scope, receive), error)
        await response(scope, receive, send)
