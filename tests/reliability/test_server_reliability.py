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
from tests.reliability.load import anomalies, concurrent_clients, under_load


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
    rng = random.Random(7)

    async def crash() -> None:
        for _ in range(crashes):
            await asyncio.sleep(rng.uniform(0.3, 0.8))
            await asyncio.to_thread(server.kill)
            await asyncio.sleep(rng.uniform(0.05, 0.3))
            await asyncio.to_thread(server.start)

    acknowledged, log, seen = asyncio.run(under_load("REL-2", tokens, crash, urls=[server.url], handles=("alice", "bob", "dave")))
    print(f"\n{crashes} crashes under load: {len(acknowledged)} acknowledged appends, {len(log)} events in the log")
    assert anomalies(acknowledged, log, seen) == {}
    assert len(acknowledged) > 20 * crashes  # the load really ran across the crashes

