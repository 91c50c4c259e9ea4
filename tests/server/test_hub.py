"""The in-memory fan-out: contiguous tails, honest misses, and wake-ups that cannot be lost."""

from __future__ import annotations

import asyncio

from warroom.server.db import Committed
from warroom.asgi.streams import PAGE_BYTES
from warroom.server.hub import COMMIT, KEEPALIVE, TICK, Hub, Listener


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


class Connection:
    """What a listener writes to: records each write; ``full`` refuses them (a slow reader)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.full = False

    def write(self, data: bytes) -> bool:
        if self.full:
            return False
        self.writes.append(data)
        return True


def message(seq: int) -> bytes:
    return f'data: {{"seq":{seq}}}\nid: {seq}\n\n'.encode()


async def test_caught_up_listeners_are_written_each_commit_once_without_being_woken():
    delivered: list[tuple[str, int, int, int]] = []
    hub = Hub(delivered=lambda *args: delivered.append(args))
    hub.publish(batch("INC-1", 1, 2))
    connections = [Connection() for _ in range(3)]
    listeners = [Listener(c.write, 2) for c in connections]
    woken = [hub.listen("INC-1", listener) for listener in listeners]
    hub.publish(batch("INC-1", 3, 1))
    hub.publish(batch("INC-1", 4, 3))  # one commit of three events: one write
    assert not any(w.done() for w in woken)  # nobody's task ran
    assert all(c.writes == [message(3), message(4) + message(5) + message(6)] for c in connections)
    assert connections[0].writes[0] is connections[1].writes[0]  # the same bytes for every listener
    assert [listener.cursor for listener in listeners] == [6, 6, 6]
    assert delivered == [("INC-1", 2, 3, 3), ("INC-1", 3, 6, 3)]
    hub.publish(batch("INC-2", 1, 1))  # another incident: not theirs
    assert all(len(c.writes) == 2 for c in connections)


async def test_a_listener_that_cannot_take_a_write_is_woken_to_catch_up_itself():
    hub = Hub()
    hub.publish(batch("INC-1", 1, 1))
    slow, fast = Connection(), Connection()
    slow_listener, fast_listener = Listener(slow.write, 1), Listener(fast.write, 1)
    slow_woken, fast_woken = hub.listen("INC-1", slow_listener), hub.listen("INC-1", fast_listener)
    slow.full = True
    hub.publish(batch("INC-1", 2, 1))
    assert await asyncio.wait_for(slow_woken, 1) == COMMIT and slow_listener.cursor == 1  # it sends seq 2 itself
    assert not fast_woken.done() and fast.writes == [message(2)]
    hub.publish(batch("INC-1", 3, 1))
    assert slow.writes == [] and fast.writes == [message(2), message(3)]  # out of the feed until it listens again
    slow.full = False
    assert hub.recent_messages("INC-1", slow_listener.cursor, 100, 1 << 14) == (message(2) + message(3), 3)


async def test_what_a_listener_must_not_be_written_wakes_it_instead():
    hub = Hub(tail_keep=10)
    hub.publish(batch("INC-1", 1, 1))
    connection = Connection()
    behind = Listener(connection.write, 0)  # read the database while seq 1 was published
    assert await asyncio.wait_for(hub.listen("INC-1", behind), 1) == COMMIT
    listener = Listener(connection.write, 1)
    woken = hub.listen("INC-1", listener)
    hub.publish([Committed("INC-1", [(2, "x" * (PAGE_BYTES + 1))])])  # more than a page: sent in pages by its task
    assert await asyncio.wait_for(woken, 1) == COMMIT and connection.writes == []
    listener.cursor = 2
    woken = hub.listen("INC-1", listener)
    hub.publish(batch("INC-1", 5, 1))  # a gap (another server's commits, on PostgreSQL): read it
    assert await asyncio.wait_for(woken, 1) == COMMIT and connection.writes == []
    without_writer = Listener(None, 5)  # a server that offers no direct write: woken for every commit
    woken = hub.listen("INC-1", without_writer)
    hub.publish(batch("INC-1", 6, 1))
    assert await asyncio.wait_for(woken, 1) == COMMIT


async def test_listeners_of_quiet_feeds_get_keep_alives_and_everyone_wakes_at_close():
    hub = Hub()
    hub.publish(batch("INC-1", 1, 1))
    hub.publish(batch("INC-2", 1, 1))
    quiet, busy, revoked = Connection(), Connection(), Connection()
    quiet_woken = hub.listen("INC-1", Listener(quiet.write, 1))
    hub.listen("INC-2", Listener(busy.write, 1))
    gone = Listener(revoked.write, 1)
    gone_woken = hub.listen("INC-2", gone)
    hub.wake_listener("INC-2", gone)
    assert await asyncio.wait_for(gone_woken, 1) == TICK
    hub.start_ticking(0.05)
    await asyncio.sleep(0.02)
    hub.publish(batch("INC-2", 2, 1))
    while not quiet.writes:
        await asyncio.sleep(0.01)
    assert quiet.writes == [KEEPALIVE] and busy.writes == [message(2)]  # INC-2 had a commit since the last tick
    while len(busy.writes) < 2:
        await asyncio.sleep(0.01)
    assert busy.writes[1] == KEEPALIVE and revoked.writes == []
    hub.close()
    assert await asyncio.wait_for(quiet_woken, 1) == COMMIT
    left = Listener(quiet.write, 1)
    assert await asyncio.wait_for(hub.listen("INC-1", left), 1) == COMMIT  # a closing hub takes no listener
