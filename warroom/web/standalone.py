"""``warroom status-page``: the status page alone, read-only, over any store (a shared folder)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from fastapi import FastAPI

from warroom.asgi.streams import STATUS_STREAMS, Streams
from warroom.store.base import EventStore

from .access import OpenAccess
from .live import LiveViews
from .pages import StatusSettings
from .routes import status_router


def create_status_app(store: EventStore, keepalive: float = 15.0, settings: StatusSettings | None = None) -> FastAPI:
    """A read-only app with only the status page, over any store (a folder, usually)."""
    views = LiveViews(store, keepalive)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await views.close()
            await store.aclose()

    app = FastAPI(title="warroom status page", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    access = OpenAccess()  # no keys: every viewer is one holder, capped only in all
    app.include_router(status_router(views, access, Streams(access.gone_among, STATUS_STREAMS, STATUS_STREAMS), settings))
    app.state.status_views = views
    return app
