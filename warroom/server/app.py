"""The HTTP face of the server: JSON endpoints, bearer-token auth, and an SSE stream per incident.

Every ``/api`` route needs a valid token; the token's owner is the actor of every
event made with it. A request body may carry an ``actor`` field (so a client can
send its draft as is), but only if it names the token's owner: anything else is a
403, never silently rewritten. Rule refusals are 409 with the rule's own sentence. A well-formed
append within its token's rate is answered before FastAPI's router (``append.AppendRoute``: the hot
path); its route here answers the rest and is what the OpenAPI document lists.

The stream (``/api/incidents/{id}/stream``, ``stream.EventStream``) has one SSE message
per stored event (framed by ``fastapi.sse.format_sse_event``), its SSE ``id`` the event's
seq, its data the event's JSON. ``Last-Event-ID`` (sent by browsers and by our client on reconnect) or
``?after=`` says where to resume; the stream replays everything after it and then
follows live, with no gap and no duplicate. Idle streams get a keep-alive comment.
Each token may hold ``streams_per_token`` streams at once (429 past it); a stream
whose token is revoked ends within seconds; streams write in small pages (see
``streams``). Connection-level limits (header size, timeouts, a stalled reader, the
number of connections) live in ``protocol``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import uuid4

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import AfterValidator
from starlette.middleware import Middleware

from warroom import __version__
from warroom.incident.alert_severity import AlertsConfig
from warroom.incident import EventDraft, StoredEvent
from warroom.incident import events as ev
from warroom.store.base import IncidentSummary, StoreUnavailable
from warroom.words import where as where_in
from warroom.asgi.responses import SSE_HEADERS, EventStreamDoc, OpenStreamResponse, errors, not_json
from warroom.asgi.streams import STATUS_STREAMS, STATUS_STREAMS_PER_KEY, STREAMS_PER_TOKEN, OpenStream, TooManyStreams
from warroom.db.backend import is_postgres
from warroom.db.tokens import Principal

from .append import LOOKED_UP, AppendRoute, acting_as, append, store
from .credentials import HeadCredentials
from .invites import add_invite_routes
from .hub import EVERY_INCIDENT, TAIL_KEEP, TICK, Listener
from .limits import DEFAULT_BURST, DEFAULT_RATE, RateLimiter
from .reader import ServerReader
from .logs import open_hooks
from .parts import Parts
from .receiver import ServerLogStore, add_hook_route
from .stream import RETRY_MS, EventStream
from .wire import CHECKPOINT_MEDIA_TYPE, MAX_SEQ, AppendIn, DeclareIn, HealthOut, MeOut, stream_start
from .watch import Watch, mount_metrics, note_actor

if TYPE_CHECKING:
    from warroom.web.pages import StatusSettings

log = logging.getLogger("warroom.server")

MAX_BODY_BYTES = 64 * 1024
READ_LIMIT = 1000
MAX_READ_LIMIT = 10_000
KEEPALIVE_SECONDS = 15.0


def parts(request: Request) -> Parts:
    return request.app.state.parts


bearer = HTTPBearer(auto_error=False, description="a token made with `warroom token add HANDLE`")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def responder(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The token's owner; 401 without a valid token, 429 over the token's rate."""
    p = parts(request)
    if credentials is None:
        raise HTTPException(401, "no token: send `Authorization: Bearer <token>` (make one with `warroom token add HANDLE`)", headers=_CHALLENGE)
    looked_up = request.scope.get(LOOKED_UP)
    try:
        who = looked_up[1] if looked_up is not None and looked_up[0] == credentials.credentials else p.tokens.lookup(credentials.credentials)
    except StoreUnavailable as error:
        raise HTTPException(503, f"cannot check tokens: {error}", headers={"Retry-After": "1"}) from None
    if who is None:
        raise HTTPException(401, "unknown or revoked token", headers=_CHALLENGE)
    note_actor(request, who.handle)
    wait = p.limiter.take(who.token_id)
    if wait is not None:
        after = RateLimiter.retry_after_header(wait)
        raise HTTPException(429, f"too many requests from this token: retry in {after} s", headers={"Retry-After": after})
    return who


