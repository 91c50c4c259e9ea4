"""The status page's own process (``warroom serve --status-port``): the crowd away from the responders.

A public outage brings every stakeholder to the status page at once. Inside the server,
writing each broadcast to 10,000 pages took ~200 ms of CPU on the event loop (and under
the GIL) that also answers the responders' appends, doubling their p99 however finely it
was sliced (issue 26). Here the same routes (``warroom.web.routes.status_router``, the
same share keys and the same re-checks of revoked keys, over the server's database) run
in a child process of their own, at a lower CPU priority (``os.nice``), so the kernel
gives the responders' server the CPU first and the crowd never shares its loop or GIL.

The child follows the log read-only (``follower.SqliteFollower``) and serves the listening
socket the parent bound and handed down (``statuschild``), so a restart loses no port
and no connection waits for more than the restart. It ends when the parent ends, however
the parent ends: it holds the read end of a pipe whose write end only the parent holds,
and the kernel closes that end when the parent dies (even by SIGKILL).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from warroom.asgi.heap import FrozenCrowd, collect_young_less_often
from warroom.asgi.streams import STATUS_STREAMS, STATUS_STREAMS_PER_KEY, Streams
from warroom.db.backend import open_shares, open_tokens
from warroom.web.access import ServerAccess
from warroom.web.live import LiveViews
from warroom.web.pages import StatusSettings
from warroom.web.routes import status_router
from warroom.web.server import STATUS_RECHECK_SECONDS

from .credentials import HeadCredentials
from .follower import SqliteFollower
from .protocol import ConnectionLimits, guarded_protocol
from .watch import log_as_json
from .wire import HealthOut

GRACE_SECONDS = 5
"""How long the child drains after its parent is gone before it stops outright."""


@dataclass
class StatusOptions:
    """What the parent tells the child (as JSON on its command line)."""

    db: str
    keepalive: float = 15.0
    nice: int = 10
    streams_per_key: int = STATUS_STREAMS_PER_KEY
    streams: int = STATUS_STREAMS
    limits: dict[str, Any] = field(default_factory=dict)  # the server's ConnectionLimits (``limits_as_dict``)
    log_format: str = "text"
    cpus: list[int] | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> StatusOptions:
        return cls(**json.loads(text))


def settings_as_dict(settings: StatusSettings | None) -> dict[str, Any]:
    if settings is None:
        return {}
    return {"components": [list(c) for c in settings.components], "past_days": settings.past_days, "public": settings.public, "open_to_all": settings.open_to_all}


def limits_as_dict(limits: ConnectionLimits) -> dict[str, Any]:
    """The server's connection limits for the child: every one it was made with (not the connections it
    holds) but ``authenticates`` (each process asks its own)."""
    return {limit.name: getattr(limits, limit.name) for limit in fields(limits) if limit.init and limit.name != "authenticates"}


def _settings(data: dict[str, Any]) -> StatusSettings | None:
    if not data:
        return None
    return StatusSettings(
        components=tuple((name, group) for name, group in data["components"]),
        past_days=data["past_days"],
        public=data["public"],
        open_to_all=data["open_to_all"],
    )


def create_status_process_app(options: StatusOptions) -> FastAPI:
    """The status routes over the server's database, read-only, keyed exactly as inside the server."""
    db = Path(options.db)
    store = SqliteFollower(db)
    views = LiveViews(store, keepalive=options.keepalive)
    tokens, shares = open_tokens(db), open_shares(db)
    settings = _settings(options.settings)
    access = ServerAccess(tokens, shares, open_to_all=settings is not None and settings.open_to_all)
    open_streams = Streams(access.gone_among, options.streams_per_key, options.streams, check_every=STATUS_RECHECK_SECONDS)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        open_streams.start_watching()
        try:
            yield
        finally:
            open_streams.stop_watching()
            await views.close()
            await store.aclose()
            tokens.close()
            shares.close()

    app = FastAPI(title="warroom status page", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(status_router(views, access, open_streams, settings))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> HealthOut:
        return HealthOut()

    app.state.status_views = views
    app.state.status_streams = open_streams
    app.state.head_credentials = HeadCredentials(tokens, shares, None)  # no hook path here: hooks are never asked
    return app


class _StatusServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, heap: FrozenCrowd):
        super().__init__(config)
        self.heap = heap

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self.heap.start()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.heap.stop()
        app = self.config.app
        assert isinstance(app, FastAPI)
        await app.state.status_views.close()  # end the open pages' streams so connections can drain
        await super().shutdown(sockets)


def _end_with_parent(watch_fd: int) -> None:
    """Stop (gracefully, then outright) once the parent's end of the pipe closes."""

    def watch() -> None:
        while os.read(watch_fd, 1):
            pass
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Timer(GRACE_SECONDS, os._exit, (0,)).start()

    threading.Thread(target=watch, name="warroom-status-parent", daemon=True).start()


def main(argv: list[str]) -> int:
    listen_fd, watch_fd, options = int(argv[0]), int(argv[1]), StatusOptions.from_json(argv[2])
    if options.nice:  # before any thread starts: they inherit both (on Linux each is a thread's)
        os.nice(options.nice)
    if options.cpus:
        os.sched_setaffinity(0, options.cpus)
    _end_with_parent(watch_fd)
    if options.log_format == "json":
        log_as_json()
    collect_young_less_often()  # the same heap tuning as the server's
    sock = socket.socket(fileno=listen_fd)
    app = create_status_process_app(options)
    limits = ConnectionLimits(**options.limits, authenticates=app.state.head_credentials)
    config = uvicorn.Config(
        app,
        http=guarded_protocol(limits),
        lifespan="on",
        access_log=False,
        log_level="warning",
        log_config=None if options.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )
    _StatusServer(config, FrozenCrowd(app.state.status_streams.count)).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
