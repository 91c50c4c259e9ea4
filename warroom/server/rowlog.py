"""Reading and following a log kept as table rows, ``(seq, JSON)`` a page at a time.

The server's own readers (``reader.ServerReader``: the notifier, the chat's commands, the
status page inside the server) and the status port's follower in another process
(``follower.SqliteFollower``) both read the events table this way, and differ only in where
the rows come from and how they hear of a commit: the hub, or a poll of SQLite's
``data_version``. Written once here so the two cannot drift apart in how a page is parsed
(every line of it together, the collector paused) or in the order of "wait, then look" that
keeps a commit from slipping between the look and the wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from warroom.incident import StoredEvent
from warroom.incident.events import parse_stored_lines

Rows = Callable[[int], Awaitable[list[tuple[int, str]]]]
"""A page of ``(seq, json)`` rows past a seq, in seq order; empty at the head."""


async def read_rows(rows: Rows, after: int) -> list[StoredEvent]:
    """Every event past ``after``."""
    found: list[StoredEvent] = []
    while page := await rows(after):
        found.extend(parse_stored_lines(text for _, text in page))
        after = page[-1][0]
    return found


async def follow_rows(rows: Rows, after: int, changed: Callable[[], asyncio.Future[None]], closing: Callable[[], bool]) -> AsyncIterator[StoredEvent]:
    """Events past ``after``, then each commit's as ``changed()`` (asked before each look, so
    no commit slips through) says there is one; ends once ``closing()``."""
    cursor = after
    while not closing():
        waiting = changed()
        page = await rows(cursor)
        for event in parse_stored_lines(text for _, text in page):
            yield event
        if page:
            cursor = page[-1][0]
        else:
            await asyncio.shield(waiting)
