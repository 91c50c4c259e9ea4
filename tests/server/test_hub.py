"""The in-memory fan-out: contiguous tails, honest misses, and wake-ups that cannot be lost."""

from __future__ import annotations

import asyncio

from warroom.server.db import Committed
from warroom.server.hub import COMMIT, TICK, Hub


def batch(incident: str, first: int, count: int) -> list[Committed]:
    return [Committed(incident, [(seq, f'{{"seq":{seq}}}') for seq in range(first, first + count)])]


async def test_the_tail_is_contiguous_and_says_when_it_cannot_help():
    hub = Hub(tail_keep=10)
    assert hub.recent("INC-1", 0, 100) is None  # nothing in memory: read the database
    hub.publish(batch("INC-1", 5, 3))  # the first commit this process saw was seq 5
    assert hub.recent("INC-1", 3, 100) is None  # seq 4 was never in memory
    assert [seq for seq, _ in hub.recent("INC-1", 4, 100)] == [5, 6, 7]
    assert [seq for seq, _ in hub.recent("INC-1", 5, 1)] == [6]
    assert hub.recent("INC-1", 7, 100) == [] and hub.recent("INC-1", 99, 100) == []
    for first in range(8, 40, 4):
        hub.publish(batch("INC-1", first, 4))
    kept = hub.recent("INC-1", 39 - 10, 1000)
    assert kept is not None and [seq for seq, _ in kept] == list(range(30, 40))
    assert hub.recent("INC-1", 4, 1000) is None  # trimmed: the database has it
    assert hub.known("INC-1") and not hub.known("INC-2")


async def test_a_waiter_taken_before_looking_never_misses_a_commit():
    hub = Hub()
    waiter = hub.changed("INC-1")
    hub.publish(batch("INC-1", 1, 1))  # lands between the look and the wait
    assert await asyncio.wait_for(asyncio.shield(waiter), 1) == COMMIT
    assert not hub.changed("INC-1").done()  # a fresh one for the next commit


async def test_ticks_and_close_wake_everyone():
    hub = Hub()
    waiters = [hub.changed(f"INC-{n}") for n in range(3)]
    hub.start_ticking(0.01)
    assert await asyncio.wait_for(asyncio.gather(*map(asyncio.shield, waiters)), 5) == [TICK] * 3
    last = hub.changed("INC-1")
    hub.close()
    assert hub.closing and last.done()


async def test_each_event_is_framed_once_for_every_subscriber_and_pages_stay_bounded():
    hub = Hub(tail_keep=10)
    assert hub.recent_messages("INC-1", 0, 100, 1 << 14) is None  # nothing in memory: the database
    hub.publish(batch("INC-1", 1, 3))
    one, last = hub.recent_messages("INC-1", 2, 100, 1 << 14)
    again, _ = hub.recent_messages("INC-1", 2, 100, 1 << 14)
    assert last == 3 and one is again  # the same bytes for the next subscriber: not framed again
    assert one == b'data: {"seq":3}\nid: 3\n\n'
    every, last = hub.recent_messages("INC-1", 0, 100, 1 << 14)
    assert last == 3 and every == b"".join(f'data: {{"seq":{seq}}}\nid: {seq}\n\n'.encode() for seq in (1, 2, 3))
    assert hub.recent_messages("INC-1", 0, 100, 1) == (b'data: {"seq":1}\nid: 1\n\n', 1)  # at most the page, at least one
    assert hub.recent_messages("INC-1", 3, 100, 1 << 14) == (b"", 3)  # nothing new yet
    for first in range(4, 40, 4):
        hub.publish(batch("INC-1", first, 4))  # trimmed as the tail is
    assert hub.recent_messages("INC-1", 4, 1000, 1 << 20) is None
    kept, last = hub.recent_messages("INC-1", 29, 1000, 1 << 20)
    assert last == 39 and kept.count(b"id: ") == 10 and kept.startswith(b'data: {"seq":30}\nid: 30\n')
