"""Load and disturbance shared by the server and the PostgreSQL reliability suites.

Each run records a history (what was acknowledged, what each follower saw, in what
order) and ``anomalies`` checks it for the four ways to lose data: a lost write
(acknowledged, not in the log), an unobserved write (in the log, never seen by a
follower), a non-monotonic read (a follower saw seqs go backwards or repeat) and a
skipped seq (a follower saw a gap).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from tests.conftest import REPO_ROOT
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


async def declare(url: str, token: str, incident_id: str) -> None:
    async with HttpStore(url, token=token) as store:
        await store.append(incident_id, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=incident_id, title="reliability")))


async def read_all(url: str, token: str, incident_id: str) -> list[ev.StoredEvent]:
    async with HttpStore(url, token=token) as store:
        return await store.read(incident_id)


def concurrent_clients(
    incident: str, tokens: dict[str, str], *, follow_urls: list[str], write_urls: list[str], per_client: int,
    timeout: float, follower_timeout: float,
) -> None:
    """Follower and writer processes (``clients = len(write_urls)``) at once; asserts no anomaly, every
    append acknowledged once, and every follower's fold equal to the log's."""
    asyncio.run(declare(write_urls[0], tokens["alice"], incident))
    clients = len(write_urls)
    total = 1 + clients * per_client
    followers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.follower", url, incident, str(total), tokens["carol"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for url in follow_urls
    ]
    for follower in followers:
        assert follower.stdout.readline().strip() == "ready", follower.stderr.read()
    started = time.perf_counter()
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.writer", url, incident, f"c{n}", str(per_client), tokens[HANDLES[n % 5]]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT,
        )
        for n, url in enumerate(write_urls)
    ]
    acknowledged: set[str] = set()
    for writer in writers:
        out, err = writer.communicate(timeout=timeout)
        assert writer.returncode == 0, err
        acknowledged |= {line.split()[1] for line in out.splitlines()}
    print(f"\n{clients} clients x {per_client} appends over {len(set(write_urls))} server(s): {time.perf_counter() - started:.2f}s")
    assert len(acknowledged) == clients * per_client

    log = asyncio.run(read_all(write_urls[-1], tokens["dave"], incident))
    seen, digests = [], set()
    for follower in followers:
        out, err = follower.communicate(timeout=follower_timeout)
        assert follower.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        seen.append(report["seen"])
        digests.add(report["digest"])
    assert anomalies(acknowledged, log, seen) == {}
    assert len(log) == total and len({e.id for e in log}) == total
    assert digests == {digest(fold(log))}


async def under_load(
    incident: str,
    tokens: dict[str, str],
    disturb: Callable[[], Awaitable[None]],
    *,
    urls: list[str],
    handles: tuple[str, ...],
) -> tuple[set[str], list[ev.StoredEvent], list[list[int]]]:
    """Appenders (one per handle) and two followers, each told ``urls[n % len(urls)]``
    (a comma-separated list is a client's fail-over order), while ``disturb`` runs.
    Returns (acknowledged ids, the log, the seqs each follower saw)."""
    await declare(urls[0], tokens["alice"], incident)
    acknowledged: set[str] = set()
    stop = asyncio.Event()

    async def appender(handle: str, url: str) -> None:
        async with HttpStore(url, token=tokens[handle], retries=2, backoff_max=0.1) as store:
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

    async def follower(url: str, seen: list[int], caught_up: asyncio.Event, head: list[int]) -> None:
        async with HttpStore(url, token=tokens["carol"], backoff_max=0.1) as store:
            async for event in store.follow(incident):
                seen.append(event.seq)
                if head and event.seq >= head[0]:
                    caught_up.set()
                    return

    head: list[int] = []
    seen_lists: list[list[int]] = [[], []]
    caught = [asyncio.Event(), asyncio.Event()]
    followers = [asyncio.create_task(follower(urls[n % len(urls)], seen_lists[n], caught[n], head)) for n in range(2)]
    appenders = [asyncio.create_task(appender(h, urls[n % len(urls)])) for n, h in enumerate(handles)]
    await disturb()
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*appenders), 60)
    log = await read_all(urls[0], tokens["dave"], incident)
    head.append(log[-1].seq)
    for n, task in enumerate(followers):
        if seen_lists[n] and seen_lists[n][-1] >= head[0]:
            task.cancel()
            continue
        await asyncio.wait_for(caught[n].wait(), 60)
    await asyncio.gather(*followers, return_exceptions=True)
    return acknowledged, log, seen_lists
