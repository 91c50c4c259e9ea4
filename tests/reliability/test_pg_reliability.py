"""Trying to lose data with two servers on one PostgreSQL: load over both, kill -9, database restarts.

The same four anomaly checks as the single-server suite (``anomalies``): nothing
acknowledged is lost, nothing in the log goes unseen by a follower, no follower sees
seqs repeat, go backwards or skip. Clients are given both servers' URLs, so when one
dies they move to the other and resume their streams from their last seq.
Counts are bounded for CI; ``WARROOM_LONG_TESTS=1`` runs the long versions.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import LONG, REPO_ROOT
from tests.reliability.follower import digest
from tests.reliability.test_server_reliability import ENV, HANDLES, _declare, _read_all, anomalies
from tests.server.conftest import pg_starter
from tests.server.harness import ServerProcess
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.store import StoreError
from warroom.store.http import HttpStore


@pytest.fixture
def tokens(pg_server_template) -> dict[str, str]:
    return pg_server_template[1]


@pytest.fixture
def two_servers(postgres, pg_server_template, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    start = pg_starter(postgres, pg_server_template[0], tmp_path, started)
    db = postgres.create_database(template=pg_server_template[0])
    try:
        with ThreadPoolExecutor(2) as pool:
            yield list(pool.map(lambda _: start("--rate-limit", "0", db=db), range(2)))
    finally:
        for server in started:
            server.stop()
        postgres.drop_database(db)


@pytest.mark.slow
def test_two_servers_under_concurrent_load_lose_nothing_and_followers_agree(two_servers, tokens):
    a, b = two_servers
    asyncio.run(_declare(a.url, tokens["alice"], "PG-1"))
    clients, per_client = 8, (1000 if LONG else 250)
    total = 1 + clients * per_client
    followers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.follower", server.url, "PG-1", str(total), tokens["carol"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for server in (a, b, a, b)
    ]
    for follower in followers:
        assert follower.stdout.readline().strip() == "ready", follower.stderr.read()
    started = time.perf_counter()
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.writer", (a, b)[n % 2].url, "PG-1", f"c{n}", str(per_client), tokens[HANDLES[n % 5]]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for n in range(clients)
    ]
    acknowledged: set[str] = set()
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        acknowledged |= {line.split()[1] for line in out.splitlines()}
    print(f"\n{clients} clients x {per_client} appends over two servers: {time.perf_counter() - started:.2f}s")
    assert len(acknowledged) == clients * per_client

    log = asyncio.run(_read_all(b.url, tokens["dave"], "PG-1"))
    seen, digests = [], set()
    for follower in followers:
        out, err = follower.communicate(timeout=300)
        assert follower.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        seen.append(report["seen"])
        digests.add(report["digest"])
    assert anomalies(acknowledged, log, seen) == {}
    assert len(log) == total and len({e.id for e in log}) == total
    assert digests == {digest(fold(log))}


def test_killing_one_server_under_load_loses_nothing_and_clients_fail_over(two_servers, tokens):
    crashes = 10 if LONG else 1
    rng = random.Random(15)

    async def disturb() -> None:
        for n in range(crashes):  # alternate the victim: clients that moved away once must move back
            victim = two_servers[n % 2]
            await asyncio.sleep(rng.uniform(0.4, 0.9))
            await asyncio.to_thread(victim.kill)
            await asyncio.sleep(rng.uniform(0.3, 0.6))
            await asyncio.to_thread(victim.start)

    acknowledged, log, seen = asyncio.run(_under_load(two_servers, tokens, "PG-2", disturb))
    print(f"\n{crashes} kill -9 under load: {len(acknowledged)} acknowledged appends, {len(log)} events in the log")
    assert anomalies(acknowledged, log, seen) == {}
    assert len(acknowledged) > 20 * crashes


def test_restarting_postgresql_under_load_loses_nothing_and_servers_reconnect(two_servers, tokens, postgres):
    async def disturb() -> None:
        await asyncio.sleep(0.8)
        await asyncio.to_thread(postgres.restart, "immediate")  # a crash as far as the data goes: WAL recovery
        await asyncio.sleep(0.8)

    acknowledged, log, seen = asyncio.run(_under_load(two_servers, tokens, "PG-3", disturb))
    print(f"\nPostgreSQL restarted under load: {len(acknowledged)} acknowledged appends, {len(log)} events in the log")
    assert anomalies(acknowledged, log, seen) == {}
    assert all(server.running for server in two_servers)
    for server in two_servers:
        assert "Traceback" not in server.log.read_text(), server.log.read_text()


async def _under_load(
    servers: list[ServerProcess], tokens: dict[str, str], incident: str, disturb: Callable[[], Awaitable[None]]
) -> tuple[set[str], list[ev.StoredEvent], list[list[int]]]:
    """Appenders and followers on both servers (each told both URLs) while ``disturb`` runs."""
    a, b = servers
    orders = [f"{a.url},{b.url}", f"{b.url},{a.url}"]
    await _declare(a.url, tokens["alice"], incident)
    acknowledged: set[str] = set()
    stop = asyncio.Event()

    async def appender(handle: str, urls: str) -> None:
        async with HttpStore(urls, token=tokens[handle], retries=2, backoff_max=0.1) as store:
            n = 0
            while not stop.is_set():
                draft = ev.EventDraft(actor=handle, body=ev.NoteAdded(text=f"{handle} {n}"))
                while True:  # the same draft (same id) until it is acknowledged, even after stop
                    try:
                        stored = await store.append(incident, draft)
                    except StoreError:
                        await asyncio.sleep(0.02)
                        continue
                    acknowledged.add(str(stored.id))
                    break
                n += 1

    async def follower(urls: str, seen: list[int], caught_up: asyncio.Event, head: list[int]) -> None:
        async with HttpStore(urls, token=tokens["carol"], backoff_max=0.1) as store:
            async for event in store.follow(incident):
                seen.append(event.seq)
                if head and event.seq >= head[0]:
                    caught_up.set()
                    return

    head: list[int] = []
    seen_lists: list[list[int]] = [[], []]
    caught = [asyncio.Event(), asyncio.Event()]
    followers = [asyncio.create_task(follower(orders[n], seen_lists[n], caught[n], head)) for n in range(2)]
    appenders = [asyncio.create_task(appender(h, orders[n % 2])) for n, h in enumerate(("alice", "bob", "dave", "erin"))]
    await disturb()
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*appenders), 60)
    log = await _read_all(f"{a.url},{b.url}", tokens["dave"], incident)
    head.append(log[-1].seq)
    for n, task in enumerate(followers):
        if seen_lists[n] and seen_lists[n][-1] >= head[0]:
            task.cancel()
            continue
        await asyncio.wait_for(caught[n].wait(), 60)
    await asyncio.gather(*followers, return_exceptions=True)
    return acknowledged, log, seen_lists
