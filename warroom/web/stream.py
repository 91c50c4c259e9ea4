"""One status page's live stream, written as a plain ASGI response.

A public outage brings a crowd: ten thousand pages on one incident, each woken for every
update. Starlette's streaming response gave each page an async generator, a task group
with a second task and its cancel scope, and a shielded future per wait: about 60 µs of
the server's CPU per page per update, ~220 objects per page for every full garbage
collection to walk, and ~100 of them left as cyclic garbage when the page went away. Here
a page is the request's own task: it sends what the page lacks, then waits on one future
as a ``live.Watcher`` while the fan-out writes each new view (the bytes every page shares,
``LiveIncident.message``) to its connection directly; the task wakes only to act itself (a
keep-alive, a key to look at again, a write its connection could not take). A small task on
``receive`` hears the reader hang up, gives the page's place back at once and wakes the page
so it ends. A page that ends leaves nothing for the cycle collector, so a crowd may be frozen
out of the collector's sight while it watches (``warroom.asgi.heap``).

What a page is sent is unchanged: a comment first (with the retry delay), the view
whenever it moved past the seq the page has (``after``, or ``Last-Event-ID`` on a
reconnect), a keep-alive comment on a tick when nothing was sent for half the keep-alive
interval, and ``gone`` when its key stops being valid. A view is written in pieces of at
most ``PAGE_BYTES``, each when the socket has drained the last: a page that stops reading
holds one piece, not a whole view (a long incident's view is hundreds of KiB), until the
server's protocol aborts the connection that stays unwritable (``warroom.server.protocol``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from fastapi.sse import format_sse_event
from starlette.types import Receive, Scope, Send

from warroom.asgi.responses import WrittenStream, body_writer, until_disconnect
from warroom.asgi.streams import PAGE_BYTES

from .live import RETRY_MS, TICK, LiveIncident, LiveViews, Watcher

CONNECTED = format_sse_event(comment="connected", retry=RETRY_MS)
KEEPALIVE = format_sse_event(comment="keep-alive")
GONE = format_sse_event(event="gone", data_str="{}")
HUNG_UP = "hung-up"
"""The wake of a page whose reader went away: nothing more is written."""


class PageStream(WrittenStream):
    """The live stream of one page; ``release`` gives its place (``Streams``) back, once, however it ends."""

    def __init__(
        self,
        views: LiveViews,
        live: LiveIncident,
        after: int,
        allowed: Callable[[], bool],
        release: Callable[[], None],
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(headers)
        self.views = views
        self.live = live
        self.after = after
        self.allowed = allowed
        self.release = release
        self.hung_up = False
        self.waiting: asyncio.Future[str] | None = None
        self.watcher = Watcher(after, 0.0, None)
        self._released = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.watcher.write = body_writer(scope)
        listening = asyncio.get_running_loop().create_task(self._until_hung_up(receive))
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if await self._stream(send):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except BaseException:
            listening.cancel()  # only here: a finished response ends ``receive`` by itself
            raise
        finally:
            self.live.unwatch(self.watcher)
            self._give_back()

    def _give_back(self) -> None:
        if not self._released:
            self._released = True
            self.release()

    async def _until_hung_up(self, receive: Receive) -> None:
        await until_disconnect(receive)
        self.hung_up = True
        self._give_back()  # at once: the page's task may be waiting for a write to drain
        self.live.unwatch(self.watcher)
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result(HUNG_UP)

    async def _stream(self, send: Send) -> bool:
        """Write until the page should end; ``False`` when its reader hung up (nothing more to write)."""
        views, live, watcher = self.views, self.live, self.watcher
        clock = asyncio.get_running_loop().time
        await send({"type": "http.response.body", "body": CONNECTED, "more_body": True})
        watcher.written_at = clock()
        while not self.hung_up:
            if views.closing or live.ended:
                return True
            if not self.allowed():
                await send({"type": "http.response.body", "body": GONE, "more_body": True})
                return True
            if live.seq > watcher.seq:
                seq, message = live.seq, live.message  # together: the write may wait, and the view move on
                for start in range(0, len(message), PAGE_BYTES):  # a whole small view is one write, not a copy
                    await send({"type": "http.response.body", "body": message[start : start + PAGE_BYTES], "more_body": True})
                watcher.seq, watcher.written_at = seq, clock()
                continue
            self.waiting = live.watch(watcher)  # nothing awaits between the look above and this wait
            why = await self.waiting
            self.waiting = None
            if why == TICK and clock() - watcher.written_at >= views.keepalive / 2:  # a page just sent a view needs no keep-alive
                await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})
                watcher.written_at = clock()
        return False