Who = Annotated[Principal, Depends(responder)]
IncidentIdPath = Annotated[
    str,
    PathParam(pattern=ev.INCIDENT_ID_PATTERN, description="letters, digits, '-' and '_', e.g. INC-42 (any case)"),
    AfterValidator(ev.canonical_incident_id),
]


async def known_incident(incident_id: IncidentIdPath, request: Request) -> str:
    if not await parts(request).exists(incident_id):
        raise HTTPException(404, f"no incident {incident_id}")
    return incident_id


def _with_required_types(app: FastAPI) -> None:
    """Event bodies are told apart by ``type``: say in the schema that it is required
    (pydantic marks it optional because it has a default, but the union needs it)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        components = schema.get("components", {}).get("schemas", {})
        for cls in ev.BODY_TYPES:
            component = components.get(cls.__name__)
            if component and "type" in component.get("properties", {}):
                required = component.setdefault("required", [])
                if "type" not in required:
                    required.insert(0, "type")
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema


def _json_list(rows: list[tuple[int, str]]) -> Response:
    return Response("[" + ",".join(text for _, text in rows) + "]", media_type="application/json")


def _open_stream(p: Parts, who: Principal, wake: Callable[[], None]) -> OpenStream:
    """Count one of ``who``'s streams (``wake`` wakes it when its token is revoked) or refuse with a 429."""
    try:
        return p.streams.open(who.token_id, wake)
    except TooManyStreams as error:
        message = (
            f"this token already has {error.limit} open streams (the limit per token): close one "
            "(a board needs one per incident it shows), or ask the operator to raise server.streams_per_token"
        )
        raise HTTPException(429, message, headers={"Retry-After": "5"}) from None


async def _summaries_as_sse(p: Parts, stream: OpenStream) -> AsyncIterator[bytes]:
    """Every incident's summary (one ``snapshot`` message), then the summaries that changed
    (``changed`` messages) as commits land: the lobby follows every incident on one stream.

    Summaries come from the log's cache, kept by the writer, so a commit to any incident costs
    each lobby one look at that cache. A reconnecting lobby gets a fresh snapshot: nothing to
    resume, so nothing to miss."""
    hub = p.hub
    yield format_sse_event(comment="connected", retry=RETRY_MS)
    sent: dict[str, int] = {}
    kind = "snapshot"
    woken_by = None
    while not hub.closing and not stream.revoked:
        changed = hub.changed(EVERY_INCIDENT)  # before looking, so no commit slips through
        fresh = [s for s in await p.log.summaries() if sent.get(s.id) != s.seq]
        if stream.revoked:
            break
        if fresh or kind == "snapshot":
            yield format_sse_event(data_str=json.dumps([s.as_dict() for s in fresh], ensure_ascii=False), event=kind)
            sent.update((s.id, s.seq) for s in fresh)
            kind = "changed"
            continue
        if woken_by == TICK:
            yield format_sse_event(comment="keep-alive")
        woken_by = await asyncio.shield(changed)
    if stream.revoked:
        yield format_sse_event(comment="token revoked")


# --- the app ------------------------------------------------------------------------------


