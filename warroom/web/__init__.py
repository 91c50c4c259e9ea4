"""The stakeholders' status page: server-rendered HTML, a live viewer stream, share keys.

Mounted by ``warroom serve`` (``mount_server_status``) and served on its own over a
shared folder by ``warroom status-page`` (``create_status_app``). Everything shown is
rendered from the viewer-safe projection in ``warroom.incident.public``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from fastapi import FastAPI

from warroom.store.base import EventStore

from .access import OpenAccess
from .live import LiveViews
from .routes import status_router


def create_status_app(store: EventStore, keepalive: float = 15.0) -> FastAPI:
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
    app.include_router(status_router(views, OpenAccess()))
    app.state.status_views = views
    return app
