"""Keep a crowd's open connections out of the garbage collector's full collections.

CPython's cycle collector walks every object of its oldest generation in each full
collection, and starts one whenever a quarter as many objects again have survived into
it. Ten thousand open status pages are ~1.5 million such objects: each full collection
held the event loop 0.8-1.1 s in the middle of a broadcast, and found nothing, since
open connections are not garbage (issue 26, ``bench/status_page.py``: the two slow
broadcasts in ten were those pauses, and the responders' appends waited behind them).

``gc.freeze()`` moves every object alive into a permanent generation that no collection
walks. ``FrozenCrowd`` freezes what the server holds once it has started, and again
whenever its open streams have grown by a tenth since the last freeze (after collecting
the young generations, so fresh garbage is not frozen with them); when they fall below
half of what they were at the last freeze it unfreezes, so whatever the crowd left
behind is collected again. Streams, not connections: ten thousand connections are
accepted in a second or two, while the requests on them (and the objects a page is)
are served over the next twenty. A frozen object whose last reference goes is
freed as ever: only garbage in cycles would stay, and a status page that ends leaves
none (``warroom.web.stream``; ``tests/server/test_crowd_heap.py`` checks both).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

LOOK_EVERY = 0.5
GROWTH = 0.1
"""Freeze again once the open streams have grown by this share since the last freeze..."""
MIN_GROWTH = 256
"""...and by at least this many: a handful of boards is not a crowd."""


class FrozenCrowd:
    """Freezes the heap as a crowd of streams arrives and thaws it as the crowd leaves."""

    def __init__(self, streams: Callable[[], int], look_every: float = LOOK_EVERY):
        self.streams = streams
        self.look_every = look_every
        self.frozen_at = 0
        self.freezes = 0
        self.thaws = 0
        self._previous = -1  # the count at the last look
        self._task: asyncio.Task | None = None

    def look(self) -> None:
        """Freeze or thaw if the open streams have moved far enough since the last freeze: grown
        by a tenth, or by less but no longer growing (the rest of a crowd that has arrived)."""
        count, previous = self.streams(), self._previous
        self._previous = count
        grown = count - self.frozen_at
        if grown >= MIN_GROWTH and (grown >= self.frozen_at * GROWTH or count == previous):
            self.freeze(count)
        elif count < self.frozen_at // 2:
            gc.unfreeze()
            self.frozen_at = count
            self.thaws += 1

    def freeze(self, count: int) -> None:
        gc.collect(1)
        gc.freeze()
        self.frozen_at = count
        self.freezes += 1

    def start(self) -> None:
        """Freeze what the server holds now (its code, its app), then watch the open streams."""
        gc.collect()
        self.freeze(self.streams())
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="warroom-frozen-crowd")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.look_every)
            self.look()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        gc.unfreeze()


GC_YOUNG_OBJECTS = 7000


def collect_young_less_often() -> None:
    """Run the cyclic collector's young generation every ``GC_YOUNG_OBJECTS`` allocations, not 700.
    A request makes hundreds of short-lived objects that reference counting frees anyway; at the
    default the collector ran ~90 times a second in ``bench/server.py`` (what start-up built is
    frozen out of its sight once the server listens: ``warroom.asgi.heap``)."""
    gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])
