"""The alert webhook route, ``POST /hooks/{secret}``, and ``warroom alerts`` (the same route beside a folder).

The secret in the path is the credential (``warroom hook add`` makes it), checked
before the body is read; a responder token is not a hook secret and never works
here. A body over ``MAX_HOOK_BODY`` is refused with 413 and a hint (Alertmanager's
``max_alerts``), a malformed or wrongly shaped one with 422 and where it went wrong,
and everything else is answered 200 with what was recorded -- Alertmanager and
Grafana retry on 5xx, so a 5xx here only ever means "the log could not be written".
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import re
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, HTTPException, Path as PathParam, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from warroom import __version__
from warroom.alerts.intake import Intake, IntakeStore, Outcome
from warroom.alerts.payload import PayloadError, parse
from warroom.incident.alert_severity import AlertsConfig
from warroom.incident import PERSON, EventDraft, StoredEvent, Writer
from warroom.incident.events import parse_stored, parse_stored_lines
from warroom.store.base import IncidentSummary, Rejected, StoreUnavailable, UnknownIncident
from warroom.store.opening import open_regular
from warroom.db.backend import Database, describe_db, is_postgres
from warroom.db.sqlite import connect
from warroom.db.tokens import MAX_TOKEN_LENGTH, hash_token

from .hooks import HOOK_PREFIX, HookBook, HookInfo
from .limits import RateLimiter
from .logs import open_hooks
from .parts import Parts
from .writer import Unprocessable

MAX_HOOK_BODY = 1024 * 1024
"""Room for 100 alerts with generous labels; more than that is a sender to tune, not a payload to parse."""
HOOK_RATE = 20.0
HOOK_BURST = 100.0


class HookOut(BaseModel):
    incident: str | None = Field(description="the incident the alerts went to (null: nothing was recorded)")
    declared: bool = Field(description="this notification declared the incident")
    recorded: int = Field(description="alert changes recorded on the timeline")
    repeated: int = Field(description="alerts already recorded as they are (deduplicated)")
    dropped: int = Field(description="alerts not recorded: beyond 100 per notification, or truncated by the sender")
    detail: str
    notes: list[str] = Field(default_factory=list, description="what was bounded (labels dropped, text cut)")


class _Hooks:
    """Secret lookups on a short-lived connection: hooks are rare, and this needs no shutdown."""

    def __init__(self, db: Path):
        HookBook(db).close()  # creates the table if needed
        self.db = db

    def lookup(self, secret: str) -> HookInfo | None:
        if not secret.startswith(HOOK_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            return None
        with closing(connect(self.db, readonly=True)) as conn:
            try:
                row = conn.execute(
                    "SELECT id, name, kind, created_at, revoked_at FROM hooks WHERE hash = ? AND revoked_at IS NULL",
                    (hash_token(secret),),
                ).fetchone()
            except sqlite3.OperationalError:
                return None
        return HookInfo(*row) if row else None


class _HideHookSecrets(logging.Filter):
    """The secret is in the path: an access log (``--access-log``) shows ``/hooks/whk_…`` instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "/hooks/" in args[2]:
            record.args = (*args[:2], _SECRET_IN_PATH.sub("/hooks/whk_…", args[2]), *args[3:])
        return True


_SECRET_IN_PATH = re.compile(r"/hooks/[^/?#\s]+")
_access_filter = _HideHookSecrets()


