"""The status page inside ``warroom serve``: the ``/status`` routes plus ``/api/shares``.

Share keys are made through the server, authenticated by the responder's own token,
rather than by writing the database directly as ``warroom token`` does: only the
server can say who commands an incident right now (it folds the log), and the person
sharing is usually not the person who runs the server.

An incident's key is made by its commander or comms; the ``/status`` index (every open
incident) is wider than any one incident's command, so its key is made only by an
admin token (``warroom token add HANDLE --admin``) or by the operator on the database
(``warroom share --all --db``), and revoked by its maker, an admin token or the operator.

The server's in-memory copy of revocations is what lets open pages be cut off at once:
a key revoked here ends its open streams there and then. One revoked in another process
(the operator on the database, another server on PostgreSQL), or whose maker's token was
revoked, is noticed within ``STATUS_RECHECK_SECONDS``: every open stream's key is re-checked
in one indexed query that often, while any is open (SQLite has no way to tell another
process of a change; asking is cheaper than watching).
"""

# No `from __future__ import annotations`: the routes close over `responder`, which FastAPI must see.

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from warroom.asgi.responses import errors
from warroom.asgi.streams import STATUS_STREAMS, STATUS_STREAMS_PER_KEY, Streams
from warroom.db.backend import open_shares
from warroom.db.shares import ALL, DEFAULT_EXPIRY, MAX_EXPIRY, ShareKey
from warroom.incident import fold
from warroom.incident import events as ev
from warroom.store.base import EventStore, StoreError

from .access import ServerAccess
from .live import LiveViews
from .pages import StatusSettings
from .routes import PREFIX, status_router

STATUS_RECHECK_SECONDS = 0.25
NOT_ADMIN = (
    "only an admin token or the operator may {what} an index key (every open incident): "
    "ask whoever runs the server (`warroom share --all --db`, or `warroom token add HANDLE --admin`)"
)


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident: ev.IncidentId | None = Field(None, description="the incident to share; leave out for the /status index")
    expires_minutes: int = Field(
        int(DEFAULT_EXPIRY.total_seconds() // 60), ge=1, le=int(MAX_EXPIRY.total_seconds() // 60)
    )


class ShareOut(BaseModel):
    id: str
    incident: str
    created_by: str
    created_at: str
    expires_at: str
    revoked_at: str | None = None
    created_by_token: str | None = Field(None, description="the token that made it (null: the operator); revoking that token ends the key")
    maker_revoked: bool = Field(False, description="the token that made it is revoked: the key no longer opens anything")
    key: str | None = Field(None, description="the secret, only in the answer that made it")
    path: str | None = Field(None, description="the status page path with the key, to put after the server's URL")


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=1, max_length=300, description="a share id (shr_...) or the key itself")


def _out(share: ShareKey, **extra: Any) -> ShareOut:
    return ShareOut(**share.as_dict(), **extra)


def mount_server_status(
    app: FastAPI,
    parts: Any,
    responder: Any,
    reader: EventStore,
    *,
    streams_per_key: int = STATUS_STREAMS_PER_KEY,
    streams: int = STATUS_STREAMS,
    settings: StatusSettings | None = None,
) -> LiveViews:
    """Add the status page and the share API to the server app (``responder`` is its token dependency);
    live streams are capped per key and in all, and ``app.state.status_streams`` counts them. ``reader``
    is the server's own log as a store (``warroom.server.reader``); ``parts`` the server's parts."""
    shares = open_shares(parts.db)  # SQLite or PostgreSQL, like the rest of the server's database
    views = LiveViews(reader, keepalive=parts.keepalive, answering=parts.answering)
    access = ServerAccess(parts.tokens, shares, open_to_all=settings is not None and settings.open_to_all)
    open_streams = Streams(access.gone_among, streams_per_key, streams, check_every=STATUS_RECHECK_SECONDS)
    app.include_router(status_router(views, access, open_streams, settings))
    app.state.status_views = views
    app.state.status_streams = open_streams
    app.state.shares = shares
    api = APIRouter(prefix="/api/shares", tags=["status page"])

    async def may_share(incident: str, handle: str) -> None:
        try:
            state = fold(await reader.read(incident))
        except StoreError:
            raise HTTPException(404, f"no incident {incident}") from None
        if handle != state.commander and state.roles.get("comms") != handle:
            raise HTTPException(403, f"only the commander or comms of {incident} may share it")

    @api.post(
        "",
        status_code=201,
        summary="make a read-only viewer key for the status page (an incident's commander or comms; the index: an admin token)",
        responses=errors(401, 403, 404, 413, 422, 429),
    )
    async def make_share(payload: ShareIn, who: Annotated[Any, Depends(responder)]) -> ShareOut:
        if payload.incident is not None:
            await may_share(payload.incident, who.handle)
        elif not who.admin:
            raise HTTPException(403, NOT_ADMIN.format(what="make"))
        share, key = shares.add(payload.incident or ALL, who.handle, timedelta(minutes=payload.expires_minutes), token=who.token_id)
        page = PREFIX if share.scope is None else f"{PREFIX}/{share.scope}"
        return _out(share, key=key, path=f"{page}?key={key}")

    @api.get("", summary="every share key (never the secrets)", responses=errors(401, 429))
    async def list_shares(who: Annotated[Any, Depends(responder)]) -> list[ShareOut]:
        return [_out(share) for share in shares.list()]

    @api.post(
        "/revoke",
        summary="revoke a share key (its maker, the incident's commander or comms; an index key: its maker or an admin token)",
        responses=errors(401, 403, 404, 413, 422, 429),
    )
    async def revoke_share(payload: RevokeIn, who: Annotated[Any, Depends(responder)]) -> ShareOut:
        share = shares.find(payload.target)
        if share is None:
            raise HTTPException(404, "no such share key (see `warroom share list`)")
        if share.created_by != who.handle or share.token is None:  # the operator's keys are nobody's handle
            if share.scope is None:
                if not who.admin:
                    raise HTTPException(403, NOT_ADMIN.format(what="revoke"))
            else:
                await may_share(share.scope, who.handle)
        revoked = shares.revoke(share.id)
        assert revoked is not None
        open_streams.end_streams_of(share.id)
        return _out(revoked)

    app.include_router(api)
    return views
