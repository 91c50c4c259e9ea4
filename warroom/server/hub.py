"""In-process fan-out of committed events to readers and SSE subscribers.

Everything here runs on the event loop thread (the writer hands commits over with
``call_soon_threadsafe``), so no locks are needed. Each incident has a ``Feed``: the
JSON of its most recent events, serialised once by the writer and shared by every
subscriber (with each one's SSE message, framed once here, so a hundred subscribers
write the same bytes rather than frame the event a hundred times), and a future that is resolved (then replaced) on every commit. A
subscriber reads whatever is past its cursor, and when nothing is, awaits that
future -- taken before it looked, so a commit can never slip between the look and
the wait. Older events than the feed keeps are read from SQLite.

An SSE subscriber that has caught up does not wait at all: it leaves a ``Listener``
in its feed, and ``publish`` writes the commit's messages to every listener's
connection itself, in one pass, as one bytes object (``Listener.write``, given by the
connection: ``protocol.BodyWriter``). A hundred subscribers cost a hundred writes per
commit, not a hundred task wake-ups, each through Starlette's response and every
middleware's ``send``. A listener whose connection cannot take the write (its reader is
slow: the send buffer is full; the commit is larger than a page; a gap in the tail) is
taken out of the feed and woken instead, and its own task catches up in pages through
ASGI, waiting for the socket to drain, before it listens again.

Keep-alives come from one ticker for the whole hub, not a timer per waiting
subscriber: every ``keepalive`` seconds it resolves every feed's future with
``TICK``, and a subscriber woken by a tick with nothing new sends a comment; the
listeners of a feed that published nothing since the last tick are written the
comment directly. With a hundred subscribers that is a hundred fewer timers per commit.

The feed only ever holds committed events, in seq order, without gaps: on SQLite
commits are published in the order the single writer made them; on PostgreSQL other
servers' commits arrive too (through LISTEN), possibly overlapping this server's own,
so ``publish`` drops what the tail already has and restarts the tail at a jump.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.sse import format_sse_event

from warroom.asgi.streams import PAGE_BYTES

from .writer import Committed

TAIL_KEEP = 4096
TICK = "tick"
COMMIT = "commit"
EVERY_INCIDENT = "*"
"""The feed that wakes at a commit to any incident (the lobby's list stream)."""
GONE = "gone"
"""Why a listener is woken when its client has left (``Listener.leave``)."""
KEEPALIVE = format_sse_event(comment="keep-alive")


class Listener:
    """One caught-up SSE subscriber: the hub writes each commit to it directly.

    ``write`` puts bytes on the subscriber's connection at once and says whether it
    could (``protocol.BodyWriter.write``); ``None`` when the connection offers no such
    write, and then every commit wakes the subscriber's task instead. ``cursor`` is the
    last seq the subscriber has been sent."""

    __slots__ = ("write", "cursor", "gone", "_woken")

    def __init__(self, write: Callable[[bytes], bool] | None, cursor: int):
        self.write = write
        self.cursor = cursor
        self.gone = False
        self._woken: asyncio.Future[str] | None = None

    def waiting(self) -> asyncio.Future[str]:
        """A fresh future for the subscriber's task to await until ``wake``."""
        self._woken = asyncio.get_running_loop().create_future()
        return self._woken

    def wake(self, why: str = TICK) -> None:
        woken = self._woken
        if woken is not None and not woken.done():
            woken.set_result(why)

    def leave(self) -> None:
        """The client has gone (its connection closed): wake the task so the stream ends."""
        self.gone = True
        self.wake(GONE)


@dataclass(slots=True)
class Feed:
    first: int = 0  # seq of tail[0]; 0 while empty
    tail: list[tuple[int, str]] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    """``tail``'s events as SSE messages (``sse_message``), one for one."""
    changed: asyncio.Future | None = None
    listeners: dict[Listener, None] = field(default_factory=dict)
    """Caught-up subscribers, written to by ``publish`` (a dict: ordered, and O(1) to leave)."""
    quiet: bool = True
    """Nothing written to the listeners since the last keep-alive tick."""

    @property
    def head(self) -> int:
        return self.tail[-1][0] if self.tail else 0

    def after(self, seq: int, limit: int) -> list[tuple[int, str]] | None:
        """Events past ``seq`` from memory, or ``None`` if the tail does not reach back that far."""
        if not self.tail or seq + 1 < self.first:
            return None
        start = seq + 1 - self.first
        return self.tail[start : start + limit]

    def messages_after(self, seq: int, limit: int, max_bytes: int) -> tuple[bytes, int] | None:
        """The SSE messages of the events past ``seq`` as one write (at most ``max_bytes`` plus one
        message) and the last seq in it; ``(b"", seq)`` when there are none yet, ``None`` if the
        tail does not reach back that far."""
        if not self.tail or seq + 1 < self.first:
            return None
        start = seq + 1 - self.first
        frames = self.frames[start : start + limit]
        size = 0
        for n, frame in enumerate(frames):
            size += len(frame)
            if size >= max_bytes:
                frames = frames[: n + 1]
                break
        if not frames:
            return b"", seq
        return (frames[0] if len(frames) == 1 else b"".join(frames)), seq + len(frames)


def sse_message(seq: int, text: str) -> bytes:
    """One stored event as an SSE message: its seq as the id, its JSON as the data."""
    return format_sse_event(data_str=text, id=str(seq))


Delivered = Callable[[str, int, int, int], None]
"""Told that ``count`` listeners were written an incident's events ``after < seq <= upto``."""


class Hub:
    def __init__(self, tail_keep: int = TAIL_KEEP, delivered: Delivered | None = None):
        self.tail_keep = tail_keep
        self.closing = False
        self.delivered = delivered
        self._feeds: dict[str, Feed] = {}
        self._ticker: asyncio.Task | None = None

    def start_ticking(self, every: float) -> None:
        async def tick() -> None:
            while not self.closing:
                await asyncio.sleep(every)
                self._wake_all(TICK)
                self._keep_listeners_alive()

        self._ticker = asyncio.get_running_loop().create_task(tick(), name="warroom-keepalive")

    def _wake_all(self, why: str) -> None:
        for feed in self._feeds.values():
            if feed.changed is not None and not feed.changed.done():
                feed.changed.set_result(why)

    def _keep_listeners_alive(self) -> None:
        for feed in self._feeds.values():
            if feed.listeners and feed.quiet:
                self._write(feed, KEEPALIVE, None, 0)
            feed.quiet = True

    def listen(self, incident_id: str, listener: Listener) -> asyncio.Future[str]:
        """Leave ``listener`` in the incident's feed until it is woken: with a reason (``TICK``,
        ``COMMIT``, ``GONE``) once its task must act itself. Call it only once the subscriber has
        been sent everything it could find; a commit it could not have seen wakes it at once."""
        feed = self.feed(incident_id)
        woken = listener.waiting()
        if self.closing or listener.gone:
            listener.wake(COMMIT)
        elif feed.tail and listener.cursor < feed.head:
            listener.wake(COMMIT)  # published while it read from the database
        else:
            feed.listeners[listener] = None
        return woken

    def unlisten(self, incident_id: str, listener: Listener) -> None:
        feed = self._feeds.get(incident_id)
        if feed is not None:
            feed.listeners.pop(listener, None)

    def wake_listener(self, incident_id: str, listener: Listener) -> None:
        """Take ``listener`` out of the feed and wake it (its token was revoked: nothing more is written to it)."""
        self.unlisten(incident_id, listener)
        listener.wake(TICK)

    def _write(self, feed: Feed, data: bytes, incident_id: str | None, after: int) -> None:
        """Write ``data`` to every listener of ``feed`` (``incident_id``'s events past ``after``, or a
        keep-alive when ``None``); wake and drop those that cannot take it."""
        upto = feed.head
        written = 0
        dropped: list[Listener] = []
        for listener in feed.listeners:
            write = listener.write
            if write is not None and (incident_id is None or listener.cursor == after) and write(data):
                if incident_id is not None:
                    listener.cursor = upto
                    written += 1
            else:
                dropped.append(listener)
        for listener in dropped:
            del feed.listeners[listener]
            listener.wake(COMMIT if incident_id is not None else TICK)
        if written and self.delivered is not None and incident_id is not None:
            self.delivered(incident_id, after, upto, written)

    def _push(self, feed: Feed, incident_id: str, new: int) -> None:
        """Write the feed's last ``new`` events to its listeners: as one write if they fit in a page,
        else wake every listener to send them in pages."""
        feed.quiet = False
        frames = feed.frames[-new:]
        data = frames[0] if new == 1 else b"".join(frames)
        if len(frames) < new or len(data) > PAGE_BYTES:  # the tail was cut under it, or more than a page
            listeners = list(feed.listeners)
            feed.listeners.clear()
            for listener in listeners:
                listener.wake(COMMIT)
            return
        self._write(feed, data, incident_id, feed.head - new)

    def feed(self, incident_id: str) -> Feed:
        feed = self._feeds.get(incident_id)
        if feed is None:
            feed = self._feeds[incident_id] = Feed()
        return feed

    def recent(self, incident_id: str, after: int, limit: int) -> list[tuple[int, str]] | None:
        """Events past ``after`` from memory, or ``None`` when memory does not reach back that far."""
        feed = self._feeds.get(incident_id)
        return feed.after(after, limit) if feed is not None else None

    def recent_messages(self, incident_id: str, after: int, limit: int, max_bytes: int) -> tuple[bytes, int] | None:
        """``Feed.messages_after`` of the incident's feed, or ``None`` when memory does not reach back that far."""
        feed = self._feeds.get(incident_id)
        return feed.messages_after(after, limit, max_bytes) if feed is not None else None

    def known(self, incident_id: str) -> bool:
        feed = self._feeds.get(incident_id)
        return feed is not None and bool(feed.tail)

    def changed(self, incident_id: str) -> asyncio.Future:
        """A future resolved at the next commit to this incident (``COMMIT``), the next
        keep-alive tick (``TICK``), or when the server stops. Never cancel it: it is shared."""
        feed = self.feed(incident_id)
        if feed.changed is None or feed.changed.done():
            feed.changed = asyncio.get_running_loop().create_future()
        return feed.changed

    def wake(self, incident_id: str) -> None:
        """Wake this incident's subscribers now (as a tick) so they look at their own state."""
        feed = self._feeds.get(incident_id)
        if feed is not None and feed.changed is not None and not feed.changed.done():
            feed.changed.set_result(TICK)

    def publish(self, committed: list[Committed]) -> None:
        if committed:
            every = self._feeds.get(EVERY_INCIDENT)
            if every is not None and every.changed is not None and not every.changed.done():
                every.changed.set_result(COMMIT)
        for batch in committed:
            feed = self.feed(batch.incident)
            events = batch.events
            if feed.tail and events and events[0][0] != feed.head + 1:
                # Several servers on one database deliver overlapping or out-of-step
                # batches: keep the tail contiguous (streams read anything older by seq).
                events = [event for event in events if event[0] > feed.head]
                if not events:
                    continue
                if events[0][0] != feed.head + 1:
                    feed.tail.clear()
                    feed.frames.clear()
            if not events:
                continue
            if not feed.tail:
                feed.first = events[0][0]
            feed.tail.extend(events)
            feed.frames.extend(sse_message(seq, text) for seq, text in events)
            if len(feed.tail) > 2 * self.tail_keep:
                drop = len(feed.tail) - self.tail_keep
                del feed.tail[:drop]
                del feed.frames[:drop]
                feed.first = feed.tail[0][0]
            if feed.listeners:
                self._push(feed, batch.incident, len(events))
            if feed.changed is not None and not feed.changed.done():
                feed.changed.set_result(COMMIT)

    def close(self) -> None:
        """Wake every subscriber so its stream ends (server shutdown)."""
        self.closing = True
        if self._ticker is not None:
            self._ticker.cancel()
        self._wake_all(COMMIT)
        for feed in self._feeds.values():
            listeners = list(feed.listeners)
            feed.listeners.clear()
            for listener in listeners:
                listener.wake(COMMIT)