def create_app(
    db: str | Path,
    *,
    rate: float = DEFAULT_RATE,
    burst: float | None = DEFAULT_BURST,
    keepalive: float = KEEPALIVE_SECONDS,
    max_body: int = MAX_BODY_BYTES,
    tail_keep: int = TAIL_KEEP,
    streams_per_token: int = STREAMS_PER_TOKEN,
    status_streams_per_key: int = STATUS_STREAMS_PER_KEY,
    status_streams: int = STATUS_STREAMS,
    alerts: AlertsConfig | None = None,
    metrics_token: str | None = None,
    log_requests: bool = False,
    extensions: Sequence[Callable[[FastAPI, Parts, Callable[..., Any]], Callable[[], None] | None]] = (),
    status: StatusSettings | None = None,
) -> FastAPI:
    """The ASGI app for one database. ``rate <= 0`` turns rate limiting off. ``app.state.head_credentials``
    is what the connection protocol asks to tell authenticated connections from the rest. ``/metrics``
    needs ``metrics_token`` when one is given; ``log_requests`` logs a line per request (``watch``).
    ``extensions`` mount more routes (chat: ``warroom.chat.routes``, above this package) given the
    app, its parts and the token dependency, each returning what to close at shutdown (or ``None``)."""
    the_parts = Parts(db if is_postgres(db) else Path(db), rate, burst, keepalive, tail_keep, streams_per_token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_parts.log.start(asyncio.get_running_loop())
        the_parts.hub.start_ticking(keepalive)
        the_parts.streams.start_watching()
        app.state.status_streams.start_watching()
        try:
            yield
        finally:
            app.state.status_streams.stop_watching()
            the_parts.streams.stop_watching()
            the_parts.hub.close()
            await asyncio.to_thread(the_parts.log.close)
            the_parts.tokens.close()
            hooks.close()
            codes.close()
            for close in closers:
                if close is not None:
                    close()

    app = FastAPI(
        title="warroom",
        version=__version__,
        description=(
            "The warroom incident server: append-only incident logs with per-responder bearer tokens "
            "and a live Server-Sent Events stream per incident."
        ),
        lifespan=lifespan,
        max_body_size=max_body,
    )
    app.state.parts = the_parts
    _with_required_types(app)
    from warroom.notify.server import notifier_router  # loads the CLI's config: only when an app is made
    from warroom.web.server import mount_server_status  # the status page: /status and /api/shares

    reader = ServerReader(the_parts)
    mount_server_status(app, the_parts, responder, reader, streams_per_key=status_streams_per_key, streams=status_streams, settings=status)
    notifier = notifier_router(the_parts, responder, reader)
    if notifier is not None:
        app.include_router(notifier)
    hooks = open_hooks(the_parts.db)
    app.state.head_credentials = HeadCredentials(the_parts.tokens, app.state.shares, hooks, metrics_token)
    codes = add_invite_routes(app, the_parts, responder)
    closers = [extend(app, the_parts, responder) for extend in extensions]
    the_parts.metrics.count_streams("responder", the_parts.streams.count)
    the_parts.metrics.count_streams("status", app.state.status_streams.count)
    mount_metrics(app, the_parts.metrics, metrics_token)
    app.add_middleware(Watch, metrics=the_parts.metrics, log_requests=log_requests)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in error.errors()
        ]
        first = problems[0] if problems else {"loc": [], "msg": "malformed request"}
        where = where_in(first["loc"], default="request", drop=("body",))
        return JSONResponse(
            status_code=422, content=jsonable_encoder({"detail": f"invalid {where}: {first['msg']}", "errors": problems})
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:  # pragma: no cover - a bug
        route = getattr(request.scope.get("route"), "path", "an unmatched path")  # the template: a path may hold a hook secret
        log.exception("unhandled error on %s %s", request.method, route)
        return JSONResponse(status_code=500, content={"detail": "internal server error"})

    @app.get("/healthz", tags=["meta"], summary="liveness (no token needed)")
    async def healthz(request: Request) -> HealthOut:
        status_process = getattr(request.app.state, "status_process", None)  # set by ``run`` with --status-port
        return HealthOut(status_process=None if status_process is None else status_process.running)

    @app.get("/api/me", tags=["meta"], summary="who this token acts as", responses=errors(401, 429))
    async def me(who: Who) -> MeOut:
        return MeOut(handle=who.handle, token_id=who.token_id)

    @app.get(
        "/api/incidents",
        tags=["incidents"],
        summary="every incident, newest first",
        response_model=list[IncidentSummary],
        responses=errors(401, 429),
    )
    async def list_incidents(who: Who, request: Request) -> Response:
        return Response(await parts(request).log.summaries_json(), media_type="application/json")

    @app.get(
        "/api/incidents/stream",
        tags=["incidents"],
        summary="every incident's summary, then each change, as Server-Sent Events (the lobby)",
        response_class=EventStreamDoc,
        responses={
            **not_json("text/event-stream", "`snapshot`: every incident's summary (a JSON list), then `changed`: the summaries that changed"),
            **errors(401, 429),
        },
    )
    async def stream_incidents(who: Who, request: Request) -> EventSourceResponse:
        p = parts(request)
        stream = _open_stream(p, who, lambda: p.hub.wake(EVERY_INCIDENT))
        return OpenStreamResponse(_summaries_as_sse(p, stream), p.streams.closer(stream), headers=SSE_HEADERS)

    @app.post(
        "/api/incidents",
        tags=["incidents"],
        summary="declare an incident (you become its commander)",
        status_code=201,
        response_model=StoredEvent,
        responses={200: {"model": StoredEvent, "description": "a retry: the original event"}, **errors(401, 403, 409, 413, 422, 429, 503)},
    )
    async def declare(payload: DeclareIn, who: Who, request: Request) -> Response:
        actor = acting_as(payload.actor, who)
        body = ev.IncidentDeclared(
            incident_id=payload.incident_id,
            title=payload.title,
            severity=payload.severity,
            drill=payload.drill,
            policy=payload.policy,
            playbook=payload.playbook,
            published=payload.published,
        )
        draft = EventDraft(id=payload.id or uuid4(), actor=actor, body=body)
        return await store(parts(request), payload.incident_id, draft)

    @app.get(
        "/api/incidents/{incident_id}/events",
        tags=["events"],
        summary="stored events after a seq, in order (page with `limit`)",
        response_model=list[StoredEvent],
        responses=errors(401, 404, 422, 429),
    )
    async def read_events(
        incident_id: IncidentIdPath,
        who: Who,
        request: Request,
        after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_READ_LIMIT)] = READ_LIMIT,
    ) -> Response:
        p = parts(request)
        rows = await p.rows(incident_id, after, limit, fresh=True)
        if not rows and not await p.exists(incident_id):
            raise HTTPException(404, f"no incident {incident_id}")
        return _json_list(rows)

    @app.get(
        "/api/incidents/{incident_id}/state",
        tags=["events"],
        summary="the incident's folded state as a checkpoint: join with it, then read the events after its seq",
        response_class=Response,
        responses={
            **not_json(
                CHECKPOINT_MEDIA_TYPE,
                "a warroom checkpoint (warroom.incident.snapshot): a JSON header line with the `seq` it covers, "
                "then the state. At most a thousand events old: fetch the events after `seq` to be current.",
                format="binary",
            ),
            **errors(401, 404, 429),
        },
    )
    async def read_state(incident_id: IncidentIdPath, who: Who, request: Request) -> Response:
        try:
            data = await parts(request).log.checkpoint(incident_id)
        except StoreUnavailable as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "1"}) from None
        if data is None:
            raise HTTPException(404, f"no incident {incident_id}")
        return Response(data, media_type=CHECKPOINT_MEDIA_TYPE)

    @app.post(
        "/api/incidents/{incident_id}/events",
        tags=["events"],
        summary="append an event; the actor is the token's owner",
        status_code=201,
        response_model=StoredEvent,
        responses={200: {"model": StoredEvent, "description": "a retry: the original event"}, **errors(401, 403, 404, 409, 413, 422, 429, 503)},
    )
    async def append_event(incident_id: IncidentIdPath, payload: AppendIn, who: Who, request: Request) -> Response:
        """What ``AppendRoute`` hands on: appends it did not answer itself (each refusal is said here)."""
        return await append(parts(request), incident_id, payload, who)

    @app.get(
        "/api/incidents/{incident_id}/stream",
        tags=["events"],
        summary="live events as Server-Sent Events (SSE id = seq; resume with Last-Event-ID)",
        response_class=EventStreamDoc,
        responses={**not_json("text/event-stream", "one SSE message per stored event"), **errors(401, 404, 422, 429)},
    )
    async def stream(
        who: Who,
        incident_id: Annotated[str, Depends(known_incident)],
        start: Annotated[int, Depends(stream_start)],
        request: Request,
    ) -> EventStream:
        p = parts(request)
        listener = Listener(None, start)
        stream = _open_stream(p, who, lambda: p.hub.wake_listener(incident_id, listener))
        return EventStream(p, incident_id, start, listener, stream, p.streams.closer(stream))

    add_hook_route(app, the_parts.db, ServerLogStore(the_parts), alerts, the_parts.metrics)  # hook secrets live beside the tokens
    append_route = next(route for route in app.routes if getattr(route, "endpoint", None) is append_event)
    app.user_middleware.append(Middleware(AppendRoute, parts=the_parts, route=append_route))  # the innermost: inside Watch
    return app
