"""How a board or the lobby waits before following the store again after it failed.

A store that went away is retried forever (the header says "offline" meanwhile), first
quickly, then less and less often up to a cap, and quickly again once it answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from warroom.store import StoreError, StoreUnavailable

T = TypeVar("T")

FIRST_SECONDS = 0.25
MOST_SECONDS = 10.0


class Backoff:
    """A wait that doubles after each failure, up to ``most``, and starts over after a success."""

    def __init__(self, first: float = FIRST_SECONDS, most: float = MOST_SECONDS) -> None:
        self.first, self.most = first, most
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    async def wait(self) -> None:
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.most)


async def keep_following(
    follow: Callable[[], AsyncIterator[T]],
    each: Callable[[T], object],
    *,
    offline: Callable[[], object],
    failed: Callable[[StoreError], object],
    again: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """``each(item)`` for every item ``follow()`` yields, forever: when the store is away say so
    (``offline``), on any other trouble ``failed(error)``; then wait (longer each time) and,
    after ``again`` (a catch-up), follow anew."""
    backoff = Backoff()
    while True:
        try:
            async for item in follow():
                backoff.reset()
                each(item)
        except StoreUnavailable:
            offline()
        except StoreError as error:
            failed(error)
        await backoff.wait()
        if again is not None:
            await again()
