"""How a board or the lobby waits before following the store again after it failed.

A store that went away is retried forever (the header says "offline" meanwhile), first
quickly, then less and less often up to a cap (the HTTP store's own ``Backoff``, jittered so
many boards do not come back in step), and quickly again once it answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from warroom.store import StoreError, StoreUnavailable
from warroom.store.replies import Backoff

T = TypeVar("T")

FIRST_SECONDS = 0.25
MOST_SECONDS = 10.0


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
    backoff = Backoff(FIRST_SECONDS, MOST_SECONDS)
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
