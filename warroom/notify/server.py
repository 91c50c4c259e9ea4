"""The notifier inside ``warroom serve``: started with the app when ``[[notify]]`` has targets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from warroom.config import load_config, resolve_export_folder

from . import records_for_server
from .records import Deliveries
from .relay import Notifier
from .targets import targets_from


def notifier_router(parts: Any) -> APIRouter | None:
    """A router whose lifespan runs the notifier over the server's own log (``None`` without targets)."""
    config = load_config()
    if not config.notify:
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
            policy=config.policy,
        )
        task = asyncio.create_task(notifier.run(), name="warroom-notifier")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            deliveries.close()

    return APIRouter(lifespan=lifespan)
