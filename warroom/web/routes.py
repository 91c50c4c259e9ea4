"""The status page's routes: ``/status``, ``/status/{id}``, their Atom feeds, the viewer stream, the assets.

Read-only by construction: these routes only read the live projections and the public
part of the summaries. An incident nobody published answers exactly like one that does
not exist (404). The key comes in the query string (``?key=``, so a link is all a
stakeholder needs) or, for scripts, as a bearer header. Live streams are counted per key
and in all (429 past either, like a token's streams on ``/api``) and end when their key
is revoked. Pages and feeds carry an ETag (a repeat with ``If-None-Match`` gets a 304 and
no body); a keyed one is ``private, no-store`` so no cache keeps it, and none sends a
referrer, so a key does not travel to any other site. Only a page without a key on a
public status page (``[server] public_url`` set) may be cached, briefly, by a CDN.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response

from warroom.asgi.responses import SSE_HEADERS
from warroom.asgi.streams import Streams, TooManyStreams
from warroom.incident.events import canonical_incident_id, valid_incident_id

from .access import Access, Viewer
from .board import StatusBoard, status_board
from .feeds import ATOM_MEDIA_TYPE, incident_feed, index_feed
from .live import RECHECK, LiveIncident, LiveViews
from .pages import StatusSettings, base_context, static_file, templates, with_key
from .stream import PageStream

PREFIX = "/status"
PUBLIC_MAX_AGE = 10
"""Seconds a CDN may serve a keyless public page or feed before asking again (with its ETag)."""
HEADERS = {
    "Cache-Control": "private, no-store",
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


def _tagged(request: Request, body: str, media_type: str, keyed: bool, settings: StatusSettings) -> Response:
    """``body`` with its ETag, or a 304 when the client already has it."""
    etag = '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'
    cache = "private, no-store" if keyed or not settings.public else f"public, max-age={PUBLIC_MAX_AGE}"
    headers = {**HEADERS, "Cache-Control": cache, "ETag": etag}
    if etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def status_router(views: LiveViews, access: Access, streams: Streams, settings: StatusSettings | None = None) -> APIRouter:
    """The routes; ``streams`` counts the live streams, per key and in all, and ends a revoked key's."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    settings = settings or StatusSettings()

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

    async def board_for(who: Viewer) -> StatusBoard:
        summaries = [s for s in await views.store.incidents() if who.may_see(s.id)]
        return status_board(summaries, settings, datetime.now(timezone.utc))

    def absolute(request: Request, path: str) -> str:
        return str(request.base_url).rstrip("/") + path

    @router.get("", response_class=HTMLResponse)
    async def index(request: Request, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        who = viewer_of(key, authorization)
        if who is None:
            return not_found(request)
        board = await board_for(who)
        urls = {item.id: with_key(f"{PREFIX}/{item.id}", key) for item in board.listed}
        context = {**base_context(PREFIX, key), "board": board, "urls": urls, "feed_url": with_key(f"{PREFIX}/feed.atom", key)}
        html = templates.env.get_template("index.html").render(context)
        return _tagged(request, html, "text/html; charset=utf-8", bool(key or authorization), settings)

    @router.get("/feed.atom")
    async def index_feed_route(request: Request, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        who = viewer_of(key, authorization)
        if who is None:
            return not_found(request)
        board = await board_for(who)
        urls = {item.id: absolute(request, with_key(f"{PREFIX}/{item.id}", key)) for item in board.listed}
        body = index_feed(
            board, urls, absolute(request, with_key(PREFIX, key)), absolute(request, with_key(f"{PREFIX}/feed.atom", key))
        )
        return _tagged(request, body, ATOM_MEDIA_TYPE, bool(key or authorization), settings)

    async def published(incident_id: str, key: str | None, authorization: str | None) -> LiveIncident | None:
        if viewer_of(key, authorization, incident_id) is None:
            return None
        live = await views.get(incident_id)
        if live is None or live.view is None or not live.view.published:
            return None
        return live

    @router.get("/{incident_id}", response_class=HTMLResponse)
    async def incident(request: Request, incident_id: str, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        incident_id = canonical_incident_id(incident_id)  # any case, as everywhere else
        live = await published(incident_id, key, authorization)
        if live is None or live.view is None:
            return not_found(request)
        context = {
            **base_context(PREFIX, key),
            "view": live.view,
            "seq": live.seq,
            "now": datetime.now(timezone.utc),
            "stream_url": with_key(f"{PREFIX}/{incident_id}/stream", key, after=live.seq),
            "feed_url": with_key(f"{PREFIX}/{incident_id}/feed.atom", key),
        }
        html = templates.env.get_template("incident.html").render(context)
        return _tagged(request, html, "text/html; charset=utf-8", bool(key or authorization), settings)

    @router.get("/{incident_id}/feed.atom")
    async def incident_feed_route(request: Request, incident_id: str, key: KeyParam = None, authorization: AuthHeader = None) -> Response:
        incident_id = canonical_incident_id(incident_id)
        live = await published(incident_id, key, authorization)
        if live is None or live.view is None:
            return not_found(request)
        page = absolute(request, with_key(f"{PREFIX}/{incident_id}", key))
        body = incident_feed(live.view, page, absolute(request, with_key(f"{PREFIX}/{incident_id}/feed.atom", key)))
        return _tagged(request, body, ATOM_MEDIA_TYPE, bool(key or authorization), settings)

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
        live = await published(incident_id, key, authorization) if who is not None else None
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

        return PageStream(views, live, after, allowed, streams.closer(slot), headers=SSE_HEADERS)

    return router


__all__ = ["PREFIX", "status_router"]
