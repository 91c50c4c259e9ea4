"""The server's parts, shared by every request: its log, hub, tokens, limiter and stream caps.

Apart from the routes (``app``) so the readers inside the server (``reader``, and
``receiver``'s store for the alert intake) can name the type without importing the app.
"""

from __future__ import annotations

import asyncio
from typing import Any

from warroom.asgi.streams import Streams, within_bytes
from warroom.db.backend import Database, is_postgres, open_tokens
from warroom.incident import EventDraft
from warroom.store.base import Rejected, StoreUnavailable, UnknownIncident

from .hub import Hub
from .limits import RateLimiter
from .logs import open_log
from .watch import Metrics
from .writer import Unprocessable


class Parts:
    def __init__(self, db: Database, rate: float, burst: float | None, keepalive: float, tail_keep: int, streams_per_token: int):
        self.db = db
        self.metrics = Metrics("postgresql" if is_postgres(db) else "sqlite")
        self.hub = Hub(tail_keep, delivered=self.metrics.delivered)
        self.log = open_log(db, on_commit=self._committed)
        self.tokens = open_tokens(db)
        self.limiter = RateLimiter(rate, burst)
        self.keepalive = keepalive
        self.streams = Streams(self.tokens.revoked_among, streams_per_token)

    def answering(self) -> bool:
        """Whether a responder's request is being answered: an append (or a call) waiting for the
        writer thread, or an ``/api`` request whose answer has not started. A status page crowd's
        fan-out waits for it (``warroom.web.live``)."""
        return self.log.writing() or self.metrics.answering > 0

    def _committed(self, committed: list) -> None:
        self.metrics.committed(committed)
        self.hub.publish(committed)

    async def append(self, incident_id: str, draft: EventDraft, *writer: Any) -> tuple[str, bool]:
        """``log.append``, counted by outcome (``warroom_appends``)."""
        try:
            text, created = await self.log.append(incident_id, draft, *writer)
        except Exception as error:
            self.metrics.appended(next((name for kind, name in _APPEND_FAILURES if isinstance(error, kind)), "error"))
            raise
        self.metrics.appended("created" if created else "retried")
        return text, created

    async def rows(
        self, incident_id: str, after: int, limit: int, *, fresh: bool = False, max_bytes: int | None = None
    ) -> list[tuple[int, str]]:
        """Stored events after ``after``: from memory when recent, else from the database (off the loop);
        with ``max_bytes``, only as many as add up to that (at least one).

        ``fresh``: a plain read must include what other servers on a shared database
        committed a moment ago (read-your-writes across servers), so it asks the database."""
        recent = None if fresh and getattr(self.log, "shared", False) else self.hub.recent(incident_id, after, limit)
        if recent is not None:
            return recent if max_bytes is None else within_bytes(recent, max_bytes)
        return await asyncio.to_thread(self.log.read_json, incident_id, after, limit, max_bytes)

    async def exists(self, incident_id: str) -> bool:
        return self.hub.known(incident_id) or await asyncio.to_thread(self.log.exists, incident_id)


_APPEND_FAILURES = ((Rejected, "refused"), (UnknownIncident, "unknown_incident"), (Unprocessable, "unprocessable"), (StoreUnavailable, "unavailable"))
