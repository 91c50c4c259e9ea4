"""One live projection per incident, shared by every open status page.

A thousand stakeholders watching one incident must not cost a thousand folds: each
incident viewed gets one ``LiveIncident`` that follows the store, applies new events
to its own state, and re-renders the viewer fragment once per batch -- and only
announces a change when the viewer-safe projection itself changed (an internal note
moves the log on but changes nothing a viewer sees, so no page hears of it). Every
open page's stream (``warroom.web.stream``) then has the same pre-rendered bytes.

A page that has its view waits as a ``Watcher``, and a new view is written to its
connection by the fan-out itself (the protocol's direct write, ``BODY_WRITER``, as the
hub writes a commit to the boards' streams): ten thousand pages are ten thousand
writes of the same bytes, not ten thousand tasks woken, each sending through Starlette's
and every middleware's ``send`` (issue 26: 35-40 µs of the server's CPU per page, now
~15). A page whose connection cannot take the write (a slow reader, a view larger than
a page, a server that offers no direct write) is woken instead, and its own task sends
the view through ``send``, waiting for the socket to drain.

The fan-out writes in slices of at most ``SLICE_SECONDS``, one per turn of the event
loop, so a responder's request waits for one slice at most to be read; and while an append
waits for the server's writer thread, the next slice waits too (``YIELD_SECONDS`` at a time, at
most ``MAX_YIELDS`` times a slice), so the loop's thread lets go of the GIL and the cores,
and the append is committed and answered first (the writer needs the GIL back after each
SQLite call; with the loop busy, each time took up to Python's 5 ms switch interval). So
does any other request of a responder's (``/api``) until its answer starts: its steps on
the loop follow each other with no slice between them (``Parts.answering``). A
single ticker wakes every waiting page for keep-alives and access re-checks, and a revoked
key wakes them at once (``RECHECK``): those wakes go ``WAKE_BATCH`` pages at a time, with
the same yields.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

from fastapi.sse import format_sse_event

from warroom.incident import IncidentState, apply
from warroom.incident.public import PublicView, announcement, public_view
from warroom.asgi.streams import PAGE_BYTES
from warroom.safetext import safe_line
from warroom.store.base import EventStore, StoreError

from .pages import live_fragment

log = logging.getLogger("warroom.web")

TICK = "tick"
CHANGE = "change"
RECHECK = "recheck"
"""A wake for the streams to look at their keys again (one was revoked), with nothing to send."""
RETRY_MS = 2000
WAKE_BATCH = 16
"""Pages woken per turn of the event loop (16 tasks sending the same bytes: well under a millisecond),
by a tick or a recheck, or by a fan-out whose writes they could not take (a view larger than a page:
every page; a server that offers no direct write)."""
SLICE_SECONDS = 0.0005
"""The longest the fan-out writes to pages in one turn of the event loop (about 30 pages)."""
YIELD_SECONDS = 0.002
MAX_YIELDS = 5
"""A batch waits at most this many times for the appends in flight (10 ms): a flood of appends slows
the fan-out down, never stops it."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _comparable(view: PublicView) -> PublicView:
    return dataclasses.replace(view, seq=0)


class Watcher:
    """One open page as the fan-out sees it: the seq of the view its connection has, when it was
    last written to (the loop's clock), its connection's direct write (``None``: only its task
    may write), and the future its task waits on while it is watching."""

    __slots__ = ("seq", "written_at", "write", "future")

    def __init__(self, seq: int, written_at: float, write: Callable[[bytes], bool] | None):
        self.seq = seq
        self.written_at = written_at
        self.write = write
        self.future: asyncio.Future[str] | None = None


