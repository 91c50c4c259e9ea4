"""In-process fan-out of committed events to readers and SSE subscribers.

Everything here runs on the event loop thread (the writer hands commits over with
``call_soon_threadsafe``), so no locks are needed. Each incident has a ``Feed``: the
JSON of its most recent events, serialised once by the writer and shared by every
subscriber (with each one's SSE message, framed once here, so a hundred subscribers
write the same bytes rather than frame the event a hundred times), and a future that is resolved (then replaced) on every commit. A
subscriber reads whatever is past its cursor, and when nothing is, awaits that
future -- taken before it looked, so a commit can never slip between the look and
the wait. Older events than the feed keeps are read from SQLite.

Keep-alives come from one ticker for the whole hub, not a timer per waiting
subscriber: every ``keepalive`` seconds it resolves every feed's future with
``TICK``, and a subscriber woken by a tick with nothing new sends a comment. With
a hundred subscribers that is a hundred fewer timers per commit.

The feed only ever holds committed events, in seq order, without gaps: on SQLite
commits are published in the order the single writer made them; on PostgreSQL other
servers' commits arrive too (through LISTEN), possibly overlapping this server's own,
so ``publish`` drops what the tail already has and restarts the tail at a jump.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi.sse import format_sse_event

from .writer import Committed

TAIL_KEEP = 4096
TICK = "tick"
COMMIT = "commit"
EVERY_INCIDENT = "*"
"""The feed that wakes at a commit to any incident (the lobby's list stream)."""


@dataclass(slots=True)
class Feed:
    first: int = 0  # seq of tail[0]; 0 while empty
    tail: list[tuple[int, str]] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    """``tail``'s events as SSE messages (``sse_message``), one for one."""
    changed: asyncio.Future | None = None

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


class Hub:
    def __init__(self, tail_keep: int = TAIL_KEEP):
        self.tail_keep = tail_keep
        self.closing = False
        self._feeds: dict[str, Feed] = {}
        self._ticker: asyncio.Task | None = None

    def start_ticking(self, every: float) -> None:
        async def tick() -> None:
            while not self.closing:
                await asyncio.sleep(every)
                self._wake_all(TICK)

        self._ticker = asyncio.get_running_loop().create_task(tick(), name="warroom-keepalive")

    def _wake_all(self, why: str) -> None:
        for feed in self._feeds.values():
            if feed.changed is not None and not feed.changed.done():
                feed.changed.set_result(why)

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
            if feed.changed is not None and not feed.changed.done():
                feed.changed.set_result(COMMIT)

    def close(self) -> None:
        """Wake every subscriber so its stream ends (server shutdown)."""
        self.closing = True
        if self._ticker is not None:
            self._ticker.cancel()
        self._wake_all(COMMIT)
