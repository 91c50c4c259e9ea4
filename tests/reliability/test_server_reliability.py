"""Trying to lose data on the server: many clients at once, and kill -9 under steady load.

The history each test records (what was acknowledged, what each follower saw, in what
order) is checked for the four anomalies: a lost write (acknowledged, not in the log),
an unobserved write (in the log, never seen by a follower), a non-monotonic read (a
follower saw seqs go backwards or repeat) and a skipped seq (a follower saw a gap).
Counts are bounded for CI; ``WARROOM_LONG_TESTS=1`` runs the long versions.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.conftest import LONG
from tests.reliability.load import anomalies, concurrent_clients, declare, read_all
from warroom.incident import events as ev
from warroom.store import StoreError
from warroom.store.http import HttpStore


@pytest.mark.slow
def test_concurrent_clients_lose_nothing_and_followers_agree(start_server, tokens):
    server = start_server("--rate-limit", "0")
    concurrent_clients(
        "REL-1", tokens, follow_urls=[server.url] * 3, write_urls=[server.url] * 8,
        per_client=1000 if LONG else 250, timeout=300, follower_timeout=120,
    )


@pytest.mark.slow
def test_killing_the_server_under_load_loses_nothing_and_followers_resume_exactly(start_server, tokens):
    server = start_server("--rate-limit", "0")
    crashes = 10 if LONG else 3
    acknowledged, log, seen = asyncio.run(_crash_under_load(server, tokens, crashes))
    print(f"\n{crashes} crashes under load: {len(acknowledged)} acknowledged appends, {len(log)} events in the log")
    assert anomalies(acknowledged, log, seen) == {}
    assert len(acknowledged) > 20 * crashes  # the load really ran across the crashes


async def _crash_under_load(server, tokens, crashes: int) -> tuple[set[str], list[ev.StoredEvent], list[list[int]]]:
    await declare(server.url, tokens["alice"], "REL-2")
    acknowledged: set[str] = set()
    stop = asyncio.Event()
    rng = random.Random(7)

    async def appender(handle: str) -> None:
        async with HttpStore(server.url, token=tokens[handle], retries=2, backoff_max=0.1) as store:
            n = 0
            while not stop.is_set():
                draft = ev.EventDraft(actor=handle, body=ev.NoteAdded(text=f"{handle} {n}"))
                while not stop.is_set():  # retry the same draft (same id) until it is acknowledged
                    try:
                        stored = await store.append("REL-2", draft)
                    except StoreError:
                        await asyncio.sleep(0.02)
                        continue
                    acknowledged.add(str(stored.id))
                    break
                n += 1

    async def follower(seen: list[int], caught_up: asyncio.Event, head: list[int]) -> None:
        async with HttpStore(server.url, token=tokens["carol"], backoff_max=0.1) as store:
            async for event in store.follow("REL-2"):
                seen.append(event.seq)
                if head and event.seq >= head[0]:
                    caught_up.set()
                    return

    head: list[int] = []
    seen_lists: list[list[int]] = [[], []]
    caught = [asyncio.Event(), asyncio.Event()]
    followers = [asyncio.create_task(follower(seen_lists[n], caught[n], head)) for n in range(2)]
    appenders = [asyncio.create_task(appender(h)) for h in ("alice", "bob", "dave")]
    for _ in range(crashes):
        await asyncio.sleep(rng.uniform(0.3, 0.8))
        await asyncio.to_thread(server.kill)
        await asyncio.sleep(rng.uniform(0.05, 0.3))
        await asyncio.to_thread(server.start)
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*appenders)
    log = await read_all(server.url, tokens["dave"], "REL-2")
    head.append(log[-1].seq)
    for n, task in enumerate(followers):
        if seen_lists[n] and seen_lists[n][-1] >= head[0]:
            task.cancel()
            continue
        await asyncio.wait_for(caught[n].wait(), 30)
    await asyncio.gather(*followers, return_exceptions=True)
    return acknowledged, log, seen_lists
