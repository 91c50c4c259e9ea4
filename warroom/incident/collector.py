"""Python's cyclic garbage collector kept out of work that only makes long-lived records.

Folding a log and parsing one both make a few objects per event that stay alive (the
timeline entries, the events themselves) and no reference cycles, so the collector has
nothing to find in them; but their number alone made it walk the *whole* heap, over and
over: with 100,000 events in memory a full collection is over 100 ms. Parsing a
100,000-line log into a list in a fresh process ran seven, two thirds of its time
(bench/README.md, "Parse: the collector out of a log's read").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block; left off if someone else turned it off.

    A board that has joined moves what it loaded out of the collector's care anyway
    (``gc.freeze()``), as does the server (``asgi/heap.py``)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