def add_hook_route(app: FastAPI, db: Database, store: IntakeStore, alerts: AlertsConfig | None = None, metrics: Any = None) -> None:
    """Mount ``POST /hooks/{secret}`` on ``app``: hooks from the database ``db``, events into ``store``;
    each notification counted in ``metrics`` (``watch.Metrics``) when given."""
    access = logging.getLogger("uvicorn.access")
    if _access_filter not in access.filters:
        access.addFilter(_access_filter)
    hooks = open_hooks(db) if is_postgres(db) else _Hooks(Path(db))
    intake = Intake(store, alerts)
    limiter = RateLimiter(HOOK_RATE, HOOK_BURST)

    @app.api_route(
        "/hooks/{secret}",
        methods=["POST", "PUT"],  # Grafana's webhook contact point may be set to PUT
        tags=["alerts"],
        summary="alert webhook: Alertmanager (v4), Grafana alerting or the generic JSON (POST, or PUT as Grafana allows)",
        response_model=HookOut,
        max_body_size=MAX_HOOK_BODY * 16,  # a backstop: the route counts bytes itself, to answer in words
        responses={
            401: {"description": "unknown or revoked hook secret"},
            413: {"description": "body over 1 MiB"},
            422: {"description": "not a notification this hook's kind understands"},
            429: {"description": "too many notifications from this hook"},
        },
    )
    async def receive(
        secret: Annotated[str, PathParam(max_length=200, description="the secret `warroom hook add` printed, in its URL")],
        request: Request,
    ) -> JSONResponse:
        try:
            outcome = await take(secret, request)
        except HTTPException as refusal:
            if metrics is not None and refusal.status_code < 500:
                metrics.hook_refused()
            raise
        if metrics is not None:
            metrics.hook_accepted(outcome.recorded, outcome.repeated, outcome.dropped)
        return JSONResponse(outcome.as_dict())

    async def take(secret: str, request: Request) -> Outcome:
        try:
            hook = await asyncio.to_thread(hooks.lookup, secret)
        except StoreUnavailable as error:
            raise HTTPException(503, f"cannot check hooks: {error}", headers={"Retry-After": "5"}) from None
        if hook is None:
            raise HTTPException(401, "unknown or revoked hook (make one with `warroom hook add NAME`)")
        wait = limiter.take(hook.id)
        if wait is not None:
            after = RateLimiter.retry_after_header(wait)
            raise HTTPException(429, f"too many notifications from hook {hook.name}: retry in {after} s", headers={"Retry-After": after})
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_HOOK_BODY:
            raise HTTPException(413, _too_big(int(length)))
        data = await _body(request)
        try:
            notification = await asyncio.to_thread(parse, data, hook.kind)
        except PayloadError as error:
            article = "an" if hook.kind[0] in "aeiou" else "a"
            raise HTTPException(422, f"not {article} {hook.kind} notification: {error}") from None
        try:
            outcome = await intake.receive(hook.name, notification, secret)
        except Rejected as refusal:
            raise HTTPException(409, refusal.reason) from None
        except (Unprocessable, UnknownIncident) as error:
            raise HTTPException(422, str(error)) from None
        except ValidationError as error:  # the payload module bounds everything; this is the backstop
            first = error.errors()[0]
            raise HTTPException(422, f"an alert cannot be recorded: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        except StoreUnavailable as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "5"}) from None
        return outcome


def _too_big(size: int | None) -> str:
    what = f"alert notification of {size:,} bytes" if size is not None else "alert notification"
    return (
        f"{what} is over the {MAX_HOOK_BODY // 1024} KiB limit: "
        "cap it at the sender (Alertmanager: max_alerts in the webhook_config)"
    )


async def _body(request: Request) -> bytes:
    """The body, read up to ``MAX_HOOK_BODY`` (a chunked body has no length to check up front)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_HOOK_BODY:
            raise HTTPException(413, _too_big(None))
        chunks.append(chunk)
    return b"".join(chunks)


class ServerLogStore:
    """The server's own log seen through the intake's three calls."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts

    async def append(self, incident_id: str, draft: EventDraft, writer: Writer = PERSON) -> StoredEvent:
        text, _ = await self.parts.append(incident_id, draft, writer)
        return parse_stored(text)

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        events: list[StoredEvent] = []
        while True:
            rows = await self.parts.rows(incident_id, after, 1000)
            events.extend(parse_stored_lines(text for _, text in rows))
            if len(rows) < 1000:
                return events
            after = rows[-1][0]

    async def incidents(self) -> list[IncidentSummary]:
        return await self.parts.log.summaries()


# --- `warroom alerts`: the receiver beside a shared folder ------------------------------------------


def create_alerts_app(folder: str | Path, db: str | Path, alerts: AlertsConfig | None = None) -> FastAPI:
    from warroom.store.file import FileStore

    store = FileStore(folder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await store.aclose()

    app = FastAPI(
        title="warroom alerts",
        version=__version__,
        description="Alert webhooks into a folder of incident logs (the file store).",
        lifespan=lifespan,
        max_body_size=64 * 1024,
    )

    @app.get("/healthz", tags=["meta"])
    async def healthz() -> dict:
        return {"status": "ok", "version": __version__}

    add_hook_route(app, db if is_postgres(db) else Path(db), store, alerts)
    return app


def run_alerts(folder: str | Path, db: str | Path, *, host: str, port: int, alerts: AlertsConfig | None = None) -> int:
    """Serve the hook route for ``folder`` until SIGINT/SIGTERM; one receiver per folder (a lock file)."""
    from warroom.asgi.listener import bind_listener

    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    lock = open_regular(folder / ".warroom-alerts.lock", os.O_RDWR | os.O_CREAT, mode=0o600, what="lock files")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        print(f"warroom alerts: another receiver is already running for {folder}", file=sys.stderr)
        return 1
    try:
        try:
            sock = bind_listener(host, port)
        except OSError as error:
            print(f"warroom alerts: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
            return 1
        app = create_alerts_app(folder, db, alerts)
        config = uvicorn.Config(app, lifespan="on", access_log=False, log_level="warning", timeout_graceful_shutdown=5, server_header=False)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        server = _Announcing(config, f"warroom alerts: listening on http://{shown}:{bound_port} (store {folder}, hooks in {describe_db(db)})")
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
    finally:
        os.close(lock)
    return 0


class _Announcing(uvicorn.Server):
    """Says where it listens once it accepts connections (the line scripts and tests wait for)."""

    def __init__(self, config: uvicorn.Config, announce: str):
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: list | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            print(self.announce, flush=True)
