"""Trying to lose data on the server: many clients at once, and kill -9 under steady load.

The history each test records (what was acknowledged, what each follower saw, in what
order) is checked for the four anomalies: a lost write (acknowledged, not in the log),
an unobserved write (in the log, never seen by a follower), a non-monotonic read (a
follower saw seqs go backwards or repeat) and a skipped seq (a follower saw a gap).
Counts are bounded for CI; ``WARROOM_LONG_TESTS=1`` runs the long versions.
"""

from __future__ import annotations

import pytest

import asyncio
import json
import os
import random
import subprocess
import sys
import time

from tests.conftest import LONG, REPO_ROOT
from tests.reliability.follower import digest
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.store import StoreError
from warroom.store.http import HttpStore

ENV = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
HANDLES = ("alice", "bob", "carol", "dave", "erin")


def anomalies(acknowledged: set[str], log: list[ev.StoredEvent], seen: list[list[int]]) -> dict[str, object]:
    ids = {str(e.id) for e in log}
    head = log[-1].seq if log else 0
    found: dict[str, object] = {}
    if lost := acknowledged - ids:
        found["lost write"] = sorted(lost)[:5]
    if [e.seq for e in log] != list(range(1, head + 1)):
        found["gap in the log"] = [e.seq for e in log][:20]
    for n, seqs in enumerate(seen):
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            found[f"non-monotonic read (follower {n})"] = seqs[:20]
        elif seqs != list(range(1, head + 1)):
            missing = sorted(set(range(1, head + 1)) - set(seqs))
            key = "unobserved write" if seqs and seqs[-1] == head else "skipped seq"
            found[f"{key} (follower {n})"] = missing[:20]
    return found


@pytest.mark.slow
def test_concurrent_clients_lose_nothing_and_followers_agree(start_server, tokens):
    server = start_server("--rate-limit", "0")
    asyncio.run(_declare(server.url, tokens["alice"], "REL-1"))
    clients, per_client = 8, (1000 if LONG else 250)
    total = 1 + clients * per_client
    followers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.follower", server.url, "REL-1", str(total), tokens["carol"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for _ in range(3)
    ]
    for follower in followers:
        assert follower.stdout.readline().strip() == "ready", follower.stderr.read()
    started = time.perf_counter()
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.writer", server.url, "REL-1", f"c{n}", str(per_client), tokens[HANDLES[n % 5]]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for n in range(clients)
    ]
    acknowledged: set[str] = set()
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        acknowledged |= {line.split()[1] for line in out.splitlines()}
    print(f"\n{clients} clients x {per_client} appends over HTTP: {time.perf_counter() - started:.2f}s")
    assert len(acknowledged) == clients * per_client

    log = asyncio.run(_read_all(server.url, tokens["dave"], "REL-1"))
    seen, digests = [], set()
    for follower in followers:
        out, err = follower.communicate(timeout=120)
        assert follower.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        seen.append(report["seen"])
        digests.add(report["digest"])
    assert anomalies(acknowledged, log, seen) == {}
    assert len(log) == total and len({e.id for e in log}) == total
    assert digests == {digest(fold(log))}


@pytest.mark.slow
def test_killing_the_server_under_load_loses_nothing_and_followers_resume_exactly(start_server, tokens):
    server = start_server("--rate-limit", "0")
    crashes = 10 if LONG else 3
    acknowledged, log, seen = asyncio.run(_crash_under_load(server, tokens, crashes))
    print(f"\n{crashes} crashes under load: {len(acknowledged)} acknowledged appends, {len(log)} events in the log")
    assert anomalies(acknowledged, log, seen) == {}
    assert len(acknowledged) > 20 * crashes  # the load really ran across the crashes


async def _declare(url: str, token: str, incident_id: str) -> None:
    async with HttpStore(url, token=token) as store:
        await store.append(incident_id, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=incident_id, title="reliability")))


async def _read_all(url: str, token: str, incident_id: str) -> list[ev.StoredEvent]:
    async with HttpStore(url, token=token) as store:
        return await store.read(incident_id)


async def _crash_under_load(server, tokens, crashes: int) -> tuple[set[str], list[ev.StoredEvent], list[list[int]]]:
    await _declare(server.url, tokens["alice"], "REL-2")
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
    log = await _read_all(server.url, tokens["dave"], "REL-2")
    head.append(log[-1].seq)
    for n, task in enumerate(followers):
        if seen_lists[n] and seen_lists[n][-1] >= head[0]:
            task.cancel()
            continue
        await asyncio.wait_for(caught[n].wait(), 30)
    await asyncio.gather(*followers, return_exceptions=True)
    return acknowledged, log, seen_lists
