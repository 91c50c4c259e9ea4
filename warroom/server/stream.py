"""An incident's SSE stream as a plain ASGI response: catch up through ``send``, then listen.

A subscriber sends what it finds past its cursor (the hub's framed messages, or the
database's for older events) in pages through the ASGI ``send``, which waits while the
socket has not drained. Once it has found nothing more it leaves a ``hub.Listener`` in
the incident's feed and its task sleeps: the hub writes each commit to it directly
(``protocol.BodyWriter``), so a commit seen by a hundred subscribers is a hundred writes
in one pass, with no task woken, no response iterator stepped, and no middleware's
``send`` called per subscriber. The task wakes only to act itself: a reader too slow to
take a write, a commit larger than a page, a gap, a keep-alive where writing directly
is not possible, its token revoked, the client gone, or the server stopping.

Not Starlette's ``StreamingResponse``: that one must step its iterator, in its own task,
for every message, and sends each through every middleware's ``send`` wrapper. The client
going away is watched by one task per stream (``receive`` until ``http.disconnect``), which
wakes the sleeping one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.sse import format_sse_event
from starlette.types import Receive, Scope, Send

from warroom.asgi.responses import SSE_HEADERS, WrittenStream, body_writer, until_disconnect
from warroom.asgi.streams import PAGE_BYTES, OpenStream

from .hub import KEEPALIVE, TICK, Listener, sse_message

if TYPE_CHECKING:
    from .parts import Parts

STREAM_PAGE = 500
RETRY_MS = 1000
CONNECTED = format_sse_event(comment="connected", retry=RETRY_MS)
REVOKED = format_sse_event(comment="token revoked")


class EventStream(WrittenStream):
    """Everything after ``cursor``, then each commit as it lands (SSE id = seq, data = the event's JSON)."""

    def __init__(self, parts: Parts, incident_id: str, cursor: int, listener: Listener, stream: OpenStream, release: Callable[[], None]):
        super().__init__(SSE_HEADERS)
        self.parts = parts
        self.incident_id = incident_id
        self.cursor = cursor
        self.listener = listener
        self.stream = stream
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher: asyncio.Task | None = None
        try:
            self.listener.write = body_writer(scope)
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": CONNECTED, "more_body": True})
            watcher = asyncio.get_running_loop().create_task(_until_gone(receive, self.listener))
            await self._follow(send)
            if self.stream.revoked:
                await send({"type": "http.response.body", "body": REVOKED, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.parts.hub.unlisten(self.incident_id, self.listener)
            if watcher is not None:
                watcher.cancel()
            self.release()

    async def _follow(self, send: Send) -> None:
        p, hub, incident_id, listener, stream = self.parts, self.parts.hub, self.incident_id, self.listener, self.stream
        cursor = self.cursor
        woken_by = None
        while not hub.closing and not stream.revoked and not listener.gone:
            recent = hub.recent_messages(incident_id, cursor, STREAM_PAGE, PAGE_BYTES)  # framed once, for every subscriber
            if recent is None:  # older than memory: from the database, framed here
                rows = await p.rows(incident_id, cursor, STREAM_PAGE, max_bytes=PAGE_BYTES)
                recent = (b"".join(sse_message(seq, text) for seq, text in rows), rows[-1][0]) if rows else (b"", cursor)
            if stream.revoked or listener.gone:
                break
            messages, last = recent
            if messages:
                await send({"type": "http.response.body", "body": messages, "more_body": True})
                p.metrics.delivered(incident_id, cursor, last)
                cursor = last
                continue
            if woken_by == TICK:  # woken for a keep-alive the hub could not write itself
                await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})
            listener.cursor = cursor
            woken_by = await hub.listen(incident_id, listener)
            hub.unlisten(incident_id, listener)
            cursor = listener.cursor  # past whatever the hub wrote meanwhile


async def _until_gone(receive: Receive, listener: Listener) -> None:
    await until_disconnect(receive)
    listener.leave()
