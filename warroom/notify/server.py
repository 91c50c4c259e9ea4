"""The notifier inside ``warroom serve``: started with the app when ``[[notify]]`` has targets."""

# No `from __future__ import annotations`: the route closes over `responder`, which FastAPI must see.

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException

from warroom.config import load_config
from warroom.db.backend import is_postgres
from warroom.store.base import EventStore, StoreError

from . import records_for_server, server_records
from .relay import Notifier
from .targets import targets_from

log = logging.getLogger("warroom.notify")


def notifier_router(parts: Any, responder: Any, reader: EventStore) -> APIRouter | None:
    """A router whose lifespan runs the notifier over the server's own log, ``reader`` (``None`` without targets)."""
    config = load_config()
    if not config.notify:
        return None
    shared = is_postgres(parts.db)  # records in the database: every server sends, each row once

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        deliveries = server_records(parts.db)
        notifier = Notifier(
            reader,
            targets_from(config.notify),
            deliveries,
            status_base=config.server.public_url,
            on_delivery=parts.metrics.delivery,
        )
        task = asyncio.create_task(notifier.run(), name="warroom-notifier")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            deliveries.close()

    router = APIRouter(lifespan=lifespan)

    def failing() -> list[str]:
        if not shared and not records_for_server(parts.db).exists():
            return []
        reader = server_records(parts.db, readonly=True)
        try:
            return [h.line() for h in reader.health() if h.failing]
        finally:
            reader.close()

    @router.get("/api/notify/failing", tags=["notifications"], summary="targets that keep failing, one line each")
    async def notify_failing(who: Annotated[Any, Depends(responder)]) -> list[str]:
        try:
            return await asyncio.to_thread(failing)
        except StoreError as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "5"}) from None

    return router