class LiveIncident:
    def __init__(self, incident_id: str, store: EventStore, answering: Callable[[], bool] | None = None):
        self.id = incident_id
        self.store = store
        self.answering = answering
        self.state = IncidentState()
        self.view: PublicView | None = None
        self.seq = 0  # the log seq at which the view last changed: the SSE id
        self.message = b""  # the SSE bytes every stream sends for the current view
        self.ready = asyncio.Event()
        self.failed: str | None = None
        self._watching: dict[Watcher, None] = {}  # pages waiting, in the order they came: written to, or woken
        self._fan_out = 0  # which fan-out is current: a newer view's covers every page, an older one stops
        self._render_pending = False
        self.ended = False  # the follower stopped (server shutting down): streams end too
        self.task: asyncio.Task | None = None

    def watch(self, watcher: Watcher) -> asyncio.Future[str]:
        """Wait for the next view to be written to ``watcher``'s connection, or to be woken (with
        why) to act itself; look at ``seq`` before and await with nothing awaited in between."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        watcher.future = future
        self._watching[watcher] = None
        return future

    def unwatch(self, watcher: Watcher) -> None:
        self._watching.pop(watcher, None)

    def wake(self, why: str) -> None:
        watching, self._watching = self._watching, {}
        _resolve_in_batches([watcher.future for watcher in watching if watcher.future is not None], why, self.answering)

    def _publish(self) -> None:
        self._render_pending = False
        view = public_view(self.state)
        if self.view is not None and _comparable(view) == _comparable(self.view):
            return
        said = announcement(self.view, view)
        self.view, self.seq = view, self.state.seq
        headline = safe_line(view.headline())  # the fragment's text is sanitised by its template
        payload = json.dumps({"html": live_fragment(view, _now()), "announce": safe_line(said), "headline": headline})
        self.message = format_sse_event(event="view", data_str=payload, id=str(self.seq))
        self.write_view()

    def write_view(self) -> None:
        """Write ``message`` (the view at ``seq``) to every watching page that lacks it, a slice per
        turn of the loop; a fan-out still under way for an older view stops (this one covers its pages)."""
        self._fan_out += 1
        self._write_slice(self._fan_out, list(self._watching), 0)

    def _write_slice(self, fan_out: int, watchers: list[Watcher], start: int, yielded: int = 0) -> None:
        """Write the view to ``watchers[start:]`` until ``SLICE_SECONDS`` have passed, then go on in
        the loop's next turn; a watcher that cannot take the write is woken to send it itself."""
        if fan_out != self._fan_out:
            return
        loop = asyncio.get_running_loop()
        answering = self.answering
        if start and answering is not None and yielded < MAX_YIELDS and answering():  # the first slice goes at once
            loop.call_later(YIELD_SECONDS, self._write_slice, fan_out, watchers, start, yielded + 1)
            return
        message, seq, watching = self.message, self.seq, self._watching
        direct = len(message) <= PAGE_BYTES
        now = loop.time()
        deadline = time.perf_counter() + SLICE_SECONDS
        end = len(watchers)
        at, woken = start, 0
        while at < end:
            watcher = watchers[at]
            at += 1
            if watcher.seq >= seq or watcher not in watching:
                continue  # has it, or woken meanwhile (its task sends what it lacks)
            write = watcher.write
            if direct and write is not None and write(message):
                watcher.seq, watcher.written_at = seq, now
            else:
                del watching[watcher]
                if watcher.future is not None and not watcher.future.done():
                    watcher.future.set_result(CHANGE)
                woken += 1  # its task sends in the loop's next turn, before the next slice: a batch's worth at most
                if woken >= WAKE_BATCH:
                    break
            if not at % 16 and time.perf_counter() >= deadline:
                break
        if at < end:
            loop.call_soon(self._write_slice, fan_out, watchers, at)

    async def run(self) -> None:
        try:
            for event in await self.store.read(self.id):
                apply(self.state, event)
            self._publish()
            self.ready.set()
            loop = asyncio.get_running_loop()
            async for event in self.store.follow(self.id, after=self.state.seq):
                apply(self.state, event)
                if not self._render_pending:  # render once per batch: after the follower next waits
                    self._render_pending = True
                    loop.call_soon(self._publish)
        except StoreError as error:
            self.failed = str(error)
            self.ready.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug; the page says "not found" rather than hang
            log.exception("live view of %s stopped", self.id)
            self.failed = "internal error"
            self.ready.set()
        finally:
            self.ended = True
            self.wake(CHANGE)


def _resolve_in_batches(
    waiting: list[asyncio.Future[str]], why: str, answering: Callable[[], bool] | None, start: int = 0, yielded: int = 0
) -> None:
    loop = asyncio.get_running_loop()
    if start and answering is not None and yielded < MAX_YIELDS and answering():  # the first batch goes at once
        loop.call_later(YIELD_SECONDS, _resolve_in_batches, waiting, why, answering, start, yielded + 1)
        return
    for future in waiting[start : start + WAKE_BATCH]:
        if not future.done():
            future.set_result(why)
    if len(waiting) > start + WAKE_BATCH:
        loop.call_soon(_resolve_in_batches, waiting, why, answering, start + WAKE_BATCH)


class LiveViews:
    """Every incident's live projection for one store, started on first view."""

    def __init__(self, store: EventStore, keepalive: float = 15.0, answering: Callable[[], bool] | None = None):
        self.store = store
        self.keepalive = keepalive
        self.answering = answering  # whether a responder's request is being answered: the fan-out yields to it
        self.closing = False
        self._lives: dict[str, LiveIncident] = {}
        self._ticker: asyncio.Task | None = None

    async def get(self, incident_id: str, timeout: float = 10.0) -> LiveIncident | None:
        """The live view of a declared incident, or ``None`` if there is no such incident."""
        live = self._lives.get(incident_id)
        if live is None or live.failed:
            live = self._lives[incident_id] = LiveIncident(incident_id, self.store, self.answering)
            live.task = asyncio.get_running_loop().create_task(live.run(), name=f"warroom-live-{incident_id}")
            self._start_ticking()
        if not live.ready.is_set():  # a crowd's pages open on a live view that is ready: no task each to wait for it
            try:
                await asyncio.wait_for(asyncio.shield(live.ready.wait()), timeout)
            except TimeoutError:
                return None
        if live.failed or not live.state.declared:
            if live.task is not None:
                live.task.cancel()
            self._lives.pop(incident_id, None)
            return None
        return live

    def _start_ticking(self) -> None:
        if self._ticker is not None:
            return

        async def tick() -> None:
            while not self.closing:
                await asyncio.sleep(self.keepalive)
                for live in list(self._lives.values()):
                    live.wake(TICK)

        self._ticker = asyncio.get_running_loop().create_task(tick(), name="warroom-live-ticker")

    async def close(self) -> None:
        self.closing = True
        if self._ticker is not None:
            self._ticker.cancel()
        for live in self._lives.values():
            live.wake(CHANGE)
            if live.task is not None:
                live.task.cancel()
        await asyncio.gather(*(live.task for live in self._lives.values() if live.task), return_exceptions=True)
