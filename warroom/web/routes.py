"""The status page's routes: ``/status``, ``/status/{id}``, its viewer stream, its assets.

Read-only by construction: these routes only read the live projections. The key comes
in the query string (``?key=``, so a link is all a stakeholder needs) or, for scripts,
as a bearer header. Live streams are counted per key and in all (429 past either, like
a token's streams on ``/api``) and end when their key is revoked. Responses are never cached and send no referrer, so a key does not
travel to any other site.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response

from warroom.asgi.responses import SSE_HEADERS, OpenStreamResponse
from warroom.asgi.streams import Streams, TooManyStreams
from warroom.incident.events import canonical_incident_id, valid_incident_id

from .access import Access, Viewer
from .live import RECHECK, LiveViews
from .pages import base_context, static_file, templates, with_key

PREFIX = "/status"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}
KeyParam = Annotated[str | None, Query(max_length=300, description="a share key (wv_...) or a responder's token")]
AuthHeader = Annotated[str | None, Header()]
MAX_AFTER = 2**53


def _key(key: str | None, authorization: str | None) -> str | None:
    if key:
        return key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _too_many(error: TooManyStreams) -> Response:
    if error.in_total:
        text = f"the status page already has {error.limit} open live streams (server.status_streams): try again later"
    else:
        text = (
            f"this key already has {error.limit} open live streams (server.status_streams_per_key): "
            "close a tab, or ask for a key of your own"
        )
    return Response(text, status_code=429, media_type="text/plain", headers={**HEADERS, "Retry-After": "5"})


def status_router(views: LiveViews, access: Access, streams: Streams) -> APIRouter:
    """The routes; ``streams`` counts the live streams, per key and in all, and ends a revoked key's."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def not_found(request: Request) -> Response:
        context = base_context(PREFIX, None)
        return templates.TemplateResponse(request, "not_found.html", context, status_code=404, headers=HEADERS)

    def viewer_of(key: str | None, authorization: str | None, incident_id: str | None = None) -> Viewer | None:
        if incident_id is not None and not valid_incident_id(incident_id):
            return None
        who = access.viewer(_key(key, authorization))
        if who is None or (incident_id is not None and not who.may_see(incident_id)):
            return None
        return who

    @router.get("/static/{name}")
    async def asset(name: str) -> Response:
        found = static_file(name)
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        data, media = found
        return Response(data, media_type=media, headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})

    @router.get("", response_class=HTMLResponse)
    async def index(request: Request, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        who = viewer_of(key, authorization)
        if who is None:
            return not_found(request)
        summaries = [s for s in await views.store.incidents() if not s.closed and who.may_see(s.id)]
        incidents = [
            {**s.as_dict(), "declared_at": s.declared_at, "url": with_key(f"{PREFIX}/{s.id}", key)} for s in summaries
        ]
        context = {**base_context(PREFIX, key), "incidents": incidents}
        return templates.TemplateResponse(request, "index.html", context, headers=HEADERS)

    @router.get("/{incident_id}", response_class=HTMLResponse)
    async def incident(request: Request, incident_id: str, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        incident_id = canonical_incident_id(incident_id)  # any case, as everywhere else
        if viewer_of(key, authorization, incident_id) is None:
            return not_found(request)
        live = await views.get(incident_id)
        if live is None or live.view is None:
            return not_found(request)
        context = {
            **base_context(PREFIX, key),
            "view": live.view,
            "seq": live.seq,
            "now": datetime.now(timezone.utc),
            "stream_url": with_key(f"{PREFIX}/{incident_id}/stream", key, after=live.seq),
        }
        return templates.TemplateResponse(request, "incident.html", context, headers=HEADERS)

    @router.get("/{incident_id}/stream")
    async def stream(
        request: Request,
        incident_id: str,
        key: KeyParam = None,
        authorization: AuthHeader = None,
        after: Annotated[int, Query(ge=0, le=MAX_AFTER)] = 0,
        last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    ) -> Response:
        incident_id = canonical_incident_id(incident_id)
        who = viewer_of(key, authorization, incident_id)
        live = await views.get(incident_id) if who is not None else None
        if who is None or live is None:
            return not_found(request)
        if last_event_id and last_event_id.strip().isdigit():
            after = min(int(last_event_id.strip()), MAX_AFTER)
        try:
            slot = streams.open(who.holder, lambda: live.wake(RECHECK))
        except TooManyStreams as error:
            return _too_many(error)

        def allowed() -> bool:
            return not slot.revoked and who.still_allowed()

        return OpenStreamResponse(views.stream(live, after, allowed), streams.closer(slot), headers=SSE_HEADERS)

    return router


__all__ = ["PREFIX", "status_router"]
