"""Trying to lose data with two servers on one PostgreSQL: load over both, kill -9, database restarts.

The same four anomaly checks as the single-server suite (``anomalies``): nothing
acknowledged is lost, nothing in the log goes unseen by a follower, no follower sees
seqs repeat, go backwards or skip. Clients are given both servers' URLs, so when one
dies they move to the other and resume their streams from their last seq.
Counts are bounded for CI; ``WARROOM_LONG_TESTS=1`` runs the long versions.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import LONG
from tests.reliability.load import anomalies, concurrent_clients, under_load
from tests.server.conftest import pg_server
from tests.server.harness import ServerProcess, booted_together


@pytest.fixture
def tokens(pg_server_template) -> dict[str, str]:
    return pg_server_template[1]


@pytest.fixture
def two_servers(postgres, pg_server_template, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    db = postgres.create_database(template=pg_server_template[0])
    servers = [pg_server(postgres, db, tmp_path, n, "--rate-limit", "0") for n in range(2)]
    with booted_together(servers, lambda: postgres.drop_database(db)):
        yield servers


@pytest.mark.slow
def test_two_servers_under_concurrent_load_lose_nothing_and_followers_agree(two_servers, tokens):
    a, b = two_servers
    concurrent_clients(
        "PG-1", tokens, follow_urls=[a.url, b.url, a.url, b.url], write_urls=[(a, b)[n % 2].url for n in range(8)],
        per_client=1000 if LONG else 250, timeout=600, follower_timeout=300,
    )


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


def _under_load(servers: list[ServerProcess], tokens: dict[str, str], incident: str, disturb: Callable[[], Awaitable[None]]):
    """Appenders and followers on both servers, each told both URLs (in both orders)."""
    a, b = servers
    return under_load(incident, tokens, disturb, urls=[f"{a.url},{b.url}", f"{b.url},{a.url}"], handles=("alice", "bob", "dave", "erin"))
