"""A new view is written to a crowd's connections by the fan-out itself (issue 26).

A page that has its view waits as a ``Watcher``; ``LiveIncident.write_view`` writes the next
view to each one's connection directly, in slices of at most ``SLICE_SECONDS`` a turn of the
event loop, and wakes only the pages that cannot take the write (a slow reader, a view larger
than a page, no direct write offered), whose own task then sends it. Before, every page's task
was woken and sent the view through Starlette's ``send`` chain: 35-40 µs of the server's CPU
per page per update against ~23 now (``bench/status_page.py``, 10,000 pages).
"""

from __future__ import annotations

import asyncio
from typing import cast

from warroom.asgi.streams import PAGE_BYTES
from warroom.store.base import EventStore
from warroom.web import live as live_module
from warroom.web.live import CHANGE, TICK, WAKE_BATCH, LiveIncident, Watcher


class Connection:
    """A page's connection as the fan-out sees it: what was written to it, and whether it takes more."""

    def __init__(self, takes: bool = True):
        self.takes = takes
        self.got: list[bytes] = []

    def write(self, data: bytes) -> bool:
        if self.takes:
            self.got.append(data)
        return self.takes


def _live(message: bytes, seq: int) -> LiveIncident:
    live = LiveIncident("INC-1", store=cast(EventStore, None))  # the fan-out never reads the store
    live.message, live.seq = message, seq
    return live


async def test_watching_pages_are_written_the_view_without_being_woken_and_the_rest_are_woken():
    live = _live(b"event: view\ndata: {}\nid: 7\n\n", 7)
    fine = [Connection() for _ in range(40)]
    slow = Connection(takes=False)
    watchers = [Watcher(3, 0.0, connection.write) for connection in (*fine, slow)]
    plain = Watcher(3, 0.0, None)  # a server that offers no direct write
    has_it = Watcher(7, 0.0, Connection().write)
    futures = [live.watch(watcher) for watcher in (*watchers, plain, has_it)]
    live.write_view()
    await asyncio.wait_for(asyncio.gather(futures[-3], futures[-2]), timeout=5)
    assert all(connection.got == [live.message] for connection in fine)
    assert all(watcher.seq == 7 for watcher in watchers[:-1]) and not any(future.done() for future in futures[:40])
    assert futures[-3].result() == futures[-2].result() == CHANGE  # woken: their tasks send it through ``send``
    assert not futures[-1].done() and has_it.seq == 7
    live.wake(TICK)  # the ticker still wakes every page that is watching, never one already woken
    assert await asyncio.wait_for(asyncio.gather(*futures[:40], futures[-1]), timeout=5) == [TICK] * 41


async def test_a_view_larger_than_a_page_wakes_every_page_to_send_it_in_pieces_a_batch_per_turn():
    live = _live(b"x" * (PAGE_BYTES + 1), 2)
    connections = [Connection() for _ in range(3 * WAKE_BATCH)]
    futures = [live.watch(Watcher(1, 0.0, connection.write)) for connection in connections]
    live.write_view()
    # each woken page's task sends the view through ``send`` in the loop's next turn: no more than a
    # batch of them may be woken in one turn, however cheap waking them is (a whole crowd was, once)
    assert sum(future.done() for future in futures) == WAKE_BATCH
    assert await asyncio.wait_for(asyncio.gather(*futures), timeout=5) == [CHANGE] * len(futures)
    assert all(connection.got == [] for connection in connections)


async def test_the_fan_out_goes_a_slice_per_turn_of_the_loop_and_a_newer_view_takes_over(monkeypatch):
    monkeypatch.setattr(live_module, "SLICE_SECONDS", 0.0)  # these writes cost nothing: a slice is its first 16
    live = _live(b"v1", 1)
    connections = [Connection() for _ in range(200)]
    watchers = [Watcher(0, 0.0, connection.write) for connection in connections]
    for watcher in watchers:
        live.watch(watcher)
    live.write_view()
    first_turn = sum(1 for connection in connections if connection.got)
    assert first_turn == 16  # the loop gets a turn before the rest are written
    live.unwatch(watchers[-1])  # a page that went away is not written to
    live.message, live.seq = b"v2", 2
    live.write_view()  # the older fan-out stops here: this one covers every page
    turns = 0
    while not all(connection.got[-1:] == [b"v2"] for connection in connections[:-1]):
        turns += 1
        assert turns < 10_000
        await asyncio.sleep(0)
    assert turns > 1
    assert all(connection.got in ([b"v2"], [b"v1", b"v2"]) for connection in connections[:-1])
    assert connections[-1].got in ([], [b"v1"])
