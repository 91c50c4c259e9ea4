"""The notifier inside ``warroom serve``: started with the app when ``[[notify]]`` has targets."""

# No `from __future__ import annotations`: the route closes over `responder`, which FastAPI must see.

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI

from warroom.config import load_config, resolve_export_folder

from . import records_for_server
from .records import Deliveries
from .relay import Notifier
from .targets import targets_from

log = logging.getLogger("warroom.notify")


def notifier_router(parts: Any, responder: Any) -> APIRouter | None:
    """A router whose lifespan runs the notifier over the server's own log (``None`` without targets)."""
    config = load_config()
    if not config.notify:
        return None
    from warroom.server.backend import is_postgres

    if is_postgres(parts.db):
        # Several servers share one PostgreSQL database and each would send every notice;
        # until the records live in that database too, only SQLite servers and relays send.
        log.warning("[[notify]] is ignored on a PostgreSQL-backed server: notifications are not sent from it")
        return None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from warroom.server.reader import ServerReader

        deliveries = Deliveries(records_for_server(parts.db))
        notifier = Notifier(
            ServerReader(parts),
            targets_from(config.notify),
            deliveries,
            status_base=config.server.public_url,
            postmortem_folder=resolve_export_folder(config),
        )
        task = asyncio.create_task(notifier.run(), name="warroom-notifier")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            deliveries.close()

    router = APIRouter(lifespan=lifespan)
    path = records_for_server(parts.db)

    def failing() -> list[str]:
        reader = Deliveries(path, readonly=True)
        try:
            return [h.line() for h in reader.health() if h.failing]
        finally:
            reader.close()

    @router.get("/api/notify/failing", tags=["notifications"], summary="targets that keep failing, one line each")
    async def notify_failing(who: Annotated[Any, Depends(responder)]) -> list[str]:
        return await asyncio.to_thread(failing) if path.exists() else []

    return router
